/** The commit of the checkout the harness runs from, recorded with results so a number can be traced to its code. */
import { execFileSync } from 'node:child_process';
import { PACKAGE_ROOT } from './paths.ts';

let cached: { commit: string | undefined } | undefined;

/**
 * `HEAD`'s hash, with `-dirty` when tracked files differ from it (results then come from code no commit holds);
 * undefined when the package is not a git checkout or git is missing. Asked once per process.
 */
export function gitCommit(): string | undefined {
  cached ??= { commit: readCommit() };
  return cached.commit;
}

function readCommit(): string | undefined {
  const git = (...args: string[]) => execFileSync('git', ['-C', PACKAGE_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}-dirty`;
  } catch {
    return undefined;
  }
}
