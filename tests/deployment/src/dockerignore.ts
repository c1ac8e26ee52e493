/**
 * Whether a path of the build context is excluded by .dockerignore patterns: the subset of
 * Docker's syntax the repository uses (`*`, `**`, `?`, `!` exceptions, root-anchored patterns;
 * a match on a folder excludes everything below it).
 */
export function isIgnoredByDockerignore(path: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let ignored = false;
  for (const pattern of patterns) {
    const exception = pattern.startsWith('!');
    const regex = globToRegExp((exception ? pattern.slice(1) : pattern).replace(/^\/+/, '').replace(/\/+$/, ''));
    const segments = path.split('/');
    // A pattern matching the path or any folder above it.
    const matches = segments.some((_, index) => regex.test(segments.slice(0, index + 1).join('/')));
    if (matches) ignored = !exception;
  }
  return ignored;
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      // `**/` matches any number of folders, including none.
      source += glob[index + 2] === '/' ? '(?:.*/)?' : '.*';
      index += glob[index + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
