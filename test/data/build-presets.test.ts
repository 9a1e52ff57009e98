/** Dataset presets come from each environment's declaration, resolved against the behaviour learner's presets. */
import { describe, expect, it } from 'vitest';
import { buildPreset } from '../../harness/data/build-presets.ts';
import { registerEnvironment } from '../../harness/registry.ts';

describe('dataset presets', () => {
  it("resolve an environment's declared preset into transitions, budget and the MATD3 config (spec §3.1 generator defaults)", () => {
    const smoke = buildPreset('simple_tag', 'smoke');
    expect(smoke.transitions).toBe(1_000);
    expect(smoke.matd3).toEqual({
      hidden: [64, 64], learningRate: 0.01, discount: 0.95, targetUpdateRate: 0.01, batchSize: 128,
      explorationNoise: 0.1, targetNoise: 0.2, targetNoiseClip: 0.5, policyDelay: 2, actionPenalty: 1e-3,
    });
    const cheetah = buildPreset('halfcheetah-2x3', 'quick');
    expect(cheetah.budget).toMatchObject({ updates: 120_000, learningStarts: 25_000, randomBehaviour: 'uniform' });
    expect(cheetah.matd3).toMatchObject({ hidden: [256, 256], learningRate: 3e-4, discount: 0.99, batchSize: 256, criticState: true });
  });

  it('an environment that declares none cannot be built, and says so instead of borrowing another family\'s', () => {
    registerEnvironment({ name: 'no-presets', description: 'test', defaults: {}, schema: { type: 'object' }, create: () => Promise.reject(new Error('unused')) });
    expect(() => buildPreset('no-presets', 'quick')).toThrow('environment no-presets declares no dataset presets (EnvironmentDef.datasetPresets): its datasets can be imported, not built');
    expect(() => buildPreset('simple_spread', 'huge')).toThrow("unknown dataset preset 'huge' (choose one of smoke, quick, paper)");
  });
});
