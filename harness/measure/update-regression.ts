/**
 * The update regression: the first updates of every algorithm on fixed synthetic data (two agents of different sizes, tiny
 * networks), covering every network path (ReLU/GELU/Mish, LayerNorm, tanh outputs, fd/jvp derivatives, EMA, CQL, delayed
 * actors, state critics). Recorded once on the cpu backend before the speed work (test/fixtures/update-losses.json, by
 * test/fixtures/record-update-losses.ts); the same runs must still give the same losses within `RELATIVE`, so neither
 * a performance change nor another backend can change the maths unnoticed. The vitest test runs it on cpu;
 * `om2p-bench bench regression` runs it on any backend (a GPU node's webgpu), without vitest.
 */
import * as tf from '@tensorflow/tfjs';
import { behaviourLearner, getAlgorithm } from '../registry.ts';
import { readJsonFile } from '../files.ts';
import { UPDATE_LOSSES_FIXTURE } from '../../contracts/package-files.ts';
import { createRng, type Rng } from '../../contracts/rng.ts';
import type { AgentBatch, AgentSpace, AlgorithmDef, StateBatch } from '../../contracts/types.ts';

export const REGRESSION_UPDATES = 20;

/**
 * The fixture's bound: 1e-3 relative, with an absolute floor of 1e-6 for values that are themselves near zero, where
 * float32 reordering alone exceeds a relative bound.
 */
export const RELATIVE = 1e-3;
export const ABSOLUTE_FLOOR = 1e-6;

/** Recorded losses by case name: per update, loss name → value. */
export type RecordedLosses = Record<string, Record<string, number>[]>;

/** The losses recorded before the speed work (test/fixtures/update-losses.json, or `file`), per case. */
export function recordedLosses(file = UPDATE_LOSSES_FIXTURE): RecordedLosses {
  return readJsonFile(file, 'update-loss fixture') as RecordedLosses;
}
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

type Update = (batch: AgentBatch[], rng: Rng) => Promise<Record<string, number>>;

export interface RegressionCase {
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
      const config = { ...behaviourLearner.presets.mpe, hidden: TINY, learningRate: 1e-3, batchSize: ROWS, criticState };
      const learners = behaviourLearner.create({ obsDims: OBS_DIMS, actDims: ACT_DIMS, stateDim: criticState ? STATE_DIM : undefined }, config, rng);
      return {
        update: async (batch, batchRng) => {
          if (!criticState) return learners.update(batch);
          const states = stateBatch(batchRng);
          const losses = await learners.update(batch, states);
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
  algorithmCase('om2p', getAlgorithm('om2p'), tinyFlow),
  algorithmCase('om2p[jvp]', getAlgorithm('om2p'), { ...tinyFlow, derivative: 'jvp' }),
  algorithmCase('om2p[release,fd-central,min]', getAlgorithm('om2p'), {
    ...tinyFlow, variant: 'release', derivative: 'fd-central', timeDistribution: 'logitNormal', criticAggregation: 'min', equalTimesFraction: 0.25,
  }),
  algorithmCase('flow', getAlgorithm('flow'), tinyFlow),
  algorithmCase('fql', getAlgorithm('fql'), { ...tinyFlow, flowSteps: 3 }),
  algorithmCase('diffusion', getAlgorithm('diffusion'), { hidden: TINY, criticHidden: TINY, batchSize: ROWS, learningRate: 1e-3, steps: 3 }),
  algorithmCase('diffusion[ema,cql,relu]', getAlgorithm('diffusion'), {
    hidden: TINY, criticHidden: TINY, batchSize: ROWS, learningRate: 1e-3, steps: 3, activation: 'relu', criticLayerNorm: false,
    emaStart: 0, emaEvery: 1, cqlAlpha: 1,
  }),
  algorithmCase('bc', getAlgorithm('bc'), { hidden: TINY, batchSize: ROWS, learningRate: 1e-3 }),
  algorithmCase('bc[gelu]', getAlgorithm('bc'), { hidden: TINY, batchSize: ROWS, learningRate: 1e-3, activation: 'gelu' }),
  algorithmCase('td3bc', getAlgorithm('td3bc'), { hidden: TINY, batchSize: ROWS, learningRate: 1e-3 }),
  algorithmCase('td3bc[gelu,ln]', getAlgorithm('td3bc'), { hidden: TINY, batchSize: ROWS, learningRate: 1e-3, activation: 'gelu', criticLayerNorm: true }),
  matd3Case('matd3', false),
  matd3Case('matd3[state]', true),
];

/** The losses of each of the first `REGRESSION_UPDATES` updates of one case, seed 0 (backend chosen by the caller). */
export async function regressionLosses(c: RegressionCase): Promise<Record<string, number>[]> {
  const rng = createRng(0);
  const learner = c.create(rng.fork('init'));
  const batches = rng.fork('batches');
  const history: Record<string, number>[] = [];
  for (let u = 0; u < REGRESSION_UPDATES; u++) {
    const batch = regressionBatch(batches);
    history.push(await learner.update(batch, batches));
    tf.dispose(batch.flatMap((b) => Object.values(b)));
  }
  learner.dispose();
  return history;
}

/** How far one case's run is from its recorded losses. */
export interface CaseDeviation {
  name: string;
  /** Largest |actual − recorded| / |recorded| over every update and loss. */
  worstRelative: number;
  /** Where that is: `<loss> at update <k>`. */
  worstAt: string;
  /** Each value outside max(RELATIVE·|recorded|, ABSOLUTE_FLOOR), or a loss missing or added, as one line. */
  failures: string[];
}

/** Compares one case's losses with the recorded ones. */
export function caseDeviation(name: string, actual: Record<string, number>[], recorded: Record<string, number>[] | undefined): CaseDeviation {
  const deviation: CaseDeviation = { name, worstRelative: 0, worstAt: '', failures: [] };
  if (!recorded) return { ...deviation, failures: [`no recorded losses for ${name}`] };
  if (actual.length !== recorded.length) deviation.failures.push(`${actual.length} updates, ${recorded.length} recorded`);
  recorded.forEach((want, k) => {
    const got = actual[k] ?? {};
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const key of keys) {
      const at = `${key} at update ${k + 1}`;
      if (!(key in got) || !(key in want)) {
        deviation.failures.push(`${at}: ${key in got ? 'not recorded' : 'missing'}`);
        continue;
      }
      const error = Math.abs(got[key] - want[key]);
      const relative = want[key] === 0 ? (error === 0 ? 0 : Infinity) : error / Math.abs(want[key]);
      if (!(relative <= deviation.worstRelative)) Object.assign(deviation, { worstRelative: relative, worstAt: at });
      if (!(error <= Math.max(RELATIVE * Math.abs(want[key]), ABSOLUTE_FLOOR))) deviation.failures.push(`${at}: ${got[key]} vs ${want[key]}`);
    }
  });
  return deviation;
}
