/**
 * A baseline in its own repository, outside this checkout: a folder under the OS temp dir whose `node_modules/om2p-bench`
 * links to the checkout (what `npm install <path>` makes), with a plugin importing `from 'om2p-bench'` only. It type-checks
 * against the package's types under both module resolutions TypeScript offers for Node, and trains a smoke cell through
 * the real CLI with `--plugin`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.ts';
import { ensureDatasets } from '../../harness/data/build.ts';
import { readJsonFile } from '../../harness/files.ts';
import { readPolicyFile } from '../../harness/run/policy-file.ts';
import { validateOrThrow } from '../../harness/schema.ts';
import type { CellResult } from '../../contracts/types.ts';

const CHECKOUT = resolve(import.meta.dirname, '../..');

/** Behaviour cloning with an L2 penalty on the policy's weights, written against the public API alone. */
const L2_BC_PLUGIN = `
import { configKeySchemas, createAdam, createMlp, independentAgents, readScalars, tf, type AlgorithmDef, type AgentSpace, type Learner, type Rng } from 'om2p-bench';

export interface L2BcConfig { hidden: number[]; learningRate: number; batchSize: number; weightDecay: number }

function learner(space: AgentSpace, config: L2BcConfig, rng: Rng, i: number): Learner {
  const policy = createMlp({ inputDim: space.obsDims[i], hidden: config.hidden, outputDim: space.actDims[i], outputActivation: 'tanh' }, rng.fork('actor'), \`agent\${i}/actor\`);
  const adam = createAdam(policy.variables, { learningRate: config.learningRate });
  const loss = (obs: tf.Tensor2D, acts: tf.Tensor2D) =>
    tf.tidy(() => {
      const penalty = tf.addN(policy.variables.map((v) => tf.sum(tf.square(v))));
      return tf.add(tf.mean(tf.squaredDifference(policy.forward(obs), acts)), tf.mul(config.weightDecay, penalty)) as tf.Scalar;
    });
  return {
    update: (batch) => readScalars(adam.step('actor/bc', () => ({ loss: loss(batch.obs, batch.acts) }))),
    act: (obs) => policy.forward(obs),
    variables: policy.variables,
    dispose: () => {
      adam.dispose();
      tf.dispose(policy.variables);
    },
  };
}

export const l2Bc: AlgorithmDef<L2BcConfig> = {
  name: 'l2-bc',
  description: 'behaviour cloning with an L2 penalty on the policy weights',
  defaults: { hidden: [32, 32], learningRate: 1e-3, batchSize: 64, weightDecay: 1e-4 },
  presets: { cpu: {}, paper: { hidden: [512, 512] } },
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { hidden: configKeySchemas.layers, learningRate: configKeySchemas.learningRate, batchSize: configKeySchemas.batchSize, weightDecay: { type: 'number', minimum: 0 } },
  },
  create: (space, config, rng) => independentAgents(space, (i) => learner(space, config, rng.fork(\`agent\${i}\`), i), 1),
};
`;

/** The tsconfig such a repository needs: strict, and .ts imports allowed with noEmit (the package ships TypeScript). */
const tsconfig = (module: string, moduleResolution: string, file: string) => ({
  compilerOptions: { target: 'ES2022', module, moduleResolution, strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true },
  files: [file],
});

describe('a plugin in its own repository, importing om2p-bench', () => {
  const repo = mkdtempSync(join(tmpdir(), 'om2p-own-repo-'));
  /** tsc's diagnostics for a project ('' when it compiles). */
  const typecheck = (config: string): string => {
    try {
      execFileSync(process.execPath, [join(CHECKOUT, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: repo, encoding: 'utf8' });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout);
    }
  };

  beforeAll(async () => {
    mkdirSync(join(repo, 'node_modules/@types'), { recursive: true });
    // what `npm install /path/to/om2p-bench` makes, plus the @types/node any Node project has
    symlinkSync(CHECKOUT, join(repo, 'node_modules/om2p-bench'), 'dir');
    symlinkSync(join(CHECKOUT, 'node_modules/@types/node'), join(repo, 'node_modules/@types/node'), 'dir');
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'my-baselines', private: true, type: 'module' }));
    writeFileSync(join(repo, 'l2-bc.ts'), L2_BC_PLUGIN);
    await initBackend('wasm', () => undefined);
    await ensureDatasets({ env: 'simple_spread', envOptions: {}, levels: ['expert'], preset: 'smoke', seed: 0, dataDir: join(repo, 'data'), log: () => undefined });
  }, 120_000);

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it.each([
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ])('type-checks against the package’s types (module %s, moduleResolution %s)', (module, moduleResolution) => {
    const config = join(repo, `tsconfig.${moduleResolution}.json`);
    writeFileSync(config, JSON.stringify(tsconfig(module, moduleResolution, 'l2-bc.ts')));
    expect(typecheck(config)).toBe('');
  });

  it('gets the harness’s real types: a default of the wrong type is a compile error naming it', () => {
    writeFileSync(join(repo, 'bad.ts'), L2_BC_PLUGIN.replace('weightDecay: 1e-4 }', "weightDecay: 'none' }"));
    const config = join(repo, 'tsconfig.bad.json');
    writeFileSync(config, JSON.stringify(tsconfig('nodenext', 'nodenext', 'bad.ts')));
    expect(typecheck(config)).toMatch(/bad\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  it('trains a smoke cell through the CLI with --plugin, and keeps its agent', () => {
    const printed = execFileSync(
      process.execPath,
      [join(CHECKOUT, 'bin/om2p-bench.js'), '--data-dir', 'data', '--backend', 'wasm', 'train', '--plugin', 'l2-bc.ts', '--algo', 'l2-bc',
        '--env', 'simple_spread', '--dataset', 'expert', '--dataset-preset', 'smoke', '--updates', '3', '--eval-every', '3', '--episodes', '2',
        '--set', 'weightDecay=0.001', '--out', 'cell.json'],
      { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(printed).toMatch(/^done: /);
    const cellFile = join(repo, 'cell.json');
    const result = validateOrThrow<CellResult>('om2p-bench/cell-result', readJsonFile(cellFile), cellFile);
    expect(result.status).toBe('done');
    if (result.status !== 'done') return;
    expect(result.spec.algorithm).toBe('l2-bc');
    expect(result.curve.map((point) => point.update)).toEqual([1, 3]);
    expect(result.losses.every(({ values }) => Object.keys(values).join() === 'actor/bc' && Number.isFinite(values['actor/bc']))).toBe(true);
    const weights = readPolicyFile(join(repo, 'cell.safetensors'));
    expect(weights).toMatchObject({ algorithm: 'l2-bc', config: { hidden: [32, 32], weightDecay: 0.001 }, env: 'simple_spread' });
    expect(Object.keys(weights.weights).filter((name) => name.startsWith('agent0/actor'))).not.toHaveLength(0);
  });

  it('trains the same plugin from a bare folder (no package.json), printing no backend notices', () => {
    const bare = join(repo, '..', `${basename(repo)}-bare`);
    mkdirSync(join(bare, 'node_modules'), { recursive: true });
    symlinkSync(CHECKOUT, join(bare, 'node_modules/om2p-bench'), 'dir');
    writeFileSync(join(bare, 'l2-bc.ts'), L2_BC_PLUGIN);
    const env = { ...process.env };
    delete env.OM2P_BACKEND;
    try {
      const run = spawnSync(
        process.execPath,
        [join(CHECKOUT, 'bin/om2p-bench.js'), '--data-dir', join(repo, 'data'), 'train', '--plugin', 'l2-bc.ts', '--algo', 'l2-bc',
          '--env', 'simple_spread', '--dataset', 'expert', '--dataset-preset', 'smoke', '--updates', '2', '--eval-every', '2', '--episodes', '2', '--out', 'cell.json'],
        { cwd: bare, encoding: 'utf8', env },
      );
      expect(run.stdout).toMatch(/^done: /);
      expect(run.stderr).toMatch(/^train l2-bc on simple_spread\/expert/);
      expect(run.stderr).not.toMatch(/skipped|tensorflow/);
      expect(readJsonFile(join(bare, 'cell.json'))).toMatchObject({ status: 'done', spec: { algorithm: 'l2-bc' } });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
