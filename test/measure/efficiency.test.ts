import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runEnvironment } from '../../harness/backend.ts';
import { benchAlgorithms, planVariants, withRatios, type EfficiencyRow, type MeasuredRow } from '../../harness/measure/algos.ts';
import { writeEfficiencyOutputs } from '../../harness/report/algos-output.ts';
import { algorithmNames } from '../../harness/registry.ts';
import type { RunEnvironment } from '../../contracts/types.ts';
import { validateFile } from '../../harness/report/validate.ts';

const om2pRegistered = algorithmNames().includes('om2p');
const algorithms = om2pRegistered ? ['bc', 'om2p'] : ['bc'];
const tiny = { hidden: [16], batchSize: 8 };

/** Network evaluations per action, from spec §4: bc is one MLP forward, om2p one mean-flow step. */
const declaredEvals: Record<string, number> = { bc: 1, om2p: 1 };

describe('bench algos on simple_spread (3 learned agents, obs 18, act 2) with tiny networks', () => {
  let runtime: RunEnvironment;
  let rows: EfficiencyRow[];
  const dir = mkdtempSync(join(tmpdir(), 'om2p-efficiency-'));

  beforeAll(async () => {
    await initBackend('wasm', () => {});
    runtime = runEnvironment();
    const result = await benchAlgorithms(
      {
        env: 'simple_spread',
        preset: 'cpu',
        algorithms,
        ablations: false,
        updates: 2,
        evalBatch: 3,
        seed: 0,
        baseOverrides: Object.fromEntries(algorithms.map((a) => [a, tiny])),
      },
      runtime,
    );
    expect(result.failures).toEqual([]);
    rows = result.rows;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures one row per algorithm with positive peak bytes, at least the resident bytes, and nothing leaked', () => {
    expect(rows.map((r) => r.label)).toEqual(algorithms.map((a) => `${a}@cpu`));
    for (const row of rows) {
      expect(row.updatePeakBytes).toBeGreaterThan(row.updateResidentBytes);
      expect(row.updateLeakTensors).toBe(0);
      expect(row.updateLeakBytes).toBe(0);
      expect(row.networkEvalsPerAction).toBe(declaredEvals[row.algorithm]);
      expect([row.learnedAgents, row.batchSize, row.evalBatch, row.updateSamples]).toEqual([3, 8, 3, 2]);
    }
  });

  it("holds exactly bc's weights, Adam slots and batch before an update", () => {
    // per agent: W1 18×16 + b1 16 + W2 16×2 + b2 2 = 338 floats, ×3 (weights, Adam m and v);
    // batch 8 rows × (obs 18 + act 2 + rew 1 + next obs 18 + done 1) = 320 floats. 3 agents × 1334 floats × 4 bytes.
    const bc = rows.find((r) => r.algorithm === 'bc');
    expect(bc?.updateResidentBytes).toBe(3 * (338 * 3 + 320) * 4);
  });

  it.runIf(om2pRegistered)("gives om2p's row ratios of exactly 1 and bc's row its values over om2p's", () => {
    const [bc, om2p] = rows;
    expect([om2p.memoryRatio, om2p.updateTimeRatio, om2p.samplingRatioBatch1, om2p.samplingRatioBatchEval]).toEqual([1, 1, 1, 1]);
    expect(bc.memoryRatio).toBeCloseTo(bc.updatePeakBytes / om2p.updatePeakBytes, 12);
    expect(bc.updateTimeRatio).toBeCloseTo(bc.updateMsMedian / om2p.updateMsMedian, 12);
  });

  it('writes an efficiency.csv that passes validation, with the tables beside it', () => {
    const written = writeEfficiencyOutputs(dir, { rows, failures: [] }, { runtime, updates: 2, loadAverage: { start: 0.5, end: 1.25 } });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['efficiency.csv', 'efficiency.md', 'efficiency.tex']);
    expect(validateFile(written[0])).toEqual([]);
    const md = readFileSync(written[1], 'utf8');
    expect(md).toContain(`Backend wasm, tfjs ${runtime.tfjsVersion}`);
    expect(md).toContain('load average 0.5 → 1.3');
    expect(md.split('\n').filter((line) => line.startsWith('| bc@cpu |'))).toHaveLength(1);
  });
});

describe('ratios against om2p at the same preset', () => {
  const row = (algorithm: string, preset: 'cpu' | 'paper', peak: number, ms: number, act: number, reference = false) =>
    ({ algorithm, preset, label: `${algorithm}@${preset}`, updatePeakBytes: peak, updateMsMedian: ms, actMsBatch1: act, actMsBatchEval: 2 * act, reference }) as MeasuredRow;

  it("divides each value by the reference row of its own preset, and leaves presets without one unratioed", () => {
    const [om2p, diffusion, om2pPaper, flowPaper, bcPaper] = withRatios([
      row('om2p', 'cpu', 100, 10, 1, true),
      row('diffusion', 'cpu', 380, 108, 5),
      row('om2p', 'paper', 200, 20, 2, true),
      row('flow', 'paper', 300, 50, 20),
      row('bc', 'paper', 50, 5, 0.5),
    ]);
    expect([om2p.memoryRatio, om2p.updateTimeRatio]).toEqual([1, 1]);
    expect(diffusion.memoryRatio).toBeCloseTo(3.8, 12);
    expect(diffusion.updateTimeRatio).toBeCloseTo(10.8, 12);
    expect([diffusion.samplingRatioBatch1, diffusion.samplingRatioBatchEval]).toEqual([5, 5]);
    expect([om2pPaper.memoryRatio, flowPaper.memoryRatio, flowPaper.updateTimeRatio, flowPaper.samplingRatioBatch1]).toEqual([1, 1.5, 2.5, 10]);
    expect(bcPaper.memoryRatio).toBe(0.25);
    expect('reference' in om2p).toBe(false);
  });

  it('leaves ratios out when the preset has no om2p row', () => {
    const [bc] = withRatios([row('bc', 'cpu', 50, 5, 0.5)]);
    expect(bc.memoryRatio).toBeUndefined();
  });
});

describe('variant plan', () => {
  it('measures each listed algorithm once at the preset without --ablations', () => {
    expect(planVariants({ algorithms: ['bc'], preset: 'paper', ablations: false }).map((v) => v.label)).toEqual(['bc@paper']);
  });

  it.runIf(om2pRegistered)("merges om2p's preset config into its derivative=fd ablation, at both presets", () => {
    expect(planVariants({ algorithms: ['om2p'], preset: 'cpu', ablations: true }).map((v) => v.label)).toEqual([
      'om2p[derivative=fd]@cpu',
      'om2p[derivative=jvp]@cpu',
      'om2p[derivative=zero]@cpu',
      'om2p[derivative=fd]@paper',
      'om2p[derivative=jvp]@paper',
      'om2p[derivative=zero]@paper',
    ]);
  });

  it('rejects an unknown algorithm, naming it', () => {
    expect(() => planVariants({ algorithms: ['nope'], preset: 'cpu', ablations: false })).toThrow(/unknown algorithm 'nope'/);
  });
});

describe('bench algos on a delayed-actor algorithm', () => {
  it('times td3bc in whole policy-delay cycles (3 requested updates become 2 cycles of 2) and replays every kernel of a cycle', async () => {
    await initBackend('wasm', () => {});
    const result = await benchAlgorithms(
      {
        env: 'simple_spread', preset: 'cpu', algorithms: ['td3bc'], ablations: false, updates: 3, evalBatch: 3, seed: 0,
        baseOverrides: { td3bc: tiny }, replayKernels: true,
      },
      runEnvironment(),
    );
    expect(result.failures).toEqual([]);
    expect(result.rows[0].updateSamples).toBe(4);
    const replay = result.profiles[0].replay!;
    expect(replay.calls).toBeGreaterThan(0);
    expect(replay.inOrderMs).toBeGreaterThan(0);
    expect(replay.isolatedProductMs).toBeGreaterThan(0);
  }, 60_000);
});
