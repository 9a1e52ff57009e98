/**
 * Test helper: the first updates of every algorithm on fixed synthetic data (two agents of different sizes, tiny networks),
 * covering every network path (ReLU/GELU/Mish, LayerNorm, tanh outputs, fd/jvp derivatives, EMA, CQL, delayed actors,
 * state critics). Recorded once before the speed work (`record-update-losses.ts`); the regression test checks that the same
 * runs still give the same losses, so performance changes cannot change the maths unnoticed.
 */
import * as tf from '@tensorflow/tfjs';
import { bc } from '../../algorithms/bc.ts';
import { diffusion } from '../../algorithms/diffusion.ts';
import { flow } from '../../algorithms/flow.ts';
import { fql } from '../../algorithms/fql.ts';
import { createMatd3, MATD3_PRESETS } from '../../algorithms/matd3.ts';
import { om2p } from '../../algorithms/om2p.ts';
import { td3bc } from '../../algorithms/td3bc.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef, StateBatch } from '../../contracts/types.ts';

export const REGRESSION_UPDATES = 20;
const ROWS = 32;
const OBS_DIMS = [5, 4];
const ACT_DIMS = [2, 3];
const STATE_DIM = 6;
const TINY = [16, 16];

const space: AgentSpace = {
  obsDims: OBS_DIMS,
  actDims: ACT_DIMS,
  obsMean: OBS_DIMS.map((d) => Float32Array.from({ length: d }, (_, k) => 0.1 * k)),
  obsStd: OBS_DIMS.map((d) => Float32Array.from({ length: d }, (_, k) => 1 + 0.2 * k)),
};

/** Per agent: obs, next obs ~ N(0, 1), actions U(−1, 1), rewards N(0, 1), done with probability 0.2. Caller owns them. */
function regressionBatch(rng: Rng): AgentBatch[] {
  const matrix = (rows: number, dim: number, draw: () => number) =>
    tf.tensor2d(Float32Array.from({ length: rows * dim }, draw), [rows, dim]);
  return OBS_DIMS.map((obsDim, i) => ({
    obs: matrix(ROWS, obsDim, () => rng.normal()),
    acts: matrix(ROWS, ACT_DIMS[i], () => rng.range(-1, 1)),
    rews: matrix(ROWS, 1, () => rng.normal()),
    nextObs: matrix(ROWS, obsDim, () => rng.normal()),
    dones: matrix(ROWS, 1, () => (rng.uniform() < 0.2 ? 1 : 0)),
  }));
}

function stateBatch(rng: Rng): StateBatch {
  const matrix = () => tf.tensor2d(Float32Array.from({ length: ROWS * STATE_DIM }, () => rng.normal()), [ROWS, STATE_DIM]);
  return { states: matrix(), nextStates: matrix() };
}

type Update = (batch: AgentBatch[], rng: Rng) => Record<string, number>;

interface RegressionCase {
  name: string;
  /** Builds the learner from its init stream; returns one update and a disposer. */
  create(rng: Rng): { update: Update; dispose(): void };
}

function algorithmCase<C>(name: string, def: AlgorithmDef<C>, overrides: Partial<C>): RegressionCase {
  return {
    name,
    create(rng) {
      const agent = def.create(space, { ...def.defaults, ...overrides } as C, rng);
      return { update: (batch) => agent.update(batch), dispose: () => agent.dispose() };
    },
  };
}

function matd3Case(name: string, criticState: boolean): RegressionCase {
  return {
    name,
    create(rng) {
      const config = { ...MATD3_PRESETS.mpe, hidden: TINY, learningRate: 1e-3, batchSize: ROWS, criticState };
      const learners = createMatd3({ obsDims: OBS_DIMS, actDims: ACT_DIMS, stateDim: criticState ? STATE_DIM : undefined }, config, rng);
      return {
        update: (batch, batchRng) => {
          if (!criticState) return learners.update(batch);
          const states = stateBatch(batchRng);
          const losses = learners.update(batch, states);
          tf.dispose([states.states, states.nextStates]);
          return losses;
        },
        dispose: () => learners.dispose(),
      };
    },
  };
}

const tinyFlow = { hidden: TINY, batchSize: ROWS, learningRate: 1e-3 };

export const REGRESSION_CASES: RegressionCase[] = [
  algorithmCase('om2p', om2p, tinyFlow),
  algorithmCase('om2p[jvp]', om2p, { ...tinyFlow, derivative: 'jvp' }),
  algorithmCase('om2p[release,fd-central,min]', om2p, {
    ...tinyFlow, variant: 'release', derivative: 'fd-central', timeDistribution: 'logitNormal', criticAggregation: 'min', equalTimesFraction: 0.25,
  }),
  algorithmCase('flow', flow, tinyFlow),
  algorithmCase('fql', fql, { ...tinyFlow, flowSteps: 3 }),
  algorithmCase('diffusion', diffusion, { hidden: TINY, criticHidden: TINY, batchSize: ROWS, learningRate: 1e-3, steps: 3 }),
  algorithmCase('diffusion[ema,cql,relu]', diffusion, {
    hidden: TINY, criticHidden: TINY, batchSize: ROWS, learningRate: 1e-3, steps: 3, activation: 'relu', criticLayerNorm: false,
    emaStart: 0, emaEvery: 1, cqlAlpha: 1,
  }),
  algorithmCase('bc', bc, { hidden: TINY, batchSize: ROWS, learningRate: 1e-3 }),
  algorithmCase('bc[gelu]', bc, { hidden: TINY, batchSize: ROWS, learningRate: 1e-3, activation: 'gelu' }),
  algorithmCase('td3bc', td3bc, { hidden: TINY, batchSize: ROWS, learningRate: 1e-3 }),
  algorithmCase('td3bc[gelu,ln]', td3bc, { hidden: TINY, batchSize: ROWS, learningRate: 1e-3, activation: 'gelu', criticLayerNorm: true }),
  matd3Case('matd3', false),
  matd3Case('matd3[state]', true),
];

/** The losses of each of the first `REGRESSION_UPDATES` updates of one case, seed 0 (backend chosen by the caller). */
export function regressionLosses(c: RegressionCase): Record<string, number>[] {
  const rng = createRng(0);
  const learner = c.create(rng.fork('init'));
  const batches = rng.fork('batches');
  const history: Record<string, number>[] = [];
  for (let u = 0; u < REGRESSION_UPDATES; u++) {
    const batch = regressionBatch(batches);
    history.push(learner.update(batch, batches));
    tf.dispose(batch.flatMap((b) => Object.values(b)));
  }
  learner.dispose();
  return history;
}
