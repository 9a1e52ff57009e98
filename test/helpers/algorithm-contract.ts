/**
 * Test helper: the checks every algorithm must pass, parameterised by definition (parameterised rather than
 * duplicated): schema rejects unknown and ill-typed keys, one update leaks no tensors after a warm-up update, the same
 * seed gives identical losses on the same backend (cpu and wasm separately), actions stay in [−1, 1], save/load round-trips.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef } from '../../contracts/types.ts';
import { leakedTensors, useBackend } from './backend.ts';
import { actionsAtObs, train } from './synthetic-batches.ts';

export interface ContractCase<C> {
  def: AlgorithmDef<C>;
  /** Small config overrides that keep the test fast (tiny networks, small batches). */
  config: Partial<C>;
  space: AgentSpace;
  makeBatch: (rng: Rng) => AgentBatch;
  /** A key of the config whose value must be rejected when given as a string. */
  typedKey: keyof C & string;
}

export function describeAlgorithmContract<C>(c: ContractCase<C>): void {
  const config = { ...c.def.defaults, ...c.config } as C;

  describe(`${c.def.name}: config schema`, () => {
    it('accepts the defaults and the paper preset', () => {
      expect(validationErrors(c.def.schema, c.def.defaults)).toEqual([]);
      expect(validationErrors(c.def.schema, { ...c.def.defaults, ...c.def.presets.paper })).toEqual([]);
    });
    it('rejects an unknown key, naming it', () => {
      expect(validationErrors(c.def.schema, { ...c.def.defaults, notAKey: 1 })).toEqual([
        { path: '/notAKey', reason: 'unknown key' },
      ]);
    });
    it(`rejects an ill-typed ${c.typedKey}`, () => {
      const issues = validationErrors(c.def.schema, { ...c.def.defaults, [c.typedKey]: 'x' });
      expect(issues.length).toBeGreaterThan(0);
      expect(issues[0].path).toBe(`/${c.typedKey}`);
    });
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`${c.def.name} on ${backend}`, () => {
      it('leaks no tensors per update or per act call after a warm-up update', async () => {
        await useBackend(backend);
        const rng = createRng(1);
        const agent = c.def.create(c.space, config, rng.fork('init'));
        const batches = rng.fork('batches');
        await train(agent, 1, () => c.makeBatch(batches));
        const batch = c.makeBatch(batches);
        expect(await leakedTensors(() => agent.update([batch]))).toBe(0);
        expect(await leakedTensors(() => actionsAtObs(agent, 4, false))).toBe(0);
        expect(await leakedTensors(() => actionsAtObs(agent, 4, true))).toBe(0);
        tf.dispose(Object.values(batch));
        const before = tf.memory().numTensors;
        agent.dispose();
        expect(tf.memory().numTensors).toBeLessThan(before);
      });

      it('gives identical losses for the same seed, and different ones for another seed', async () => {
        await useBackend(backend);
        const run = async (seed: number) => {
          const rng = createRng(seed);
          const agent = c.def.create(c.space, config, rng.fork('init'));
          const batches = rng.fork('batches');
          const history = [];
          for (let k = 0; k < 4; k++) history.push(await train(agent, 1, () => c.makeBatch(batches)));
          agent.dispose();
          return history;
        };
        const first = await run(7);
        expect(await run(7)).toEqual(first);
        expect(await run(8)).not.toEqual(first);
        for (const losses of first) for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true);
      });

      it('acts in [−1, 1] and acts identically after save → load into a fresh agent', async () => {
        await useBackend(backend);
        const rng = createRng(3);
        const agent = c.def.create(c.space, config, rng.fork('init'));
        const batches = rng.fork('batches');
        await train(agent, 3, () => c.makeBatch(batches));
        const copy = c.def.create(c.space, config, createRng(99).fork('init'));
        copy.load(await agent.save());
        const a = await actionsAtObs(agent, 16, true);
        for (const x of a) expect(Math.abs(x)).toBeLessThanOrEqual(1);
        expect(Array.from(await actionsAtObs(copy, 16, true))).toEqual(Array.from(a));
        agent.dispose();
        copy.dispose();
      });
    });
  }
}
