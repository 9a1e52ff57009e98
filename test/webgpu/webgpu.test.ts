/**
 * The GPU path on tfjs' WebGPU backend (Dawn): the update-regression fixture, every algorithm acting in both
 * environments' evaluation, and the asynchronous read-back, on whatever adapter `--backend webgpu` would choose (in CI
 * Dawn's OpenGL ES backend on Mesa's llvmpipe). Skipped, saying why, where no adapter can be opened; CI sets
 * OM2P_REQUIRE_WEBGPU=1, which turns that into a failure.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { read, readAndDispose, readScalars } from '../../algorithms/nn/readback.ts';
import { gpuBytesHighWater } from '../../harness/webgpu.ts';
import { resolveAlgorithmConfig } from '../../harness/resolve.ts';
import { createRng } from '../../contracts/rng.ts';
import { createEnvironment } from '../../harness/run/episodes.ts';
import { evaluateEpisodes } from '../../harness/measure/evaluate.ts';
import type { AgentSpace, Environment } from '../../contracts/types.ts';
import { openWebgpu, useBackend } from '../helpers/backend.ts';
import { expectRecordedLosses } from '../helpers/update-regression-check.ts';
import { REGRESSION_CASES } from '../../harness/measure/update-regression.ts';

const adapter = await openWebgpu();

describe.skipIf(!adapter)('webgpu backend', () => {
  it('keeps tensors on the device and reads them back asynchronously, one stacked read for scalars', async () => {
    await useBackend('webgpu');
    const before = tf.memory().numTensors;
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[0.5], [-1]])));
    // A computed tensor lives in a GPU buffer: Node cannot read it synchronously (why the training loop never does).
    expect(() => product.dataSync()).toThrow();
    expect(Array.from((await read([product]))[0])).toEqual([-1.5, -2.5]);
    const scalars = { a: tf.scalar(1.5), b: tf.sum(product) as tf.Scalar, c: tf.tidy(() => tf.mean(tf.tensor1d([2, 4, 9])) as tf.Scalar) };
    expect(await readScalars(scalars)).toEqual({ a: 1.5, b: -4, c: 5 });
    expect((await readAndDispose([product]))[0]).toEqual(Float32Array.from([-1.5, -2.5]));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory()).toHaveProperty('numBytesInGPU');
  });

  it('measures the GPU high-water mark of a piece of work: two live N-float buffers at least, then the usual accounting again', async () => {
    await useBackend('webgpu');
    const n = 1 << 18;
    const usedBefore = (tf.backend() as unknown as { bufferManager: { numBytesUsed: number } }).bufferManager.numBytesUsed;
    const { value, peakBytes } = await gpuBytesHighWater(async () => {
      const a = tf.fill([n], 2);
      const b = tf.tidy(() => tf.add(a, 1)); // a and b on the GPU at once
      const total = tf.tidy(() => tf.sum(b));
      tf.dispose([a, b]);
      return (await readAndDispose([total]))[0][0];
    });
    expect(value).toBe(3 * n);
    expect(peakBytes).toBeGreaterThanOrEqual(usedBefore + 2 * 4 * n);
    expect(Object.hasOwn((tf.backend() as unknown as { bufferManager: object }).bufferManager, 'acquireBuffer')).toBe(false);
    await useBackend('cpu');
    expect((await gpuBytesHighWater(async () => 1)).peakBytes).toBeUndefined();
  });

  describe('losses of the first updates equal the recorded pre-optimisation run (cpu) within the fixture bound', () => {
    for (const c of REGRESSION_CASES) {
      it(c.name, async () => {
        await useBackend('webgpu');
        await expectRecordedLosses(c);
      });
    }
  });

  /**
   * Evaluation returns of a freshly initialised agent on `backend` (deterministic actions, fixed reset seeds) over the
   * first `steps` steps of each episode: HalfCheetah's contacts are chaotic, and within 100 of its 1000 steps a float32
   * rounding difference in one action has grown into a return a few percent apart (30 steps stay within 1e-4).
   */
  async function evaluationReturns(backend: 'cpu' | 'webgpu', algorithm: string, envName: string, episodes: number, steps: number): Promise<number[]> {
    await useBackend(backend);
    const full = await createEnvironment(envName, {}, episodes);
    const env: Environment = {
      spec: { ...full.spec, episodeLength: Math.min(steps, full.spec.episodeLength) },
      batch: full.batch,
      reset: (seeds) => full.reset(seeds),
      step: (actions) => full.step(actions),
      getState: () => full.getState(),
      setState: (state) => full.setState(state),
      dispose: () => full.dispose(),
    };
    const spec = env.spec;
    const obsDims = spec.learnedAgents.map((i) => spec.obsDims[i]);
    const space: AgentSpace = {
      obsDims,
      actDims: spec.learnedAgents.map((i) => spec.actDims[i]),
      obsMean: obsDims.map((d) => new Float32Array(d)),
      obsStd: obsDims.map((d) => new Float32Array(d).fill(1)),
    };
    const { def, config } = resolveAlgorithmConfig(algorithm, 'cpu', { hidden: [32, 32] });
    const agent = def.create(space, config, createRng(5).fork('init'));
    try {
      return (await evaluateEpisodes(env, agent, createRng(6), true)).returns;
    } finally {
      agent.dispose();
      env.dispose();
    }
  }

  const cases = [
    ...['om2p', 'flow', 'fql', 'diffusion', 'bc', 'td3bc'].map((algorithm) => ({ algorithm, env: 'simple_spread', episodes: 3, steps: 25 })),
    { algorithm: 'om2p', env: 'halfcheetah-2x3', episodes: 2, steps: 30 },
  ];
  for (const { algorithm, env, episodes, steps } of cases) {
    it(`${algorithm} acts through ${env}'s evaluation as on the cpu backend`, async () => {
      const gpu = await evaluationReturns('webgpu', algorithm, env, episodes, steps);
      const cpu = await evaluationReturns('cpu', algorithm, env, episodes, steps);
      expect(gpu.length).toBe(episodes);
      // The same network and reset seeds: the returns differ only by float32 rounding carried through the episode.
      gpu.forEach((r, k) => expect(Math.abs(r - cpu[k]), `episode ${k}: ${r} vs ${cpu[k]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(cpu[k]))));
    });
  }
});
