/**
 * Trained agents kept as `<cellId>.safetensors`: a cell writes one in the safetensors layout, it restores to an agent that
 * acts exactly as the trained one, `env rollout --policy <file>` refuses a stated variable that differs from the file, and
 * its `--record` episode is reproduced exactly by `env replay`. An agent in the JSON format of before (`*.weights.json`)
 * is read the same, and `agents convert` rewrites it without changing a bit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { rolloutRequest, type RolloutOptions } from '../../harness/commands/env.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { runCell } from '../../harness/run/cell.ts';
import { createEnvironment, replayEpisode, rollout } from '../../harness/run/episodes.ts';
import { convertLegacyPolicy, keepPoliciesIn, policyFile, readPolicyFile, restoreAgent, writePolicyFile, type PolicyFile } from '../../harness/run/policy-file.ts';
import { resolveAlgorithmConfig } from '../../harness/resolve.ts';
import { encodeSafetensors } from '../../harness/run/safetensors.ts';
import { readCellResults, weightsPath } from '../../harness/run/store.ts';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import type { CellSpec } from '../../contracts/types.ts';
import { checkSafetensorsLayout } from '../helpers/safetensors-layout.ts';

const root = mkdtempSync(join(tmpdir(), 'om2p-policy-'));
const dataDir = join(root, 'data');
const out = join(root, 'out');
// td3bc normalises observations with the dataset's statistics: the file must carry them for the agent to act the same
const spec: CellSpec = {
  algorithm: 'td3bc',
  config: { hidden: [16], batchSize: 16 },
  preset: 'cpu',
  env: 'simple_spread',
  envOptions: {},
  dataset: 'expert',
  datasetPreset: 'smoke',
  seed: 0,
  budget: { updates: 3, evalEvery: 3, episodes: 2 },
};
let file: PolicyFile;
let path: string;

beforeAll(async () => {
  await initBackend('wasm', () => undefined);
  await ensureDatasets({ env: 'simple_spread', envOptions: {}, levels: ['expert'], preset: 'smoke', seed: 0, dataDir, log: () => undefined });
  const result = await runCell(spec, { dataDir, onTrained: keepPoliciesIn(out) });
  expect(result.status).toBe('done');
  path = weightsPath(out, result.cellId);
  file = readPolicyFile(path);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `file` in the JSON format of before: the metadata fields, each tensor as its shape and float32 little-endian base64. */
const legacyJson = (policy: PolicyFile) =>
  JSON.stringify({
    ...policy,
    weights: Object.fromEntries(Object.entries(policy.weights).map(([name, { shape, values }]) => [name, { shape, float32: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') }])),
  });
const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

const rolloutOf = async (options: Partial<RolloutOptions>) => rollout(rolloutRequest({ policy: path, episodes: 3, seed: 5, ...options }));

describe('a finished cell keeps its agent', () => {
  it('records what rebuilds it: algorithm, resolved config, environment, agent space, every saved variable', () => {
    expect(file).toMatchObject({ algorithm: 'td3bc', preset: 'cpu', env: 'simple_spread', taskId: 'simple_spread[n=3]', seed: 0, updates: 3 });
    expect(file.config).toEqual(resolveAlgorithmConfig('td3bc', 'cpu', spec.config).config);
    // three spread agents: 18 observations, 2 actions each (spec §1.2)
    expect(file.space.obsDims).toEqual([18, 18, 18]);
    expect(file.space.actDims).toEqual([2, 2, 2]);
    expect(file.space.obsStd.map((s) => s.length)).toEqual([18, 18, 18]);
    expect(Object.keys(file.weights).some((name) => name.startsWith('agent2/'))).toBe(true);
    const { weights, ...metadata } = file;
    expect(validationErrors('om2p-bench/policy-metadata', metadata)).toEqual([]);
    // td3bc's actor of hidden [16]: 18 observations → 16 → 2 actions
    expect(weights['agent0/actor/l0/w'].shape).toEqual([18, 16]);
    expect(weights['agent0/actor/l1/w'].values).toHaveLength(16 * 2);
    // only the weights were written here (runCell writes no result file): the store takes them neither for a result nor
    // for a corrupt one (it would move them aside)
    expect(readCellResults(out)).toEqual({ results: new Map(), corrupt: [] });
  });

  it('is a safetensors file: the published layout, every variable a float32 tensor, the metadata as strings', () => {
    const layout = checkSafetensorsLayout(readFileSync(path));
    expect(Object.keys(layout.tensors).sort()).toEqual(Object.keys(file.weights).sort());
    expect(layout.tensors['agent0/actor/l0/w'].shape).toEqual([18, 16]);
    // text fields as they are, the others as their JSON
    expect(layout.metadata).toMatchObject({ algorithm: 'td3bc', preset: 'cpu', env: 'simple_spread', taskId: 'simple_spread[n=3]', seed: '0', updates: '3' });
    expect(JSON.parse(layout.metadata.config)).toEqual(file.config);
    expect(JSON.parse(layout.metadata.space).obsDims).toEqual([18, 18, 18]);
  });

  it('restores to an agent whose deterministic actions equal the original agent’s, bit for bit', async () => {
    const env = await createEnvironment('simple_spread', {}, 4);
    try {
      const { def, config } = resolveAlgorithmConfig('td3bc', 'cpu', spec.config);
      const space = {
        obsDims: file.space.obsDims,
        actDims: file.space.actDims,
        obsMean: file.space.obsMean.map((m) => Float32Array.from(m)),
        obsStd: file.space.obsStd.map((s) => Float32Array.from(s)),
      };
      const original = def.create(space, config, createRng(9));
      const trained = { cellId: file.cellId, spec, config, configHash: file.configHash, envOptions: {}, taskId: file.taskId, datasetSha256: '', space };
      const written = join(root, 'roundtrip.safetensors');
      writePolicyFile(written, await policyFile(trained, original));
      const restored = restoreAgent(readPolicyFile(written), env.spec, createRng(1), written);
      const obs = env.reset([1, 2, 3, 4]);
      const expected = await original.act(obs, { deterministic: true });
      expect(await restored.act(obs, { deterministic: true })).toEqual(expected);
      original.dispose();
      restored.dispose();
    } finally {
      env.dispose();
    }
  });
});

describe('env rollout --policy <weights>', () => {
  it('needs nothing but the file, and gives the same returns for the same seed', async () => {
    const a = await rolloutOf({});
    expect(a.taskId).toBe('simple_spread[n=3]');
    expect(a.returns).toHaveLength(3);
    expect((await rolloutOf({ algo: 'td3bc', env: 'simple_spread', networkPreset: 'cpu', set: ['hidden=[16]'] })).returns).toEqual(a.returns);
  });

  it.each([
    [{ algo: 'bc' }, /--algo: "bc" differs from the "td3bc"/],
    [{ env: 'simple_tag' }, /--env: "simple_tag" differs from the "simple_spread"/],
    [{ networkPreset: 'paper' as const }, /--network-preset: "paper" differs from the "cpu"/],
    [{ set: ['hidden=[32,32]'] }, /--set hidden: \[32,32\] differs from the \[16\]/],
    [{ option: ['numAgents=4'] }, /--option numAgents: 4 differs from the 3/],
  ])('refuses a stated variable that differs from the weights (%o), naming it', async (stated, message) => {
    await expect(rolloutOf(stated)).rejects.toThrow(message);
  });

  it('refuses weights whose sizes do not fit, naming the field', async () => {
    const name = Object.keys(file.weights)[0];
    const cut = JSON.parse(legacyJson(file));
    cut.weights[name].float32 = cut.weights[name].float32.slice(0, 8);
    const bad = join(root, 'cut.weights.json');
    writeFileSync(bad, JSON.stringify(cut));
    await expect(rolloutOf({ policy: bad, episodes: 1 })).rejects.toThrow(new RegExp(`/weights/${name}/float32: holds`));
    const reshaped = join(root, 'reshaped.safetensors');
    const matrix = file.weights['agent0/actor/l0/w'];
    writePolicyFile(reshaped, { ...file, weights: { ...file.weights, 'agent0/actor/l0/w': { shape: [16, 18], values: matrix.values } } });
    await expect(rolloutOf({ policy: reshaped, episodes: 1 })).rejects.toThrow(`${reshaped}: variable agent0/actor/l0/w: shape 18x16 but weights have 16x18`);
    const wider = join(root, 'wider.safetensors');
    writePolicyFile(wider, { ...file, envOptions: { numAgents: 4 } });
    await expect(rolloutOf({ policy: wider, episodes: 1 })).rejects.toThrow(/\/space\/obsDims: \[18,18,18\], but simple_spread\[n=4\]/);
  });

  it('names a weights file that is missing, not safetensors, not JSON, or whose metadata is incomplete', async () => {
    const missing = join(root, 'missing.safetensors');
    await expect(rolloutOf({ policy: missing })).rejects.toThrow(`no such file: ${missing} (policy file)`);
    const notSafetensors = join(root, 'text.safetensors');
    writeFileSync(notSafetensors, '{"cellId": "0123456789abcdef"}');
    await expect(rolloutOf({ policy: notSafetensors })).rejects.toThrow(new RegExp(`^${notSafetensors}: not a safetensors file: header length`));
    const broken = join(root, 'broken.weights.json');
    writeFileSync(broken, '{"cellId": ');
    await expect(rolloutOf({ policy: broken })).rejects.toThrow(new RegExp(`^${broken}: not valid JSON: `));
    const incomplete = join(root, 'incomplete.safetensors');
    writeFileSync(incomplete, encodeSafetensors({ tensors: file.weights, metadata: { cellId: file.cellId } }));
    await expect(rolloutOf({ policy: incomplete })).rejects.toThrow(new RegExp(`^${incomplete} __metadata__: .*algorithm`));
  });

  it('names the plugin it needs when the weights come from an algorithm not registered here', async () => {
    const foreign = join(root, 'foreign.safetensors');
    writePolicyFile(foreign, { ...file, algorithm: 'my-baseline' });
    await expect(rolloutOf({ policy: foreign, episodes: 1 })).rejects.toThrow(/\/algorithm: my-baseline is not registered here \(an algorithm from a plugin needs its --plugin\)/);
  });
});

describe('the JSON format of before', () => {
  it('is read as the same agent, and agents convert rewrites it as safetensors bit for bit, removing the JSON', async () => {
    const legacy = join(root, 'old.weights.json');
    writeFileSync(legacy, legacyJson(file));
    expect((await rolloutOf({ policy: legacy })).returns).toEqual((await rolloutOf({})).returns);
    const done = convertLegacyPolicy(legacy);
    expect(done.to).toBe(join(root, 'old.safetensors'));
    expect(existsSync(legacy)).toBe(false);
    // base64 JSON holds 4/3 bytes per weight byte; the metadata takes about as much room in both
    expect(done.bytesAfter).toBeLessThan(done.bytesBefore);
    const { weights, ...metadata } = readPolicyFile(done.to);
    const { weights: original, ...originalMetadata } = file;
    expect(metadata).toEqual(originalMetadata);
    expect(Object.keys(weights).sort()).toEqual(Object.keys(original).sort());
    for (const [name, { shape, values }] of Object.entries(original)) {
      expect(weights[name].shape).toEqual(shape);
      expect(bitsOf(weights[name].values)).toEqual(bitsOf(values));
    }
  });

  it('convert refuses a file that is not of the JSON format, naming it', () => {
    expect(() => convertLegacyPolicy(path)).toThrow(`${path}: (root): not a kept agent of the JSON format (its name should end in .weights.json)`);
  });
});

describe('env rollout --record, then env replay', () => {
  it('replays a saved policy’s first episode to the same evaluation return, exactly', async () => {
    const { episode, returns } = await rolloutOf({});
    const file = join(root, 'episode.json');
    writeFileSync(file, JSON.stringify(episode));
    const steps = await replayEpisode(JSON.parse(readFileSync(file, 'utf8')));
    expect(steps).toHaveLength(25);
    expect(steps.reduce((sum, step) => sum + step.evalReward, 0)).toBe(returns[0]);
    expect(episode.source).toEqual({ policy: path, seed: 5, return: returns[0] });
  });

  it.each([
    // the prey is not learned: its recorded actions replace its policy in the replay
    ['simple_tag', 25],
    ['halfcheetah-2x3', 1000],
  ])('replays a random-policy episode of %s exactly', async (env, length) => {
    const { episode, returns } = await rollout(rolloutRequest({ policy: 'random', env, episodes: 2, seed: 3 }));
    const steps = await replayEpisode(JSON.parse(JSON.stringify(episode)));
    expect(steps).toHaveLength(length);
    expect(steps.reduce((sum, step) => sum + step.evalReward, 0)).toBe(returns[0]);
  });
});
