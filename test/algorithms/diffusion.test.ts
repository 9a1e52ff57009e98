import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { diffusion, sampleActions, vpSchedule, type DiffusionConfig, type NoiseNet } from '../../algorithms/diffusion.ts';
import { createRng } from '../../contracts/rng.ts';
import { useBackend } from '../helpers/backend.ts';
import { describeAlgorithmContract } from '../helpers/algorithm-contract.ts';
import { actionsAtObs, banditBatch, OBS, singleAgentSpace, train } from '../helpers/synthetic-batches.ts';

const small: Partial<DiffusionConfig> = {
  hidden: [64, 64],
  criticHidden: [64, 64],
  learningRate: 1e-3,
  batchSize: 64,
};

describe('VP schedule, T = 5 (spec §4.2)', () => {
  const s = vpSchedule(5);
  // α_k = exp(−0.1/5 − ½·9.9·(2k − 1)/25) = exp(−0.02 − 0.198·(2k − 1)), evaluated by hand:
  const alpha = [Math.exp(-0.218), Math.exp(-0.614), Math.exp(-1.01), Math.exp(-1.406), Math.exp(-1.802)];
  it('α_k matches the formula (α_1 = e^−0.218 ≈ 0.804125, α_5 = e^−1.802 ≈ 0.164969)', () => {
    alpha.forEach((a, i) => expect(s.alpha[i]).toBeCloseTo(a, 12));
    expect(s.alpha[0]).toBeCloseTo(0.804125, 6);
    expect(s.alpha[4]).toBeCloseTo(0.164969, 6);
    alpha.forEach((a, i) => expect(s.beta[i]).toBeCloseTo(1 - a, 12));
  });
  it('ᾱ_k has the closed form exp(−0.02k − 0.198k²) (Σ_{j≤k}(2j − 1) = k²)', () => {
    for (let k = 1; k <= 5; k++) expect(s.alphaBar[k - 1]).toBeCloseTo(Math.exp(-0.02 * k - 0.198 * k * k), 12);
    expect(s.alphaBar[1]).toBeCloseTo(0.435178, 6);
    expect(s.alphaBar[4]).toBeCloseTo(0.006409, 6);
    expect(s.alphaBarPrev[0]).toBe(1);
  });
  it('at k = 1 the posterior is the clipped x̂_0 itself: β̃_1 = 0, σ_1 = 1e-10, c1 = 1, c2 = 0', () => {
    expect(s.posteriorVariance[0]).toBeCloseTo(0, 12);
    expect(s.sigma[0]).toBeCloseTo(1e-10, 20);
    expect(s.c1[0]).toBeCloseTo(1, 12);
    expect(s.c2[0]).toBeCloseTo(0, 12);
  });
  it('β̃, c1, c2 at k = 2 and k = 5 match hand-computed values', () => {
    // k = 2: β̃ = 0.458818·(1 − 0.804125)/(1 − 0.435178), c1 = 0.458818·√0.804125/0.564822,
    //        c2 = 0.195875·√0.541182/0.564822
    expect(s.posteriorVariance[1]).toBeCloseTo(0.159114, 5);
    expect(s.c1[1]).toBeCloseTo(0.728435, 5);
    expect(s.c2[1]).toBeCloseTo(0.255116, 5);
    expect(s.posteriorVariance[4]).toBeCloseTo(0.807766, 5);
    expect(s.c1[4]).toBeCloseTo(0.165654, 5);
    expect(s.c2[4]).toBeCloseTo(0.392901, 5);
    expect(s.sigma[4]).toBeCloseTo(Math.sqrt(0.807766), 5);
  });
  it('the posterior mean maps the noise-free point √ᾱ_k·x0 to √ᾱ_{k−1}·x0: c1_k + c2_k·√ᾱ_k = √ᾱ_{k−1}', () => {
    // With x_k = √ᾱ_k x0 (ε = 0), the DDPM posterior mean is exactly √ᾱ_{k−1} x0.
    for (let i = 0; i < 5; i++) expect(s.c1[i] + s.c2[i] * Math.sqrt(s.alphaBar[i])).toBeCloseTo(Math.sqrt(s.alphaBarPrev[i]), 12);
  });
});

describeAlgorithmContract({
  def: diffusion,
  // Every option on, so the EMA, CQL and best-of-N paths are checked for leaks and determinism too; T = 3 and tiny
  // networks keep it fast.
  config: {
    ...small,
    ...{ steps: 3, hidden: [16, 16], criticHidden: [16, 16], activation: 'relu' },
    ...{ emaStart: 0, emaEvery: 1, cqlAlpha: 1, evalSamples: 4 },
  },
  space: singleAgentSpace(2),
  makeBatch: (rng) => banditBatch(rng, 16, [0.6, -0.4]),
  typedKey: 'eta',
});

/**
 * An oracle ε-net: the exact E[ε | x_k] = (x − √ᾱ_k·E[a | x_k]) / √(1 − ᾱ_k) for the data whose posterior mean
 * E[a | x_k] is `expectedAction`. The step table carries ᾱ_k in its first column so the oracle can read it from the
 * ε-net's input [o, x, step].
 */
function oracleNet(alphaBar: number[], expectedAction: (x: tf.Tensor2D, ab: tf.Tensor2D) => tf.Tensor2D): NoiseNet {
  const obsDim = 3;
  return {
    variables: [],
    stepEmbedding: {
      forward: () => tf.concat([tf.tensor2d(alphaBar, [alphaBar.length, 1]), tf.zeros([alphaBar.length, 15])], 1) as tf.Tensor2D,
    },
    eps: {
      forward: (input) =>
        tf.tidy(() => {
          const x = tf.slice(input, [0, obsDim], [-1, 1]) as tf.Tensor2D;
          const ab = tf.slice(input, [0, obsDim + 1], [-1, 1]) as tf.Tensor2D;
          return tf.div(tf.sub(x, tf.mul(tf.sqrt(ab), expectedAction(x, ab))), tf.sqrt(tf.sub(1, ab))) as tf.Tensor2D;
        }),
    },
  };
}

describe('reverse chain with an oracle ε-net (T = 5)', () => {
  const s = vpSchedule(5);
  const obs = () => tf.tile(tf.tensor2d([OBS]), [2000, 1]) as tf.Tensor2D;

  it('returns a point mass exactly, from any start noise (x̂_0 = a at every step, c1_1 = 1, c2_1 = 0)', async () => {
    await useBackend('cpu');
    const net = oracleNet(s.alphaBar, (x) => tf.fill(x.shape, 0.5) as tf.Tensor2D);
    const a = tf.tidy(() => sampleActions(net, s, obs(), 1, createRng(2)).dataSync());
    for (const x of a) expect(x).toBeCloseTo(0.5, 4);
  });

  // An independent float64 simulation of this ideal sampler puts 39 % of samples within 0.3 of each mode and 12 % near 0.
  it('reproduces both modes ±0.8 of the data', async () => {
    await useBackend('cpu');
    const m = 0.8; // actions ±m with probability ½ each: E[a | x_k] = m·tanh(x·√ᾱ_k·m / (1 − ᾱ_k))
    const net = oracleNet(s.alphaBar, (x, ab) =>
      tf.mul(m, tf.tanh(tf.div(tf.mul(x, tf.mul(tf.sqrt(ab), m)), tf.sub(1, ab)))) as tf.Tensor2D,
    );
    const a = Array.from(tf.tidy(() => sampleActions(net, s, obs(), 1, createRng(2)).dataSync()));
    const near = (c: number) => a.filter((x) => Math.abs(x - c) < 0.3).length / a.length;
    expect(near(m)).toBeGreaterThan(0.33);
    expect(near(-m)).toBeGreaterThan(0.33);
    expect(near(0)).toBeLessThan(0.17);
  });
});

describe('diffusion policy behaviour', () => {
  it('η > 0 moves the policy toward a* on a one-step bandit; η = 0 imitates the uniform data', async () => {
    await useBackend('wasm');
    const aStar = [0.6, -0.4];
    const tiny: Partial<DiffusionConfig> = {
      hidden: [32, 32],
      criticHidden: [32, 32],
      activation: 'mish',
      criticLayerNorm: false,
      learningRate: 3e-3,
      batchSize: 32,
    };
    const meanSquaredDistance = async (eta: number) => {
      const rng = createRng(9);
      const agent = diffusion.create(singleAgentSpace(2), { ...diffusion.defaults, ...tiny, eta }, rng.fork('init'));
      const batches = rng.fork('batches');
      await train(agent, 100, () => banditBatch(batches, 32, aStar));
      const a = await actionsAtObs(agent, 200, false);
      let sum = 0;
      for (let r = 0; r < 200; r++) sum += (a[2 * r] - aStar[0]) ** 2 + (a[2 * r + 1] - aStar[1]) ** 2;
      agent.dispose();
      return sum / 200;
    };
    // Uniform actions on [−1, 1]² are at E‖a − a*‖² = 2/3 + 0.6² + 0.4² ≈ 1.19 from a*.
    const imitation = await meanSquaredDistance(0);
    const improved = await meanSquaredDistance(1);
    expect(imitation).toBeGreaterThan(0.8);
    expect(improved).toBeLessThan(0.6 * imitation);
  });
});
