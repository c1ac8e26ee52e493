/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerfileInstruction {
  keyword: string;
  /** Everything after the keyword, continuation backslashes and comment lines inside it removed. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface DockerfileStage {
  name: string | undefined;
  from: string;
  instructions: DockerfileInstruction[];
}

export interface ParsedDockerfile {
  /** ARGs before the first FROM: the only ones a FROM line may use. */
  globalArgs: Map<string, string | undefined>;
  stages: DockerfileStage[];
}

/**
 * Reads a Dockerfile's structure: enough for the checks of the deployment tests (stages, their
 * instructions and arguments), not a full BuildKit parser (no heredocs, no escape directive).
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const instructions: DockerfileInstruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continues = line.endsWith('\\');
    const content = continues ? line.slice(0, -1).trim() : line;
    if (pending) pending.parts.push(content);
    else pending = { parts: [content], line: index + 1 };
    if (continues) return;
    const joined = pending.parts.filter((part) => part !== '').join(' ');
    const [keyword = '', ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });

  const globalArgs = new Map<string, string | undefined>();
  const stages: DockerfileStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({ from: match[1]!, name: match[2], instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      const [name, value] = instruction.args.split('=', 2);
      globalArgs.set(name!, value);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** A COPY's flags, sources and destination. */
export function parseCopy(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1)! };
}
