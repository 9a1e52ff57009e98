/**
 * Trained agents kept as `<cellId>.weights.json`: a cell writes one, it restores to an agent that acts exactly as the
 * trained one, `env rollout --policy <file>` refuses a stated variable that differs from the file, and its `--record`
 * episode is reproduced exactly by `env replay`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { rolloutRequest, type RolloutOptions } from '../../harness/commands/env.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { runCell } from '../../harness/run/cell.ts';
import { createEnvironment, replayEpisode, rollout } from '../../harness/run/episodes.ts';
import { keepPoliciesIn, policyFile, readPolicyFile, restoreAgent, type PolicyFile } from '../../harness/run/policy-file.ts';
import { resolveAlgorithmConfig } from '../../harness/resolve.ts';
import { readCellResults, weightsPath } from '../../harness/run/store.ts';
import { createRng } from '../../contracts/rng.ts';
import { validationErrors } from '../../harness/schema.ts';
import type { CellSpec } from '../../contracts/types.ts';

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
    expect(validationErrors('om2p-bench/policy-weights', file)).toEqual([]);
    // only the weights were written here (runCell writes no result file): the store takes them neither for a result nor
    // for a corrupt one (it would move them aside)
    expect(readCellResults(out)).toEqual({ results: new Map(), corrupt: [] });
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
      const written = join(root, 'roundtrip.weights.json');
      writeFileSync(written, JSON.stringify(policyFile(trained, original)));
      const restored = restoreAgent(readPolicyFile(written), env.spec, createRng(1), written);
      const obs = env.reset([1, 2, 3, 4]);
      const expected = original.act(obs, { deterministic: true });
      expect(restored.act(obs, { deterministic: true })).toEqual(expected);
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
    const [name, variable] = Object.entries(file.weights)[0];
    const cut = { ...file, weights: { ...file.weights, [name]: { ...variable, float32: variable.float32.slice(0, 8) } } };
    const bad = join(root, 'cut.weights.json');
    writeFileSync(bad, JSON.stringify(cut));
    await expect(rolloutOf({ policy: bad, episodes: 1 })).rejects.toThrow(new RegExp(`/weights/${name}/float32: holds`));
    const wider = join(root, 'wider.weights.json');
    writeFileSync(wider, JSON.stringify({ ...file, envOptions: { numAgents: 4 } }));
    await expect(rolloutOf({ policy: wider, episodes: 1 })).rejects.toThrow(/\/space\/obsDims: \[18,18,18\], but simple_spread\[n=4\]/);
  });

  it('names a weights file that is missing or not JSON', async () => {
    const missing = join(root, 'missing.weights.json');
    await expect(rolloutOf({ policy: missing })).rejects.toThrow(`no such file: ${missing} (policy file)`);
    const broken = join(root, 'broken.weights.json');
    writeFileSync(broken, '{"cellId": ');
    await expect(rolloutOf({ policy: broken })).rejects.toThrow(new RegExp(`^${broken}: not valid JSON: `));
  });

  it('names the plugin it needs when the weights come from an algorithm not registered here', async () => {
    const foreign = join(root, 'foreign.weights.json');
    writeFileSync(foreign, JSON.stringify({ ...file, algorithm: 'my-baseline' }));
    await expect(rolloutOf({ policy: foreign, episodes: 1 })).rejects.toThrow(/\/algorithm: my-baseline is not registered here \(an algorithm from a plugin needs its --plugin\)/);
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
