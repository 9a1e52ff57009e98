/**
 * `om2p-bench bench regression`: the update regression (`measure/update-regression.ts`) on the chosen backend, without
 * vitest — the first 20 updates of every algorithm and MATD3 against the losses recorded on the cpu backend. Prints one
 * row per configuration with its worst relative deviation; exit 1 when any value is outside the bound. This is how a GPU
 * node (the offline bundle, `bench/gpu/check.sh`) checks that webgpu computes the same maths.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../files.ts';
import { ABSOLUTE_FLOOR, caseDeviation, REGRESSION_CASES, regressionLosses, RELATIVE, recordedLosses, type CaseDeviation } from '../measure/update-regression.ts';
import { UPDATE_LOSSES_FIXTURE } from '../../contracts/package-files.ts';
import { prepare } from './context.ts';

interface BenchRegressionOptions {
  fixture: string;
  out?: string;
  json?: boolean;
}

function table(backend: string, rows: CaseDeviation[]): string {
  const lines = [
    `Update regression on ${backend}: first updates of each configuration against the cpu recording (bound ${RELATIVE} relative, floor ${ABSOLUTE_FLOOR})`,
    '',
    '| configuration | worst relative deviation | at | within bound |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.worstRelative.toExponential(2)} | ${r.worstAt} | ${r.failures.length === 0 ? 'yes' : `no (${r.failures.length})`} |`),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerBenchRegression(bench: Command): void {
  bench
    .command('regression')
    .description('update regression: the first updates of every algorithm and MATD3 against the recorded losses, on the chosen backend; exit 1 outside the bound')
    .option('--fixture <file>', 'recorded losses', UPDATE_LOSSES_FIXTURE)
    .option('--out <file>', 'also write the table (Markdown) to this file')
    .option('--json', 'print one JSON object')
    .action(async (opts: BenchRegressionOptions, command: Command) => {
      const { backend } = await prepare(command);
      const recorded = recordedLosses(opts.fixture);
      const rows: CaseDeviation[] = [];
      for (const c of REGRESSION_CASES) {
        try {
          rows.push(caseDeviation(c.name, await regressionLosses(c), recorded[c.name]));
        } catch (error) {
          // one configuration that cannot run on this backend is a failed row; the others still tell what works
          rows.push({ name: c.name, worstRelative: NaN, worstAt: '', failures: [`threw: ${(error as Error).message}`] });
        }
        if (!opts.json) process.stderr.write(`  ${c.name}: worst ${rows.at(-1)!.worstRelative.toExponential(2)}\n`);
      }
      const text = table(backend, rows);
      if (opts.out) writeFileAtomic(opts.out, text);
      if (opts.json) process.stdout.write(`${JSON.stringify({ backend, relativeBound: RELATIVE, absoluteFloor: ABSOLUTE_FLOOR, cases: rows })}\n`);
      else {
        process.stdout.write(text);
        for (const row of rows) for (const failure of row.failures) process.stdout.write(`${row.name}: ${failure}\n`);
      }
      if (rows.some((row) => row.failures.length > 0)) process.exitCode = 1;
    });
}
