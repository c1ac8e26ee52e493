/** The variables a Compose file is interpolated with: the shell's (and a `.env` file's) values. */
export type ComposeVariables = Record<string, string | undefined>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Where the `}` closing the `${` that starts at `start` is, counting nested `${ … }`. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    if (text.startsWith('${', index)) {
      depth += 1;
      index += 1;
    } else if (text[index] === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new Error(`unterminated "\${" in ${JSON.stringify(text)}`);
}

/** One `${…}` expression's body: a name, then at most one of Compose's operators and its word. */
function expand(body: string, variables: ComposeVariables, text: string): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new Error(`invalid interpolation format for ${JSON.stringify(text)}`);
  const value = variables[name];
  const rest = body.slice(name.length);
  if (rest === '') return value ?? '';
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!operator) throw new Error(`invalid interpolation format for ${JSON.stringify(text)}`);
  // The word after the operator may itself hold interpolations; it is expanded only when used.
  const word = () => interpolate(rest.slice(operator.length), variables);
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (operator) {
    case ':-':
      return empty ? word() : value!;
    case '-':
      return unset ? word() : value!;
    case ':?':
      if (empty) throw new Error(`required variable ${name} is missing a value: ${word()}`);
      return value!;
    case '?':
      if (unset) throw new Error(`required variable ${name} is missing a value: ${word()}`);
      return value!;
    case ':+':
      return empty ? '' : word();
    case '+':
      return unset ? '' : word();
    default:
      throw new Error(`unknown interpolation operator ${operator}`);
  }
}

/**
 * Compose's interpolation of one value, as the Compose specification defines it: `$$` is a literal
 * `$`; `$NAME` and `${NAME}` take the variable (empty when unset); `${NAME:-default}` and
 * `${NAME-default}` fall back when it is unset or empty (`:`) or only when unset; `${NAME:?error}`
 * and `${NAME?error}` fail; `${NAME:+other}` and `${NAME+other}` substitute when it is set. The
 * words after an operator may hold interpolations of their own.
 */
export function interpolate(text: string, variables: ComposeVariables): string {
  let result = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar < 0) {
      result += text.slice(index);
      break;
    }
    result += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      result += '$';
      index = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar);
      result += expand(text.slice(dollar + 2, end), variables, text);
      index = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      // A lone `$` (not `$$`, not before a name or a brace) is an error in Compose too.
      if (!name) throw new Error(`invalid interpolation format for ${JSON.stringify(text)}: write $$ for a literal $`);
      result += variables[name] ?? '';
      index = dollar + 1 + name.length;
    }
  }
  return result;
}
