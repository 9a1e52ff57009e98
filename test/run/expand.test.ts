import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../harness/canonical.ts';
import { cellId, expandMatrix, parseShard, readMatrixSpec, shardCells, type MatrixSpec } from '../../harness/run/expand.ts';
import { parseAssignments } from '../../harness/resolve.ts';

const matrix: MatrixSpec = {
  name: 't',
  algorithms: [{ name: 'om2p', config: { derivative: 'jvp' }, datasetConfig: { 'simple_spread/expert': { eta: 0.5 } } }, { name: 'bc', config: { batchSize: 32 } }],
  environments: [{ name: 'simple_spread' }, { name: 'simple_tag', options: { prey: 'scripted' } }],
  datasets: ['expert', 'medium'],
  seeds: [0, 1, 2],
  budget: { updates: 10, evalEvery: 5, episodes: 2 },
};

function writeSpec(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'om2p-spec-')), 'spec.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('matrix expansion', () => {
  it('is the full product algorithms × environments × datasets × seeds, with η applied per env/dataset only', () => {
    const cells = expandMatrix(matrix);
    expect(cells).toHaveLength(2 * 2 * 2 * 3);
    const withEta = cells.filter((c) => c.config.eta !== undefined);
    expect(withEta).toHaveLength(3);
    expect(withEta.every((c) => c.algorithm === 'om2p' && c.env === 'simple_spread' && c.dataset === 'expert' && c.config.eta === 0.5)).toBe(true);
    // per-dataset overrides add to the algorithm's config
    expect(withEta.every((c) => c.config.derivative === 'jvp')).toBe(true);
    expect(new Set(cells.map(cellId)).size).toBe(cells.length);
  });

  it('datasetUpdates replaces the budget\'s updates for that algorithm on that env/dataset only', () => {
    const spec: MatrixSpec = { ...matrix, algorithms: [{ ...matrix.algorithms[0], datasetUpdates: { 'simple_tag/medium': 40 } }, matrix.algorithms[1]] };
    const cells = expandMatrix(spec);
    const longer = cells.filter((c) => c.budget.updates !== 10);
    expect(longer).toHaveLength(3);
    expect(longer.every((c) => c.algorithm === 'om2p' && c.env === 'simple_tag' && c.dataset === 'medium')).toBe(true);
    expect(longer.every((c) => c.budget.evalEvery === 5 && c.budget.episodes === 2 && c.budget.updates === 40)).toBe(true);
    const bad = writeSpec({ ...spec, algorithms: [{ name: 'om2p', datasetUpdates: { 'simple_spread/expert': 0 } }] });
    expect(() => readMatrixSpec(bad)).toThrow(/spec\.json: \/algorithms\/0\/datasetUpdates\/simple_spread~1expert: must be >= 1/);
  });

  it('networkPreset sets every cell\'s preset; the deprecated key preset still does, with a message, but not beside networkPreset', () => {
    expect(new Set(expandMatrix({ ...matrix, networkPreset: 'paper' }).map((c) => c.preset))).toEqual(new Set(['paper']));
    expect(new Set(expandMatrix(matrix).map((c) => c.preset))).toEqual(new Set(['cpu']));
    const old = writeSpec({ ...matrix, preset: 'paper' });
    const warnings: string[] = [];
    const read = readMatrixSpec(old, (line) => warnings.push(line));
    expect(read.networkPreset).toBe('paper');
    expect(expandMatrix(read).map(cellId)).toEqual(expandMatrix({ ...matrix, networkPreset: 'paper' }).map(cellId));
    expect(warnings).toEqual([`om2p-bench: ${old}: "preset" is deprecated and will be removed in the next release; use "networkPreset"`]);
    const both = writeSpec({ ...matrix, preset: 'paper', networkPreset: 'cpu' });
    expect(() => readMatrixSpec(both, () => undefined)).toThrow(/spec\.json: \/preset: is the deprecated spelling of networkPreset/);
  });

  it('shards partition the cells: disjoint, complete, and independent of spec order', () => {
    const cells = expandMatrix(matrix);
    const shards = [1, 2, 3].map((k) => shardCells(cells, { index: k, count: 3 }).map(cellId));
    expect(shards.flat().sort()).toEqual(cells.map(cellId).sort());
    expect(new Set(shards.flat()).size).toBe(cells.length);
    const reversed = expandMatrix({ ...matrix, seeds: [2, 1, 0], algorithms: [...matrix.algorithms].reverse() });
    expect(shardCells(reversed, { index: 2, count: 3 }).map(cellId).sort()).toEqual([...shards[1]].sort());
  });

  it('parses k/n and rejects bad shards', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('0/5')).toThrow(/k\/n/);
    expect(() => parseShard('6/5')).toThrow(/k\/n/);
    expect(() => parseShard('x')).toThrow(/k\/n/);
  });

  it('canonical JSON ignores key order; the hash changes with any value', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('a malformed spec names the file and the bad field', () => {
    const bad = writeSpec({ ...matrix, budget: { updates: 0, evalEvery: 5, episodes: 2 } });
    expect(() => readMatrixSpec(bad)).toThrow(/spec\.json: \/budget\/updates: must be >= 1/);
    const unknown = writeSpec({ ...matrix, sedes: [1] });
    expect(() => readMatrixSpec(unknown)).toThrow(/\/sedes: unknown key/);
    const level = writeSpec({ ...matrix, datasets: ['expertt'] });
    expect(() => readMatrixSpec(level)).toThrow(/\/datasets\/0: must be one of/);
  });

  it('key=value overrides parse JSON values and keep bare strings', () => {
    expect(parseAssignments(['eta=0.1', 'derivative=jvp', 'hidden=[64,64]', 'normaliseQ=false'])).toEqual({
      eta: 0.1,
      derivative: 'jvp',
      hidden: [64, 64],
      normaliseQ: false,
    });
    expect(() => parseAssignments(['eta'])).toThrow(/key=value/);
  });
});
