/** `om2p-bench datasets import | list | verify` in process: parsing, printed rows, exit code 1 naming a corrupted file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDatasets } from '../../harness/commands/datasets.ts';
import { useTempDirs, writeOmarFolder } from './fixtures.ts';

const tempDir = useTempDirs();

/** Runs one command line; returns what it printed and the exit code it set. */
async function run(args: string[]): Promise<{ output: string; exitCode: number }> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const program = new Command('om2p-bench').option('--data-dir <dir>').option('--plugin <path...>').exitOverride();
  registerDatasets(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'om2p-bench', ...args]);
  } finally {
    spy.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { output: printed.join(''), exitCode };
}

afterEach(() => vi.restoreAllMocks());

describe('datasets command', () => {
  it('imports OMAR files, lists them and verifies them, failing on a flipped byte', async () => {
    const omar = join(tempDir(), 'simple_spread');
    writeOmarFolder(join(omar, 'medium', 'seed_0_data'), 50, [18, 18, 18], [2, 2, 2]);
    const dataDir = tempDir();

    const imported = await run(['--data-dir', dataDir, 'datasets', 'import', '--from', omar, '--env', 'simple_spread', '--option', 'numAgents=3']);
    const folder = join(dataDir, 'simple_spread[n=3]', 'medium', 'seed_0_data');
    expect(imported.output).toContain(folder);
    // agent 0 rews = 0.5·row over two 25-step episodes: 150 and 462.5
    expect(imported.output).toContain("50 transitions, 2 episodes, return 306.3 ± 156.3 (OMAR's card: 273.4 ± 92.1), dones 1.33 %");

    const listed = await run(['--data-dir', dataDir, 'datasets', 'list']);
    expect(listed.output).toMatch(/simple_spread\[n=3\]\s+medium\s+0\s+50\s+2\s+306\.3 ± 156\.3\s+[0-9.]+\s+imported/);

    expect(await run(['--data-dir', dataDir, 'datasets', 'verify'])).toEqual({
      output: `ok   ${folder}\n1 dataset(s) checked, 0 with problems\n`,
      exitCode: 0,
    });

    const file = join(folder, 'rews_2.npy');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(file, bytes);
    const verified = await run(['--data-dir', dataDir, 'datasets', 'verify', folder]);
    expect(verified.exitCode).toBe(1);
    expect(verified.output).toContain(`FAIL ${folder}`);
    expect(verified.output).toContain(`checksum: checksum mismatch in ${file}`);
  });

  it('verifies a card-less OMAR folder against an environment given on the command line', async () => {
    const omar = writeOmarFolder(join(tempDir(), 'expert', 'seed_0_data'), 25, [18, 18, 16], [2, 2, 2]);
    const verified = await run(['datasets', 'verify', omar, '--env', 'simple_spread']);
    expect(verified.exitCode).toBe(1);
    expect(verified.output).toContain(`shape: ${join(omar, 'obs_2.npy')}: has shape (25, 16) but simple_spread[n=3] expects (25, 18)`);
  });

  it('says so when the data directory holds no dataset', async () => {
    expect((await run(['--data-dir', tempDir(), 'datasets', 'list'])).output).toMatch(/^no datasets in /);
  });
});
