/**
 * What a cell measures about its sampler (issue 23), end to end on the smoke datasets: bc and om2p, one seed, four updates.
 * The protocol's stochastic scores must be the very numbers the harness wrote before it measured anything else (recorded
 * by commit 342cebd's `matrix run` with this spec on the smoke datasets today's builder writes), the noise-free score must
 * be the kept agent's deterministic path, a deterministic policy is evaluated once and has no spread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolloutRequest } from '../../harness/commands/env.ts';
import { evaluateEpisodes } from '../../harness/measure/evaluate.ts';
import { createRng } from '../../contracts/rng.ts';
import { createEnvironment, rollout } from '../../harness/run/episodes.ts';
import { readPolicyFile, restoreAgent, writePolicyFile } from '../../harness/run/policy-file.ts';
import { readCellResults } from '../../harness/run/store.ts';
import type { CellDone } from '../../contracts/types.ts';
import { tinySpec, useTinyMatrix } from './fixtures.ts';

const tiny = useTinyMatrix('om2p-sampler-');

/**
 * Evaluation returns of this spec's cells (evaluations after updates 1, 2 and 4) written by commit 342cebd, before the
 * sampler was measured, run on the smoke datasets of the current builder (best-checkpoint expert).
 */
const BEFORE = {
  bc: [87.30755913257599, 156.99235397577286, 93.69506546854973],
  om2p: [163.05468636751175, 124.76505714654922, 182.78638815879822],
};

describe('cells measure their sampler', () => {
  it('keeps the protocol\'s scores, adds the noise-free score and the action spread, and evaluates bc once', async () => {
    const out = join(tiny.root, 'run');
    await tiny.run(tiny.writeSpec(tinySpec('sampler', { seeds: [0] })), out);
    const cells = [...readCellResults(out).results.values()] as CellDone[];
    const byName = Object.fromEntries(cells.map((cell) => [cell.spec.algorithm, cell])) as Record<'bc' | 'om2p', CellDone>;
    for (const name of ['bc', 'om2p'] as const) {
      expect(byName[name].curve.map((point) => point.returnMean)).toEqual(BEFORE[name]);
    }

    const { om2p, bc } = byName;
    expect(om2p.sampler).toEqual({ deterministic: false, spreadDraws: 32, spreadObservations: 256, behaviourNoise: 0.1 });
    for (const point of om2p.curve) {
      expect(point.noiseFree).toBeDefined();
      expect(point.actionSpread).toHaveLength(3);
      expect(point.actionSpread!.every((sd) => sd > 0)).toBe(true);
    }
    expect(bc.sampler).toEqual({ deterministic: true, spreadDraws: 32, spreadObservations: 256, behaviourNoise: 0.1 });
    for (const point of bc.curve) {
      expect(point.noiseFree).toBeUndefined();
      expect(point.actionSpread).toEqual([0, 0, 0]);
    }

    // The last noise-free score is the kept agent's deterministic path on the last evaluation's episodes (the cell's env
    // stream, fork eval-4), whatever stream seeds the restored agent's noise.
    const weights = join(out, 'cells', `${om2p.cellId}.safetensors`);
    const file = readPolicyFile(weights);
    const deterministicPath = async (episodes: number, envRng: ReturnType<typeof createRng>) => {
      const env = await createEnvironment('simple_spread', {}, episodes);
      const agent = restoreAgent(file, env.spec, createRng(123), weights);
      try {
        return (await evaluateEpisodes(env, agent, envRng, true)).returns;
      } finally {
        agent.dispose();
        env.dispose();
      }
    };
    const lastEpisodes = await deterministicPath(2, createRng(0).fork('env').fork('eval-4'));
    expect(lastEpisodes.reduce((a, b) => a + b, 0) / 2).toBe(om2p.last.noiseFree!.returnMean);

    // env rollout --noise-free is that path too (its resets from the rollout's env stream); without the flag the noise moves it
    const run = (policy: string, noiseFree: boolean) => rollout(rolloutRequest({ policy, episodes: 3, seed: 5, noiseFree }));
    const free = await run(weights, true);
    expect(free.returns).toEqual(await deterministicPath(3, createRng(5).fork('env')));
    expect((await run(weights, false)).returns).not.toEqual(free.returns);

    // a weights file written before a config key existed (here om2p's timeOrder) restores with the key's default
    const { timeOrder: _added, ...older } = file.config as Record<string, unknown>;
    const oldFile = join(tiny.root, 'old.safetensors');
    writePolicyFile(oldFile, { ...file, config: older });
    expect((await run(oldFile, true)).returns).toEqual(free.returns);
    expect(readPolicyFile(oldFile).config.timeOrder).toBeUndefined();
  }, 120_000);
});
