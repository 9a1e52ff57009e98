/** `om2p-bench report <dir>` parses its options, writes the report and prints the summary table and the paths. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerReport } from '../../harness/commands/report.ts';
import { cleanup, makeResultsDir } from './fixtures.ts';

describe('report command', () => {
  let dir = '';
  afterEach(() => {
    vi.restoreAllMocks();
    cleanup(dir);
  });

  it('prints the summary table and every written path', async () => {
    dir = makeResultsDir();
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const program = new Command('om2p-bench').exitOverride();
    registerReport(program);
    await program.parseAsync(['node', 'om2p-bench', 'report', dir, '--reps', '50', '--seed', '3']);
    const output = printed.join('');
    expect(output).toContain('| Task | Dataset | Algorithm | n | Updates | Normalised | 95 % CI | IQM | Noise-free | Action spread | Gap | Return | Diverged | Failed |');
    expect(output).toContain('| simple_spread | expert | om2p | 2 | 10 | 70.00 ± 14.14 |');
    expect(output).toContain(join(dir, 'summary.csv'));
    expect(existsSync(join(dir, 'plots', 'profile.svg'))).toBe(true);
  }, 60_000);
});
