/**
 * Agents of equal dims learned as one stacked group (nn/flow-common.ts) run the same maths as each agent alone: on fixed
 * synthetic data, 20 updates of three equal agents through the stacked group and through per-agent learners
 * (`setMaxGroupSize(1)`) give the same final weights and actions bit for bit, and the same losses every update within 1e-5
 * relative (a group reports its agents' sum, added in float32, where lone agents' values are added in float64).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { flow } from '../../algorithms/flow.ts';
import { fql } from '../../algorithms/fql.ts';
import { om2p } from '../../algorithms/om2p.ts';
import { setMaxGroupSize } from '../../algorithms/nn/flow-common.ts';
import { groupsOfEqualDims } from '../../algorithms/nn/independent.ts';
import { createRng } from '../../harness/rng.ts';
import type { AgentSpace, AlgorithmDef, NamedWeights } from '../../harness/types.ts';
import { leakedTensors, useBackend } from '../helpers/backend.ts';
import { regressionBatch } from '../helpers/update-regression.ts';

const UPDATES = 20;
const ROWS = 32;
const RELATIVE = 1e-5;
const ABSOLUTE_FLOOR = 1e-7;

function spaceOf(obsDims: number[], actDims: number[]): AgentSpace {
  return {
    obsDims,
    actDims,
    obsMean: obsDims.map((d) => new Float32Array(d)),
    obsStd: obsDims.map((d) => new Float32Array(d).fill(1)),
  };
}

const EQUAL = spaceOf([5, 5, 5], [2, 2, 2]);
const tiny = { hidden: [16, 16], batchSize: ROWS, learningRate: 1e-3 };

interface Case {
  name: string;
  def: AlgorithmDef<any>;
  overrides: object;
}

const CASES: Case[] = [
  { name: 'om2p[fd]', def: om2p, overrides: tiny },
  { name: 'om2p[jvp]', def: om2p, overrides: { ...tiny, derivative: 'jvp' } },
  { name: 'om2p[release]', def: om2p, overrides: { ...tiny, variant: 'release', timeDistribution: 'logitNormal', equalTimesFraction: 0.25 } },
  { name: 'fql', def: fql, overrides: { ...tiny, flowSteps: 3 } },
  { name: 'flow', def: flow, overrides: { ...tiny, flowSteps: 3 } },
];

/** Losses of every update, the final weights, and deterministic and stochastic actions, with agents stacked up to `maxGroup`. */
function run(c: Case, space: AgentSpace, maxGroup: number) {
  setMaxGroupSize(maxGroup);
  const rng = createRng(0);
  const agent = c.def.create(space, { ...c.def.defaults, ...c.overrides }, rng.fork('init'));
  const batches = rng.fork('batches');
  const losses: Record<string, number>[] = [];
  let leaked = 0;
  for (let u = 0; u < UPDATES; u++) {
    const batch = regressionBatch(batches, space, ROWS);
    if (u === UPDATES - 1) leaked = leakedTensors(() => losses.push(agent.update(batch)));
    else losses.push(agent.update(batch));
    tf.dispose(batch.flatMap((b) => Object.values(b)));
  }
  const obs = space.obsDims.map((d) => Float32Array.from({ length: 4 * d }, (_, k) => Math.sin(k + d)));
  const actions = [true, false].map((deterministic) => agent.act(obs, { deterministic }));
  const weights = agent.save();
  agent.dispose();
  return { losses, weights, actions, leaked };
}

function expectClose(actual: number, expected: number, label: string): void {
  const bound = Math.max(RELATIVE * Math.abs(expected), ABSOLUTE_FLOOR);
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(bound);
}

function expectSameRun(stacked: ReturnType<typeof run>, alone: ReturnType<typeof run>): void {
  expect(stacked.leaked, 'tensors left by a stacked update').toBe(0);
  stacked.losses.forEach((losses, u) => {
    expect(Object.keys(losses).sort()).toEqual(Object.keys(alone.losses[u]).sort());
    for (const [key, want] of Object.entries(alone.losses[u])) expectClose(losses[key], want, `${key} at update ${u + 1}`);
  });
  expect(Object.keys(stacked.weights)).toEqual(Object.keys(alone.weights));
  for (const [name, { values }] of Object.entries(alone.weights as NamedWeights)) expect(stacked.weights[name].values, name).toEqual(values);
  stacked.actions.forEach((perAgent, mode) => perAgent.forEach((a, i) => expect(Array.from(a), `actions ${mode}, agent ${i}`).toEqual(Array.from(alone.actions[mode][i]))));
}

describe('stacked agents: one update for agents of equal dims, the same maths as each alone (cpu unless stated)', () => {
  afterEach(() => setMaxGroupSize(Infinity));

  for (const c of CASES) {
    it(`${c.name}: three equal agents, 20 updates`, async () => {
      await useBackend('cpu');
      expectSameRun(run(c, EQUAL, Infinity), run(c, EQUAL, 1));
    });
  }

  it('om2p[fd] on wasm: three equal agents, 20 updates', async () => {
    await useBackend('wasm');
    expectSameRun(run(CASES[0], EQUAL, Infinity), run(CASES[0], EQUAL, 1));
  });

  it('om2p with agents of two shapes: the equal ones stacked, the other alone, results in agent order', async () => {
    await useBackend('cpu');
    const mixed = spaceOf([5, 4, 5], [2, 3, 2]);
    expect(groupsOfEqualDims(mixed, Infinity)).toEqual([[0, 2], [1]]);
    expectSameRun(run(CASES[0], mixed, Infinity), run(CASES[0], mixed, 1));
  });
});
