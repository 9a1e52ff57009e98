/** `om2p-bench matrix run|merge`. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { dataDir, runDir } from '../paths.ts';
import { wantsProgressBar } from '../progress.ts';
import { readMatrixSpec } from '../run/expand.ts';
import { claimStaleMs, claimsDir, withClaim } from '../claims.ts';
import { resolveShard, shardFolder } from '../run/shard.ts';
import { DEFAULT_CLAIM_TIMEOUT_MINUTES, DEFAULT_POLL_MS, runMatrix } from '../run/matrix.ts';
import { mergeResults } from '../run/merge.ts';
import { writeReport } from '../report/index.ts';
import { readCells } from '../report/cells.ts';
import { writeComparison } from '../report/compare.ts';
import { globalOptions, loadPlugins } from './context.ts';
import { comparisonText, reportText, warnCorrupt, warnMissing } from './report.ts';
import { integerAtLeast } from './options.ts';

export function registerMatrix(program: Command): void {
  const matrix = program.command('matrix').description('run a benchmark matrix (resumable, shardable) and merge shard outputs');
  matrix
    .command('run')
    .description('run every cell of a matrix spec: builds missing datasets first, skips finished cells, records failures')
    .argument('<spec>', 'matrix spec JSON (e.g. results/quick.json)')
    .option('--workers <n>', 'worker processes (0 = in this process)', integerAtLeast(0), availableParallelism())
    .option('--shard <k/n|auto>', 'run only shard k of n (cells dealt by estimated cost, none empty); auto: from a Slurm array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shards)')
    .option('--shards <n>', 'with --shard auto in a Kubernetes Indexed Job: the number of shards (the Job\'s completions)', integerAtLeast(1))
    .option('--out <dir>', 'output folder (default: runs/<matrix name>, git-ignored); {k} and {n} stand for the shard, e.g. runs/paper/shard-{k}-of-{n}')
    .option('--report', 'write the report (CSV, tables, plots, index.html) when the run ends and print the summary table')
    .option('--compare <reference>', 'when the run ends, compare it with a reference results folder (as report --compare)')
    .option('--no-progress', 'no progress bars: lines instead, per evaluation point of each cell, per cell ended (with the ETA) and per dataset-build checkpoint (also off a terminal)')
    .option('--claim-timeout <minutes>', "the longest wait for a cell claimed by another host (claims refreshed every 30 s are taken over after 5 min without; on one host, when the claim's process is gone)", integerAtLeast(1), DEFAULT_CLAIM_TIMEOUT_MINUTES)
    .action(async (specPath: string, opts: { workers: number; shard?: string; shards?: number; out?: string; report?: boolean; compare?: string; progress: boolean; claimTimeout: number }, command: Command) => {
      // a shard that cannot be known stops the runner before anything loads
      const shard = resolveShard(opts.shard, opts.shards, process.env);
      await loadPlugins(command);
      const global = globalOptions(command);
      const out = resolve(shardFolder(opts.out ?? runDir(readMatrixSpec(specPath).name), shard));
      const reference = opts.compare === undefined ? undefined : resolve(opts.compare);
      // a reference without cells is an error now, not after the whole matrix has trained
      if (reference) readCells(reference);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const summary = await runMatrix({
        spec: specPath,
        out,
        workers: opts.workers,
        shard,
        backend: global.backend,
        plugins: global.plugin ?? [],
        dataDir: dataDir(global.dataDir),
        progress: wantsProgressBar(opts.progress),
        log,
        claimTimeoutMinutes: opts.claimTimeout,
      });
      process.stdout.write(`${summary.ran} cell(s) run, ${summary.skipped} already finished, ${summary.failed.length} failed or diverged → ${out}\n`);
      for (const f of summary.failed) process.stdout.write(`  ${f.cellId} ${f.algorithm}: ${f.reason.split('\n')[0]}\n`);
      // Cooperating runners each write the same report and comparison; the claim keeps their writes from interleaving.
      const claims = { staleAfterMs: claimStaleMs(opts.claimTimeout), pollMs: DEFAULT_POLL_MS, log };
      if (opts.report || reference) {
        await withClaim(claimsDir(out), 'report', claims, async () => {
          if (opts.report) {
            const report = await writeReport(out, { dataDir: dataDir(global.dataDir) });
            warnCorrupt(report.corrupt, false);
            warnMissing(out, report.missing, false);
            process.stdout.write(`\n${reportText(report)}`);
          }
          if (reference) {
            const comparison = writeComparison(out, reference);
            warnCorrupt(comparison.corrupt, false);
            process.stdout.write(`\n${comparisonText(comparison)}`);
          }
        });
      }
      if (summary.failed.length > 0) process.exitCode = 1;
    });
  matrix
    .command('merge')
    .description('combine result folders (e.g. shards) with their trained agents; identical duplicates are fine, conflicting ones are an error')
    .argument('<dirs...>', 'result folders, each with cells/')
    .requiredOption('--out <dir>', 'merged output folder')
    .option('--strict', "exit 1 when a cell file is corrupt (it is moved aside and left out either way) or a cell of the shards' matrix.json is in none of them")
    .action((dirs: string[], opts: { out: string; strict?: boolean }) => {
      const { cells, duplicates, corrupt, missing } = mergeResults(dirs, opts.out);
      warnCorrupt(corrupt, opts.strict === true);
      warnMissing(opts.out, missing, opts.strict === true);
      process.stdout.write(`merged ${cells} cell(s) (${duplicates} identical duplicate(s)) into ${opts.out}\n`);
    });
}
