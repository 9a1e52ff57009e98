/**
 * Test helper: the layering rule of the source tree, and the imports that break it.
 *
 * Layers, lowest first; a file may import its own group and any lower layer, never a higher one:
 *  0 contracts/           the contracts algorithms and environments build on (types, seeded streams, errors)
 *  1 algorithms/, envs/   the methods and the tasks; neither imports the other
 *  2 harness/ services    files, paths, schemas, backend, git, progress, owners: the harness's own plumbing
 *  3 the registry         harness/registry.ts with resolve.ts and canonical.ts beside it: the ONLY harness module that
 *                         imports algorithms/ or envs/; everything above reaches them by name through it
 *  4 harness/stats/   5 harness/data/   6 harness/measure/   7 harness/run/   8 harness/report/   9 harness/commands/
 * 10 harness/cli.ts and harness/main.ts  11 index.ts (the public API, which re-exports from every layer)
 * Tests, examples, the bin/ launcher and bench/'s tooling (the PyTorch reference, the bundle builder) stand outside the rule.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

interface Layer {
  rank: number;
  /** Files of one group may import each other. */
  group: string;
}

const REGISTRY = new Set(['harness/registry.ts', 'harness/resolve.ts', 'harness/canonical.ts']);
const HARNESS_FOLDERS = ['stats', 'data', 'measure', 'run', 'report', 'commands'];

/** The layer of a repository-relative path, or undefined for a file the rule does not place. */
export function layerOf(path: string): Layer | undefined {
  const [top, second] = path.split('/');
  if (top === 'contracts') return { rank: 0, group: 'contracts' };
  if (top === 'algorithms' || top === 'envs') return { rank: 1, group: top };
  if (path === 'index.ts') return { rank: 11, group: 'index' };
  if (top !== 'harness') return undefined;
  // main.ts runs the CLI as a program (bin/ and the offline bundle start there)
  if (path === 'harness/cli.ts' || path === 'harness/main.ts') return { rank: 10, group: 'cli' };
  if (REGISTRY.has(path)) return { rank: 3, group: 'registry' };
  const folder = HARNESS_FOLDERS.indexOf(second);
  if (folder >= 0) return { rank: 4 + folder, group: `harness/${second}` };
  return path.split('/').length === 2 ? { rank: 2, group: 'harness' } : undefined;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

/** Relative specifiers of static imports, re-exports and dynamic imports, with their line numbers. */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  for (const m of source.matchAll(pattern)) found.push({ specifier: m[2], line: source.slice(0, m.index).split('\n').length });
  return found;
}

/** The imports of `file` (repository-relative, with its `source`) that break the rule. */
export function layerViolations(file: string, source: string): Violation[] {
  const from = layerOf(file);
  if (!from) return [{ file, line: 1, message: 'is in no layer: place its folder in test/helpers/layers.ts' }];
  return importsOf(source).flatMap(({ specifier, line }) => {
    const target = normalize(join(dirname(file), specifier));
    const to = layerOf(target);
    const say = (why: string) => [{ file, line, message: `imports ${target}: ${why}` }];
    if (!to) return say('a file in no layer');
    if ((to.group === 'algorithms' || to.group === 'envs') && from.group !== to.group && file !== 'harness/registry.ts' && file !== 'index.ts') {
      return say('only harness/registry.ts reaches algorithms/ and envs/');
    }
    if (from.group === to.group || to.rank < from.rank) return [];
    return say(`${to.group} (layer ${to.rank}) is not below ${from.group} (layer ${from.rank})`);
  });
}

/** Every TypeScript source file the rule covers, repository-relative. */
export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const rel = relative(root, path);
    if (entry.isDirectory()) return ['node_modules', '.git', 'test', 'examples', 'bench', 'results', 'runs', 'tmp', '.om2p', 'bin', 'docs', 'schemas', 'dist'].includes(rel) ? [] : sourceFiles(root, path);
    return rel.endsWith('.ts') && existsSync(path) && rel !== 'vitest.config.ts' ? [rel] : [];
  });
}

export function readSource(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
