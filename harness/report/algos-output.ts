/**
 * Outputs of `bench algos`: `efficiency.csv` (rows validated against `om2p-bench/csv/efficiency` before writing),
 * `efficiency.md` and `efficiency.tex` (one table model, rendered by `report/table.ts`), each value beside its ratio to
 * om2p at the same preset, with backend, versions and host in the caption.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCsv, type CsvRow } from './csv.ts';
import { renderTable, type Table, type TableFormat } from './table.ts';
import { describeAdapter } from '../webgpu.ts';
import type { RunEnvironment } from '../../contracts/types.ts';
import type { EfficiencyRow, VariantFailure, VariantProfile } from '../measure/algos.ts';

const MIB = 1024 * 1024;

/**
 * How the run went: backend and host, measured updates per variant, the host's 1-min load average before and after
 * (absent when the table is rebuilt from efficiency.csv, which does not keep it).
 */
export interface RunContext {
  runtime: RunEnvironment;
  updates: number;
  loadAverage?: { start: number; end: number };
}

/** The efficiency table: one row per variant; `(r×)` is the value over om2p's at the same preset. */
export function efficiencyTable(rows: readonly EfficiencyRow[], { runtime, updates, loadAverage }: RunContext): Table {
  const first = rows[0];
  const evalBatch = first?.evalBatch ?? 0;
  const where = first ? `${first.taskId}, ${first.learnedAgents} learned agents` : 'no rows';
  const { host } = runtime;
  // On webgpu the GPU's own high-water mark sits beside the tensor peak: it is the figure the paper reports.
  const gpu = rows.some((row) => row.updatePeakGpuBytes !== undefined);
  return {
    caption:
      `Efficiency on ${where}: tf.profile peak tensor memory of one update (allocator total, resident weights included), ` +
      `tinybench median ± MAD of the update over ${updates} updates (an algorithm with a delayed actor step timed in whole ` +
      `cycles, per update) and of sampling one joint action batch; ` +
      (gpu ? 'peak GPU memory = the most GPU buffer bytes in use during the update (tensors, resident weights included, and kernel buffers); ' : '') +
      `(r×) = value / om2p's at the same preset. Backend ${runtime.backend}` +
      (runtime.adapter ? ` on ${describeAdapter(runtime.adapter)}` : '') +
      `, tfjs ${runtime.tfjsVersion}, Node ${runtime.nodeVersion}, ` +
      `${host.cores} cores ${host.platform}/${host.arch}` +
      (loadAverage ? `, 1-min load average ${loadAverage.start.toFixed(1)} → ${loadAverage.end.toFixed(1)} ` : ' ') +
      '(other processes shared the cores: times carry that noise, bytes do not).',
    keyHeaders: ['variant', 'evals/action', 'batch'],
    valueHeaders: ['peak update memory (MiB)', ...(gpu ? ['peak GPU memory (MiB)'] : []), 'update (ms)', 'updates/s', 'kernels/update', 'act, batch 1 (ms)', `act, batch ${evalBatch} (ms)`, 'leaked tensors'],
    rows: rows.map((row) => ({
      keys: [row.label, String(row.networkEvalsPerAction), String(row.batchSize)],
      cells: [
        { value: row.updatePeakBytes / MIB, ratio: row.memoryRatio },
        ...(gpu ? [row.updatePeakGpuBytes === undefined ? { text: '—' } : { value: row.updatePeakGpuBytes / MIB, ratio: row.gpuMemoryRatio }] : []),
        { value: row.updateMsMedian, spread: row.updateMsMad, ratio: row.updateTimeRatio },
        { value: row.updatesPerSecond },
        { text: String(row.kernelsPerUpdate) },
        { value: row.actMsBatch1, spread: row.actMsBatch1Mad, ratio: row.samplingRatioBatch1 },
        { value: row.actMsBatchEval, spread: row.actMsBatchEvalMad, ratio: row.samplingRatioBatchEval },
        { text: String(row.updateLeakTensors) },
      ],
    })),
  };
}

function failureNote(failures: readonly VariantFailure[], format: TableFormat): string {
  if (failures.length === 0) return '';
  const lines = failures.map((f) => `${f.label}: ${f.error}`);
  return format === 'md' ? `\nNot measured:\n${lines.map((l) => `- ${l}`).join('\n')}\n` : `% not measured: ${lines.join('; ')}\n`;
}

/** Writes `efficiency.csv`, `.md` and `.tex` into `dir` (created if needed); returns the paths written. */
export function writeEfficiencyOutputs(
  dir: string,
  result: { rows: readonly EfficiencyRow[]; failures: readonly VariantFailure[] },
  context: RunContext,
): string[] {
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, 'efficiency.csv');
  writeCsv(csv, 'efficiency', result.rows as unknown as CsvRow[]);
  const table = efficiencyTable(result.rows, context);
  const written = [csv];
  for (const format of ['md', 'tex'] as const) {
    const path = join(dir, `efficiency.${format}`);
    writeFileSync(path, renderTable(table, format) + failureNote(result.failures, format));
    written.push(path);
  }
  return written;
}

/**
 * `bench algos --profile`: per variant, the profiled update's kernels by name (count, summed backend ms, share of the
 * update's kernel time) as Markdown, and, when measured, the update's kernels replayed without the framework
 * (`replayKernels`) against the update's median. Backend kernel time leaves out JavaScript overhead between kernels.
 */
export function kernelProfileMarkdown(profiles: readonly VariantProfile[], runtime: RunEnvironment): string {
  const sections = profiles.map(({ label, kernels, updateMsMedian, replay }) => {
    const total = kernels.reduce((sum, k) => sum + k.ms, 0);
    const count = kernels.reduce((sum, k) => sum + k.count, 0);
    const lines = kernels.map((k) => `| ${k.name} | ${k.count} | ${k.ms.toFixed(2)} | ${total > 0 ? ((100 * k.ms) / total).toFixed(1) : '0.0'} % |`);
    const share = (ms: number) => `${ms.toFixed(2)} ms (${((100 * ms) / updateMsMedian).toFixed(0)} %)`;
    const replayed = replay
      ? [
          '',
          `The update's median is ${updateMsMedian.toFixed(2)} ms. Its ${replay.calls.toFixed(0)} kernel calls replayed without the ` +
            `framework: in order, on their own outputs, ${share(replay.inOrderMs)}; each alone with warm inputs, ` +
            `${share(replay.isolatedMs)}, of which matrix products ${replay.isolatedProductMs.toFixed(2)} ms.`,
        ]
      : [];
    return [`### ${label}: ${count} kernels, ${total.toFixed(1)} kernel-ms`, ...replayed, '', '| kernel | count | ms | share |', '|---|---:|---:|---:|', ...lines].join('\n');
  });
  return `# Kernels of one update (tf.profile; backend ${runtime.backend}, tfjs ${runtime.tfjsVersion})\n\n${sections.join('\n\n')}\n`;
}
