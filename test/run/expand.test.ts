import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../harness/canonical.ts';
import { cellId, expandMatrix, readMatrixSpec, type MatrixSpec } from '../../harness/run/expand.ts';
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

  it('an environment may name its own datasets and budget fields; a grid runs every combination of its axes over the per-dataset config', () => {
    const spec: MatrixSpec = {
      ...matrix,
      algorithms: [
        {
          name: 'om2p',
          datasetConfig: { 'simple_tag/expert': { eta: 1, equalTimesFraction: 0.1 } },
          grid: [[{ timeDistribution: 'exp' }, { timeDistribution: 'uniform', timeOrder: 'independent' }], [{ equalTimesFraction: 0 }, { equalTimesFraction: 0.5 }, { equalTimesFraction: 0.75 }]],
        },
      ],
      environments: [{ name: 'simple_spread', datasets: ['medium-replay'] }, { name: 'simple_tag', budget: { episodes: 7 } }],
      seeds: [0],
    };
    const cells = expandMatrix(spec);
    // simple_spread × medium-replay, simple_tag × (expert, medium): 3 env/datasets × 2 × 3 grid points × 1 seed
    expect(cells).toHaveLength(18);
    expect(new Set(cells.map(cellId)).size).toBe(18);
    expect(cells.filter((c) => c.env === 'simple_spread').every((c) => c.dataset === 'medium-replay' && c.budget.episodes === 2)).toBe(true);
    expect(cells.filter((c) => c.env === 'simple_tag').every((c) => c.budget.episodes === 7 && c.budget.updates === 10 && c.budget.evalEvery === 5)).toBe(true);
    const tagExpert = cells.filter((c) => c.env === 'simple_tag' && c.dataset === 'expert').map((c) => c.config);
    expect(tagExpert).toEqual([
      { eta: 1, timeDistribution: 'exp', equalTimesFraction: 0 },
      { eta: 1, timeDistribution: 'exp', equalTimesFraction: 0.5 },
      { eta: 1, timeDistribution: 'exp', equalTimesFraction: 0.75 },
      { eta: 1, timeDistribution: 'uniform', timeOrder: 'independent', equalTimesFraction: 0 },
      { eta: 1, timeDistribution: 'uniform', timeOrder: 'independent', equalTimesFraction: 0.5 },
      { eta: 1, timeDistribution: 'uniform', timeOrder: 'independent', equalTimesFraction: 0.75 },
    ]);
    expect(() => readMatrixSpec(writeSpec({ ...spec, environments: [{ name: 'simple_spread', budget: { episodes: 0 } }] }))).toThrow(/environments\/0\/budget\/episodes/);
    expect(readMatrixSpec(writeSpec(spec))).toEqual(spec);
  });

  it('an algorithm entry\'s seeds replace the matrix\'s for that entry only', () => {
    const spec: MatrixSpec = { ...matrix, algorithms: [matrix.algorithms[0], { ...matrix.algorithms[1], seeds: [1, 4] }] };
    const cells = expandMatrix(spec);
    expect(cells.filter((c) => c.algorithm === 'om2p').map((c) => c.seed)).toEqual(Array(4).fill([0, 1, 2]).flat());
    expect(cells.filter((c) => c.algorithm === 'bc').map((c) => c.seed)).toEqual(Array(4).fill([1, 4]).flat());
    expect(readMatrixSpec(writeSpec(spec))).toEqual(spec);
    expect(() => readMatrixSpec(writeSpec({ ...spec, algorithms: [{ name: 'bc', seeds: [] }] }))).toThrow(/\/algorithms\/0\/seeds: must NOT have fewer than 1 items/);
  });

  it('an algorithm entry\'s environments restrict it to those of the matrix\'s environments, by name', () => {
    const spec: MatrixSpec = { ...matrix, algorithms: [matrix.algorithms[0], { ...matrix.algorithms[1], environments: ['simple_tag'], seeds: [5] }] };
    const bc = expandMatrix(spec).filter((c) => c.algorithm === 'bc');
    expect(bc.map((c) => [c.env, c.dataset, c.seed])).toEqual([['simple_tag', 'expert', 5], ['simple_tag', 'medium', 5]]);
    expect(bc.every((c) => c.envOptions.prey === 'scripted')).toBe(true);
    expect(expandMatrix(spec).filter((c) => c.algorithm === 'om2p')).toHaveLength(12);
    expect(() => readMatrixSpec(writeSpec({ ...spec, algorithms: [{ name: 'bc', environments: ['simple_tag', 'halfcheetah-2x3'] }] }))).toThrow(
      /spec\.json: \/algorithms\/0\/environments\/1: "halfcheetah-2x3" is not one of the matrix's environments \(simple_spread, simple_tag\)/,
    );
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

  it('the committed sampler sweep is om2p over 4 time distributions × 4 equal-time fractions on its four datasets, seed 0, and its follow-ups per task family', () => {
    const all = expandMatrix(readMatrixSpec(join(import.meta.dirname, '../../results/sampler-sweep.json')));
    const [followUps, cells] = [all.slice(0, -4 * 4 * 4), all.slice(-4 * 4 * 4)];
    expect(new Set(cells.map((c) => c.seed))).toEqual(new Set([0]));
    const where = [...new Set(cells.map((c) => `${c.env}/${c.dataset}`))].sort();
    expect(where).toEqual(['halfcheetah-2x3/expert', 'halfcheetah-2x3/medium', 'simple_spread/expert', 'simple_spread/medium-replay']);
    expect(new Set(cells.map((c) => c.config.equalTimesFraction))).toEqual(new Set([0, 0.25, 0.5, 0.75]));
    expect(cells.filter((c) => c.env === 'halfcheetah-2x3').every((c) => c.budget.episodes === 10)).toBe(true);
    // follow-ups, per family: derivative zero at the best setting (seed 0), a second seed of the best three, each on both datasets
    const derivative = followUps.filter((c) => c.config.derivative === 'zero');
    expect(derivative.map((c) => [c.env, c.dataset, c.seed])).toEqual([
      ['halfcheetah-2x3', 'expert', 0],
      ['halfcheetah-2x3', 'medium', 0],
      ['simple_spread', 'expert', 0],
      ['simple_spread', 'medium-replay', 0],
    ]);
    const seeds = followUps.filter((c) => c.config.derivative === undefined);
    expect(seeds).toHaveLength(2 * 3 * 2);
    expect(seeds.every((c) => c.seed === 1)).toBe(true);
    // each second seed repeats a grid cell but for its seed, budget included
    const gridIds = new Set(cells.map(cellId));
    expect(seeds.every((c) => gridIds.has(cellId({ ...c, seed: 0 })))).toBe(true);
  });

  it('the HalfCheetah convergence run trains om2p with the matrix\'s settings, and its om2p cells are cells of the 20,000-update η study', () => {
    const read = (name: string) => expandMatrix(readMatrixSpec(join(import.meta.dirname, `../../results/${name}.json`)));
    const om2p = (cells: ReturnType<typeof read>) => cells.filter((c) => c.algorithm === 'om2p');
    const convergence = om2p(read('halfcheetah-convergence'));
    expect(convergence.map((c) => `${c.dataset}/${c.seed}`).sort()).toEqual(['expert/0', 'expert/1', 'medium/0', 'medium/1']);
    const study = new Set(om2p(read('halfcheetah-eta-20k')).map(cellId));
    expect(convergence.every((c) => study.has(cellId(c)))).toBe(true);
    // the reference matrix (its own budget) runs om2p with the same η and time sampling per dataset
    const reference = om2p(read('halfcheetah'));
    for (const c of convergence) expect(reference.find((r) => r.dataset === c.dataset)?.config).toEqual(c.config);
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
