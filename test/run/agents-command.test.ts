/**
 * `agents prune` keeps exactly the agents the report replays (per task × dataset × algorithm, the lowest seed that kept
 * one) and `agents convert` turns a folder's JSON agents into safetensors, both run as a user runs them.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPolicyFile } from '../../harness/run/policy-file.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanup, makeResultsDir } from '../report/fixtures.ts';

let dir: string;
afterEach(() => cleanup(dir));

const metadata = {
  cellId: 'aaaaaaaaaaaa0001',
  algorithm: 'om2p',
  preset: 'cpu',
  config: { eta: 0.1 },
  configHash: 'c0ffee',
  env: 'simple_spread',
  envOptions: {},
  taskId: 'simple_spread',
  dataset: 'expert',
  datasetSha256: 'ab'.repeat(32),
  seed: 0,
  updates: 10,
  space: { obsDims: [2], actDims: [1], obsMean: [[0, 0]], obsStd: [[1, 1]] },
};

describe('agents prune <dir>', () => {
  it('removes every kept agent but the lowest-seed one of each group, whatever its format; --dry-run removes nothing', async () => {
    // fixture: om2p seeds 0 and 1 done, seed 2 failed; bc seed 0 done, seed 1 diverged
    dir = makeResultsDir();
    const cells = join(dir, 'cells');
    for (const name of ['aaaaaaaaaaaa0001.safetensors', 'aaaaaaaaaaaa0002.weights.json', 'bbbbbbbbbbbb0001.weights.json']) writeFileSync(join(cells, name), 'x');
    const dry = await runCli(['agents', 'prune', dir, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove ${join(cells, 'aaaaaaaaaaaa0002.weights.json')}\n`);
    expect(readdirSync(cells).filter((name) => !name.endsWith('.json') || name.endsWith('.weights.json'))).toHaveLength(3);
    const pruned = await runCli(['agents', 'prune', dir]);
    expect(pruned.stdout).toContain('2 replayed agent(s) kept, 1 removed');
    expect(existsSync(join(cells, 'aaaaaaaaaaaa0002.weights.json'))).toBe(false);
    expect(existsSync(join(cells, 'aaaaaaaaaaaa0001.safetensors'))).toBe(true);
    expect(existsSync(join(cells, 'bbbbbbbbbbbb0001.weights.json'))).toBe(true);
  });

  it('keeps a higher seed when the lowest kept none', async () => {
    dir = makeResultsDir();
    writeFileSync(join(dir, 'cells', 'aaaaaaaaaaaa0002.safetensors'), 'x');
    const pruned = await runCli(['agents', 'prune', dir]);
    expect(pruned.stdout).toContain('1 replayed agent(s) kept, 0 removed');
    expect(existsSync(join(dir, 'cells', 'aaaaaaaaaaaa0002.safetensors'))).toBe(true);
  });
});

describe('agents convert <dir>', () => {
  it('rewrites each *.weights.json below the folder as safetensors holding the same floats, and removes it', async () => {
    dir = makeResultsDir([]);
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, little-endian
    const float32 = Buffer.from([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64');
    writeFileSync(join(dir, 'cells', 'aaaaaaaaaaaa0001.weights.json'), JSON.stringify({ ...metadata, weights: { 'agent0/actor/l0/b': { shape: [2], float32 } } }));
    const converted = await runCli(['agents', 'convert', dir]);
    expect(converted.code).toBe(0);
    expect(converted.stdout).toContain('1 agent(s) converted');
    expect(readdirSync(join(dir, 'cells'))).toEqual(['aaaaaaaaaaaa0001.safetensors']);
    const bytes = readFileSync(join(dir, 'cells', 'aaaaaaaaaaaa0001.safetensors'));
    expect([...bytes.subarray(bytes.length - 8)]).toEqual([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    const { weights, ...read } = readPolicyFile(join(dir, 'cells', 'aaaaaaaaaaaa0001.safetensors'));
    expect(read).toEqual(metadata);
    expect(weights['agent0/actor/l0/b'].shape).toEqual([2]);
    const validated = await runCli(['validate', dir]);
    expect(validated.stdout).toBe('1 file(s) checked, 0 problem(s)\n');
  });

  it('stops at a JSON agent that does not validate, naming the file and field, and leaves it in place', async () => {
    dir = makeResultsDir([]);
    const bad = join(dir, 'cells', 'aaaaaaaaaaaa0001.weights.json');
    writeFileSync(bad, JSON.stringify({ ...metadata, seed: -1, weights: {} }));
    const converted = await runCli(['agents', 'convert', dir]);
    expect(converted.code).toBe(1);
    expect(converted.stderr).toContain(`${bad}: /seed:`);
    expect(existsSync(bad)).toBe(true);
  });
});
