/**
 * Errors say what and where, as the CLI prints them: a missing spec, data folder, plugin or dataset file is
 * "no such file: <path>"; a spec that is not JSON names the file; a plugin that cannot load names itself and the
 * import that did not resolve; a plugin kept outside the checkout loads at all.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../harness/backend.ts';
import { writeDataset } from '../harness/data/write.ts';
import { makeAgents, toyMeta, useTempDirs } from './data/fixtures.ts';
import { runCli } from './helpers/cli.ts';

const tempDir = useTempDirs();

/** The CLI's one-line error (stderr, after the backend notices) and its exit code. */
async function failure(args: string[]): Promise<{ code: number | null; error: string }> {
  const { code, stderr } = await runCli(args);
  return { code, error: stderr.split('\n').filter((l) => l.startsWith('om2p-bench: ')).join('\n') };
}

describe('error messages name the file', () => {
  it('a missing or unparsable matrix spec', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.json');
    expect(await failure(['matrix', 'run', missing])).toEqual({ code: 1, error: `om2p-bench: no such file: ${missing} (matrix spec)` });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"name": "x",');
    const { error } = await failure(['matrix', 'run', broken]);
    expect(error).toMatch(new RegExp(`^om2p-bench: ${broken}: not valid JSON: `));
  });

  it('a missing data folder for train, import and verify', async () => {
    const dir = tempDir();
    const missing = join(dir, 'no-data');
    const trained = await runCli(['train', '--algo', 'bc', '--env', 'simple_spread', '--data', missing, '--updates', '1', '--out', join(dir, 'cell.json')]);
    expect(trained.code).toBe(1);
    expect(trained.stdout).toContain(`failed: no such file: ${missing} (dataset folder)`);
    expect(await failure(['datasets', 'import', '--from', missing, '--env', 'simple_spread', '--data-dir', dir])).toEqual({
      code: 1,
      error: `om2p-bench: no such file: ${missing} (OMAR dataset folder)`,
    });
    expect((await failure(['datasets', 'verify', missing])).error).toBe(`om2p-bench: no such file: ${missing} (dataset folder)`);
  });

  it('a missing dataset file the card lists', async () => {
    const folder = join(tempDir(), 'toy[n=2]', 'expert', 'seed_0_data');
    await writeDataset(folder, makeAgents(4, [3, 2], [2, 1]), toyMeta([1, 2]));
    rmSync(join(folder, 'acs_1.npy'));
    const verified = await runCli(['datasets', 'verify', folder]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(`missing: no such file: ${join(folder, 'acs_1.npy')} (card.json lists it)`);
  });

  it('a missing plugin, and plugins whose imports do not resolve, named with the import and where it was made', async () => {
    const dir = tempDir();
    const missing = join(dir, 'missing.ts');
    expect(await failure(['--plugin', missing, 'datasets', 'list'])).toEqual({ code: 1, error: `om2p-bench: no such file: ${missing} (plugin)` });

    const bare = join(dir, 'bare.ts');
    writeFileSync(bare, "import { thing } from 'no-such-package-om2p';\nexport const x = thing;\n");
    expect(await failure(['--plugin', bare, 'datasets', 'list'])).toEqual({
      code: 1,
      error: `om2p-bench: plugin ${bare}: cannot resolve import 'no-such-package-om2p' (imported by ${bare}); a plugin outside ${join(import.meta.dirname, '..')}/ resolves packages from its own folder (docs/adding-a-baseline.md)`,
    });

    mkdirSync(join(dir, 'lib'));
    const relative = join(dir, 'relative.ts');
    writeFileSync(relative, "export { helper } from './lib/helper.ts';\n");
    writeFileSync(join(dir, 'lib', 'helper.ts'), "import { h } from './gone.ts';\nexport const helper = h;\n");
    expect((await failure(['--plugin', relative, 'datasets', 'list'])).error).toBe(
      `om2p-bench: plugin ${relative}: cannot resolve import './gone.ts' (imported by ${join(dir, 'lib', 'helper.ts')})`,
    );
  });

  it('a plugin that does not compile shows the compiler\'s message with file, line and column', async () => {
    const broken = join(tempDir(), 'broken.ts');
    writeFileSync(broken, "export const x = {\n  name: 'broken',\n  create( {\n};\n");
    const { code, stderr } = await runCli(['--plugin', broken, 'info']);
    expect(code).toBe(1);
    expect(stderr).toContain(`om2p-bench: plugin ${broken}: Transform failed with 1 error:\n${broken}:4:1: ERROR: Expected ")" but found ";"`);
  });

  it('a plugin outside the checkout with no imports loads (it used to fail with "Cannot require() ES Module … in a cycle")', async () => {
    const plugin = join(tempDir(), 'constant.ts');
    writeFileSync(plugin, `export const constant = {
  name: 'constant-zero', description: 'acts 0', defaults: {}, presets: { cpu: {}, paper: {} }, schema: { type: 'object' },
  create: () => ({ networkEvalsPerAction: 0, update: () => ({}), act: (obs: Float32Array[]) => obs, save: () => ({}), load() {}, dispose() {} }),
};\n`);
    const { code, stdout } = await runCli(['--plugin', plugin, 'info']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/algorithms\s.*constant-zero/);
  });
});

describe('error messages name the option and value', () => {
  it('an enumerated option with a value outside its list fails while parsing, naming the value and the allowed ones', async () => {
    const train = await runCli(['train', '--algo', 'bc', '--env', 'simple_spread', '--dataset', 'expert', '--preset', 'bogus', '--out', join(tempDir(), 'c.json')]);
    expect(train.code).toBe(1);
    expect(train.stderr).toContain("error: option '--preset <name>' argument 'bogus' is invalid. Allowed choices are cpu, paper.");
    expect(train.stderr).not.toContain('train bc on'); // nothing ran
    const build = await runCli(['datasets', 'build', '--env', 'simple_spread', '--levels', 'expert,exper']);
    expect(build.stderr).toContain("option '--levels <list>' argument 'expert,exper' is invalid. 'exper' is not one of random, medium-replay, medium, medium-expert, expert");
    const backend = await runCli(['--backend', 'gpu', 'info']);
    expect(backend.code).toBe(1);
    expect(backend.stderr).toContain(`option '--backend <name>' argument 'gpu' is invalid. Allowed choices are ${BACKENDS.join(', ')}.`);
  });

  it('a deprecated spelling still works, with a message naming the new one', async () => {
    const dir = tempDir();
    const trained = await runCli(['train', '--algo', 'bc', '--env', 'simple_spread', '--data', join(dir, 'none'), '--steps', '1', '--out', join(dir, 'c.json')]);
    expect(trained.stderr).toContain('om2p-bench: --steps is deprecated and will be removed in the next release; use --updates');
    expect(trained.stdout).toContain('failed: no such file'); // it ran with the value given
    const both = await failure(['train', '--algo', 'bc', '--env', 'simple_spread', '--data', dir, '--steps', '1', '--updates', '2', '--out', join(dir, 'c.json')]);
    expect(both).toEqual({ code: 1, error: 'om2p-bench: give --updates or --steps, not both (--steps is its deprecated spelling)' });
  });

  it('a thread count that is not a positive integer', async () => {
    expect(await failure(['bench', 'matd3', '--threads', '2,x'])).toEqual({ code: 1, error: "om2p-bench: --threads: 'x' is not a positive integer" });
    const { code, stderr } = await runCli(['datasets', 'build', '--env', 'simple_spread', '--threads', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain("option '--threads <n>' argument '0' is invalid. expected an integer ≥ 1, got '0'");
  });
});
