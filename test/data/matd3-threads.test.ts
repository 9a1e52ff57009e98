/**
 * MATD3 with its agents on worker threads computes exactly what one thread computes: after the same updates on the same
 * minibatches every weight, every logged loss and every explored action is bit-identical, for 2 and 3 threads over
 * 3 agents, with critics on the observations and on the global state, on wasm and cpu. A worker's error reaches the
 * caller with the agents it owns.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createMatd3, MATD3_PRESETS, type Matd3, type Matd3Config, type Matd3Space } from '../../algorithms/matd3.ts';
import { createThreadedMatd3 } from '../../harness/data/matd3-threads.ts';
import { createRng } from '../../contracts/rng.ts';
import type { AgentBatch, StateBatch } from '../../contracts/types.ts';
import { useBackend } from '../helpers/backend.ts';

const OBS = [5, 7, 6];
const ACTS = [2, 3, 2];
const STATE_DIM = 11;
const ROWS = 64;

function config(criticState: boolean): Matd3Config {
  return { ...MATD3_PRESETS.mpe, hidden: [32, 16], batchSize: ROWS, criticState };
}

/** Updates (a new random minibatch each) and explored actions after each; the log of both plus the final weights. */
async function run(agent: Matd3, space: Matd3Space, updates: number): Promise<{ log: unknown[]; weights: unknown }> {
  const rng = createRng(3);
  const uniform = (rows: number, cols: number) => tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.range(-1, 1)), [rows, cols]);
  const log: unknown[] = [];
  for (let u = 0; u < updates; u++) {
    const batch: AgentBatch[] = OBS.map((o, i) => ({
      obs: uniform(ROWS, o), acts: uniform(ROWS, ACTS[i]), rews: uniform(ROWS, 1), nextObs: uniform(ROWS, o), dones: tf.zeros([ROWS, 1]),
    }));
    const states: StateBatch | undefined = space.stateDim ? { states: uniform(ROWS, STATE_DIM), nextStates: uniform(ROWS, STATE_DIM) } : undefined;
    log.push(await agent.update(batch, states));
    tf.dispose([...batch.flatMap((b) => Object.values(b)), ...(states ? Object.values(states) : [])]);
    log.push((await agent.act(OBS.map((o) => Float32Array.from({ length: 10 * o }, () => rng.normal())), true)).map((a) => Array.from(a)));
  }
  const weights = await agent.save();
  agent.dispose();
  return { log, weights };
}

describe.each(['wasm', 'cpu'] as const)('threaded MATD3 (%s)', (backend) => {
  it.each([
    { threads: 2, criticState: false },
    { threads: 3, criticState: false },
    { threads: 2, criticState: true },
  ])('$threads threads, critics on the state: $criticState — bit-identical to one thread', async ({ threads, criticState }) => {
    await useBackend(backend);
    const space: Matd3Space = { obsDims: OBS, actDims: ACTS, ...(criticState ? { stateDim: STATE_DIM } : {}) };
    const one = await run(createMatd3(space, config(criticState), createRng(7)), space, 5);
    const many = await run(createThreadedMatd3(space, config(criticState), createRng(7), threads), space, 5);
    expect(many.log).toEqual(one.log);
    expect(many.weights).toEqual(one.weights);
    // The updates changed the weights (5 updates include actor steps): the comparison is not between two initialisations.
    const fresh = createMatd3(space, config(criticState), createRng(7));
    expect((await fresh.save())['agent2/actor/l0/w']).not.toEqual((many.weights as Record<string, unknown>)['agent2/actor/l0/w']);
    fresh.dispose();
  }, 30_000);
});

describe('threaded MATD3 errors', () => {
  it("names the worker's agents and the problem", async () => {
    await useBackend('wasm');
    const space: Matd3Space = { obsDims: OBS, actDims: ACTS };
    const agent = createThreadedMatd3(space, config(false), createRng(7), 2);
    const weights = await agent.saveActors();
    delete weights['agent2/actor/l1/b'];
    await expect(agent.loadActors(weights)).rejects.toThrow(/matd3 worker for agents 1, 2: weights have no entry for variable agent2\/actor\/l1\/b/);
    agent.dispose();
  }, 30_000);

  it('splits the agents into at most one block per agent', async () => {
    await useBackend('wasm');
    const space: Matd3Space = { obsDims: [3], actDims: [1] };
    const agent = createThreadedMatd3(space, config(false), createRng(1), 4);
    expect(Object.keys(await agent.saveActors()).every((name) => name.startsWith('agent0/'))).toBe(true);
    agent.dispose();
  });
});
