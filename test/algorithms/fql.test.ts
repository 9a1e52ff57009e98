import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import { fql, type FqlConfig } from '../../algorithms/fql.ts';
import { useBackend } from '../helpers/backend.ts';
import {
  banditDistance,
  bimodalBatch,
  OBS,
  leakPerUpdate,
  sameSeedLossesTwice,
  sampleActions,
  singleAgentSpace,
  train,
} from './flow-fixtures.ts';

const small: Partial<FqlConfig> = { hidden: [64, 64], batchSize: 128, learningRate: 3e-3, flowSteps: 5 };

describe('fql config', () => {
  it('accepts the presets and rejects unknown or ill-typed keys', () => {
    expect(validationErrors(fql.schema, { ...fql.defaults, ...fql.presets.paper })).toEqual([]);
    expect(validationErrors(fql.schema, { ...fql.defaults, eta: 1 })).toEqual([{ path: '/eta', reason: 'unknown key' }]);
    expect(validationErrors(fql.schema, { ...fql.defaults, alpha: -1 })[0].path).toBe('/alpha');
  });
});

describe('fql training', () => {
  it('acts with the one-step policy: one network evaluation per action, the same action for the same noise', async () => {
    await useBackend('cpu');
    const agent = fql.create(singleAgentSpace(2), { ...fql.defaults, ...small }, createRng(1));
    expect(agent.networkEvalsPerAction).toBe(1);
    const obs = new Float32Array([...OBS, ...OBS]);
    const [a, b] = [Array.from((await agent.act([obs], { deterministic: true }))[0]), Array.from((await agent.act([obs], { deterministic: true }))[0])];
    expect(a).toEqual(b);
    expect(a.slice(0, 2)).toEqual(a.slice(2));
    agent.dispose();
  });

  it('with α large the one-step policy follows the flow onto both modes of a bimodal dataset (rewards 0)', async () => {
    await useBackend('wasm');
    const { agent } = await train(fql, { ...small, batchSize: 256, learningRate: 1e-2, alpha: 100 }, bimodalBatch, 250);
    const x = (await sampleActions(agent, 1000, 2)).map((row) => row[0]);
    const within = (centre: number) => x.filter((v) => Math.abs(v - centre) < 0.25).length / x.length;
    for (const mode of [-0.6, 0.6]) expect(within(mode)).toBeGreaterThan(1.5 * within(0));
    agent.dispose();
  });

  it('on a one-step bandit, the Q term moves the mean action to within 0.3 of a* (the data mean is 0.86 away)', async () => {
    await useBackend('wasm');
    const aStar = [0.7, -0.5];
    const withQ = await banditDistance(fql, { ...small, alpha: 1 }, aStar, 200);
    expect(withQ).toBeLessThan(0.3);
  });

  it('an update and an action leave no tensors behind', async () => {
    await useBackend('wasm');
    expect(await leakPerUpdate(fql, small)).toBe(0);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`the same seed gives identical losses twice on ${backend}`, async () => {
      await useBackend(backend);
      const [first, second] = await sameSeedLossesTwice(fql, small);
      expect(first).toEqual(second);
      expect(Object.keys(first[0]).sort()).toEqual(
        ['actor/distill', 'actor/fm', 'actor/loss', 'actor/q', 'actor/q_mean', 'critic/loss', 'critic/target_mean'],
      );
      expect(first.every((l) => Object.values(l).every(Number.isFinite))).toBe(true);
    });
  }
});
