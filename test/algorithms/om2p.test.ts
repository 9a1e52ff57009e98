import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import { createMlp } from '../../algorithms/nn/mlp.ts';
import { saveWeights } from '../../algorithms/nn/weights.ts';
import { meanFlowPoint, meanFlowTarget, om2p, sampleTimePairs, type Om2pConfig } from '../../algorithms/om2p.ts';
import { useBackend } from '../helpers/backend.ts';
import { banditDistance, bimodalBatch, leakPerUpdate, sameSeedLossesTwice, sampleActions, train } from './flow-fixtures.ts';

const small: Partial<Om2pConfig> = { hidden: [64, 64], batchSize: 128, learningRate: 3e-3 };

describe('om2p config', () => {
  it('accepts the cpu and paper presets and rejects unknown or ill-typed keys', () => {
    expect(validationErrors(om2p.schema, om2p.defaults)).toEqual([]);
    expect(validationErrors(om2p.schema, { ...om2p.defaults, ...om2p.presets.paper })).toEqual([]);
    expect(validationErrors(om2p.schema, { ...om2p.defaults, etaa: 1 })).toEqual([{ path: '/etaa', reason: 'unknown key' }]);
    expect(validationErrors(om2p.schema, { ...om2p.defaults, derivative: 'exact' })[0].path).toBe('/derivative');
    expect(validationErrors(om2p.schema, { ...om2p.defaults, fdStep: 0 })[0].path).toBe('/fdStep');
  });
});

describe('om2p time pairs', () => {
  const n = 20_000;
  const draw = (overrides: Partial<Om2pConfig>) => sampleTimePairs(createRng(3), n, { ...om2p.defaults, ...overrides });
  const avg = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;

  it('exp (release: unsorted) has E[r] = s(1 − e^(−1/s)) and E[t] = 1 − E[r]', () => {
    const { r, t } = draw({ variant: 'release', timeScale: 0.2 });
    expect(avg(r)).toBeCloseTo(0.2 * (1 - Math.exp(-5)), 2);
    expect(avg(t)).toBeCloseTo(1 - 0.2 * (1 - Math.exp(-5)), 2);
  });

  it('consistent pairs are sorted; uniform then has E[r] = 1/3, E[t] = 2/3', () => {
    const { r, t } = draw({ timeDistribution: 'uniform' });
    expect(r.every((v, k) => v <= t[k])).toBe(true);
    expect(avg(r)).toBeCloseTo(1 / 3, 2);
    expect(avg(t)).toBeCloseTo(2 / 3, 2);
  });

  it('beta(2, 5) (release) has mean 2/7 and variance 10/392; logit-normal(0, 1) has mean 1/2', () => {
    const { r } = draw({ variant: 'release', timeDistribution: 'beta', betaA: 2, betaB: 5 });
    expect(avg(r)).toBeCloseTo(2 / 7, 2);
    expect(avg(r.map((v) => (v - 2 / 7) ** 2))).toBeCloseTo(10 / 392, 3);
    expect(avg(draw({ variant: 'release', timeDistribution: 'logitNormal' }).t)).toBeCloseTo(0.5, 2);
  });

  it('exp s = 0.2 sorted (the default) has P(t − r < 0.1) ≈ 3.9 %, from the exponential densities', () => {
    // r = min(0.2x, 1), t = 1 − min(0.2y, 1) with x, y ~ Exp(1); sorted, t − r = |1 − a − b| for a = min(0.2x, 1), b = min(0.2y, 1).
    // P(0.9 < a + b < 1.1) = ∫ P_b(0.9 − a < b < 1.1 − a) dP(a): b has P(b < v) = 1 − e^(−5v) on (0, 1], 1 above (an atom at 1).
    const below = (v: number) => (v <= 0 ? 0 : v > 1 ? 1 : 1 - Math.exp(-5 * v));
    const inWindow = (a: number) => below(1.1 - a) - below(0.9 - a);
    const steps = 200_000;
    let p = Math.exp(-5) * inWindow(1); // x ≥ 5: a = 1
    for (let k = 0; k < steps; k++) {
      const x = (5 * (k + 0.5)) / steps;
      p += Math.exp(-x) * inWindow(0.2 * x) * (5 / steps);
    }
    expect(p).toBeCloseTo(0.039, 3);
    const { r, t } = draw({});
    expect(r.every((v, k) => v <= t[k])).toBe(true);
    expect(Math.abs(r.filter((v, k) => t[k] - v < 0.1).length / n - p)).toBeLessThan(0.005); // se ≈ 0.0014
  });

  it('uniform with timeOrder independent (the release\'s times, consistent point) has E[r] = E[t] = 1/2, variance 1/12, half the pairs r > t', () => {
    const { r, t } = draw({ timeDistribution: 'uniform', timeOrder: 'independent' });
    for (const x of [r, t]) {
      expect(avg(x)).toBeCloseTo(0.5, 2);
      expect(avg(x.map((v) => (v - 0.5) ** 2))).toBeCloseTo(1 / 12, 2);
    }
    expect(r.filter((v, k) => v > t[k]).length / n).toBeCloseTo(0.5, 1);
    // and timeOrder sorted sorts a release pair too
    const sorted = draw({ variant: 'release', timeDistribution: 'uniform', timeOrder: 'sorted' });
    expect(sorted.r.every((v, k) => v <= sorted.t[k])).toBe(true);
  });

  it('logit-normal (0.4, 1) sorted: the medians of min and max are sigmoid(0.4 + Φ⁻¹(1 − 1/√2)) and sigmoid(0.4 + Φ⁻¹(1/√2))', () => {
    // P(min ≤ x) = 1 − (1 − F(x))² = 1/2 ⇔ F(x) = 1 − 1/√2 = 0.29289, Φ⁻¹(0.29289) = −0.54490; the max symmetrically.
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const median = (x: Float32Array) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
    const { r, t } = draw({ timeDistribution: 'logitNormal', logitNormalMean: 0.4, logitNormalStd: 1, timeOrder: 'sorted' });
    expect(median(r)).toBeCloseTo(sigmoid(0.4 - 0.5449), 2);
    expect(median(t)).toBeCloseTo(sigmoid(0.4 + 0.5449), 2);
  });

  it('equalTimesFraction f makes a fraction f of pairs equal for every distribution of the sampler sweep, none at 0', () => {
    const distributions: Partial<Om2pConfig>[] = [
      {},
      { timeDistribution: 'uniform' },
      { timeDistribution: 'uniform', timeOrder: 'independent' },
      { timeDistribution: 'logitNormal', logitNormalMean: 0.4, logitNormalStd: 1 },
    ];
    for (const distribution of distributions) {
      for (const f of [0, 0.25, 0.5, 0.75]) {
        const { r, t } = draw({ ...distribution, equalTimesFraction: f });
        const equal = r.filter((v, k) => v === t[k]).length / n;
        if (f === 0) expect(equal).toBe(0);
        else expect(Math.abs(equal - f)).toBeLessThan(0.015); // se ≤ 0.0035
      }
    }
  });

  it('equalTimesFraction 0.75 makes about 3 in 4 pairs equal, keeping the point time r', () => {
    const { r, t } = draw({ equalTimesFraction: 0.75 });
    const equal = r.filter((v, k) => v === t[k]).length / n;
    expect(equal).toBeGreaterThan(0.73);
    expect(equal).toBeLessThan(0.77);
    expect(avg(r)).toBeCloseTo(avg(draw({}).r), 1);
  });
});

/** Plain float64 forward of a GELU MLP (no LayerNorm) from saved weights: the independent reference. */
function forward64(weights: Awaited<ReturnType<typeof saveWeights>>, name: string, x: number[]): number[] {
  const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  let h = x;
  for (let l = 0; weights[`${name}/l${l}/w`]; l++) {
    const { shape, values } = weights[`${name}/l${l}/w`];
    const b = weights[`${name}/l${l}/b`].values;
    const out = Array.from({ length: shape[1] }, (_, j) => b[j] + h.reduce((s, hv, i) => s + hv * values[i * shape[1] + j], 0));
    h = weights[`${name}/l${l + 1}/w`] ? out.map(gelu) : out;
  }
  return h;
}

describe('om2p mean-flow target', () => {
  // Rows with |t − r| ≥ 0.2 so that D = (target − v)/(t − r) is well conditioned.
  const o = [[0.5, -0.5], [1.0, 0.3], [-0.2, 0.7]];
  const a = [[0.6, -0.1], [-0.4, 0.9], [0.1, 0.2]];
  const eps = [[-1.2, 0.4], [0.3, -0.8], [1.5, 0.9]];
  const r = [0.1, 0.3, 0.05];
  const t = [0.8, 0.9, 0.6];

  for (const variant of ['consistent', 'release'] as const) {
    it(`${variant}: jvp matches a float64 central difference along the path and fd (h = 1e-3) agrees within 1e-2`, async () => {
      await useBackend('cpu');
      const net = createMlp({ inputDim: 6, hidden: [32, 32], outputDim: 2, activation: 'gelu' }, createRng(11), 'u');
      const tensors = [o, a, eps].map((m) => tf.tensor2d(m)) as tf.Tensor2D[];
      const [rT, tT] = [r, t].map((c) => tf.tensor2d(c, [3, 1])) as tf.Tensor2D[];
      const derivativeOf = (derivative: 'jvp' | 'fd' | 'zero') =>
        meanFlowTarget(net, meanFlowPoint(tensors[0], tensors[1], tensors[2], rT, tT, variant), rT, tT, { derivative, fdStep: 1e-3, variant }).arraySync();
      const [jvp, fd, zero] = [derivativeOf('jvp'), derivativeOf('fd'), derivativeOf('zero')];
      const weights = await saveWeights(net.variables);
      const h = 1e-5;
      for (let k = 0; k < 3; k++) {
        const v = a[k].map((ak, j) => ak - eps[k][j]);
        const p = variant === 'consistent' ? r[k] : t[k];
        // u at the point x_p = (1 − p)ε + p·a moved along the path: x → x + s·v and the point's time p → p + s.
        const u = (s: number) => {
          const x = eps[k].map((e, j) => (1 - p) * e + p * a[k][j] + s * v[j]);
          const [rs, ts] = variant === 'consistent' ? [r[k] + s, t[k]] : [r[k], t[k] + s];
          return forward64(weights, 'u', [...o[k], ...x, rs, ts]);
        };
        const d64 = u(h).map((up, j) => (up - u(-h)[j]) / (2 * h));
        const dOf = (target: number[][]) => target[k].map((y, j) => (y - v[j]) / (t[k] - r[k]));
        expect(zero[k][0]).toBeCloseTo(v[0], 6);
        const norm = Math.hypot(...d64);
        expect(Math.hypot(...dOf(jvp).map((dj, j) => dj - d64[j])) / norm).toBeLessThan(1e-3);
        expect(Math.hypot(...dOf(fd).map((dj, j) => dj - dOf(jvp)[j])) / norm).toBeLessThan(1e-2);
      }
    });
  }
});

describe('om2p acting', () => {
  for (const variant of ['consistent', 'release'] as const) {
    it(`${variant}: noise-free acting is the one-step path from ε = 0, clip(${variant === 'consistent' ? '0 + ' : ''}u(o, 0, 0, 1)) by a float64 forward`, async () => {
      await useBackend('cpu');
      const space = { obsDims: [3], actDims: [2], obsMean: [new Float32Array(3)], obsStd: [new Float32Array(3).fill(1)] };
      const agent = om2p.create(space, { ...om2p.defaults, hidden: [32, 32], variant }, createRng(4));
      const obs = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1], [1.5, 1.5, -2.5]];
      const flat = Float32Array.from(obs.flat());
      const weights = await agent.save();
      const expected = obs.map((o) => forward64(weights, 'agent0/actor', [...o, 0, 0, 0, 1]).map((u) => Math.min(1, Math.max(-1, u))));
      const [first, second] = [Array.from((await agent.act([flat], { deterministic: true }))[0]), Array.from((await agent.act([flat], { deterministic: true }))[0])];
      expect(second).toEqual(first);
      first.forEach((a, i) => expect(a).toBeCloseTo(expected[Math.floor(i / 2)][i % 2], 5));
      // fresh noise moves the actions
      expect(Array.from((await agent.act([flat], { deterministic: false }))[0])).not.toEqual(first);
      agent.dispose();
    });
  }
});

describe('om2p training', () => {
  it('with η = 0 one-step samples cover both modes of a bimodal dataset, with a dip in between', async () => {
    await useBackend('wasm');
    // Uniform times with half the pairs r = t anchor the mean flow at its boundary u(x, r, r) = v; the default `exp` times
    // (no r = t pairs) leave one-step samples unimodal after this short budget.
    const times = { timeDistribution: 'uniform', equalTimesFraction: 0.5 } as const;
    const { agent } = await train(om2p, { ...small, ...times, batchSize: 256, learningRate: 1e-2, eta: 0 }, bimodalBatch, 300);
    const x = (await sampleActions(agent, 1000, 2)).map((row) => row[0]);
    // Windows of equal width 0.5: a unimodal fit (e.g. N(0, 0.6²), the data's moments) puts more mass in the middle one.
    const within = (centre: number) => x.filter((v) => Math.abs(v - centre) < 0.25).length / x.length;
    for (const mode of [-0.6, 0.6]) {
      expect(within(mode)).toBeGreaterThan(0.2);
      expect(within(mode)).toBeGreaterThan(1.5 * within(0));
    }
    agent.dispose();
  });

  it('on a one-step bandit, η > 0 moves the mean action to within 0.3 of a* (the data mean is 0.86 away)', async () => {
    await useBackend('wasm');
    expect(await banditDistance(om2p, { ...small, eta: 1 }, [0.7, -0.5], 250)).toBeLessThan(0.3);
  });

  for (const derivative of ['fd', 'fd-central', 'jvp', 'zero'] as const) {
    it(`an update (derivative ${derivative}) and an action leave no tensors behind`, async () => {
      await useBackend('wasm');
      expect(await leakPerUpdate(om2p, { ...small, derivative })).toBe(0);
    });
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`the same seed gives identical losses twice on ${backend}`, async () => {
      await useBackend(backend);
      const [first, second] = await sameSeedLossesTwice(om2p, small);
      expect(first).toEqual(second);
      const keys = ['actor/loss', 'actor/mf', 'actor/q', 'actor/q_mean', 'critic/loss', 'critic/target_mean'];
      expect(Object.keys(first[0]).sort()).toEqual(keys);
      expect(first.every((l) => Object.values(l).every(Number.isFinite))).toBe(true);
    });
  }
});
