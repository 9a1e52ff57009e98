/** The source tree keeps its layers (test/helpers/layers.ts states the rule): no import reaches sideways or back up. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerOf, layerViolations, readSource, sourceFiles } from './helpers/layers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('layering', () => {
  it('every source file is in a layer and imports only its own group and lower layers', () => {
    const files = sourceFiles(ROOT);
    expect(files).toEqual(expect.arrayContaining(['contracts/types.ts', 'harness/registry.ts', 'harness/data/build.ts', 'algorithms/om2p.ts']));
    const violations = files.flatMap((file) => layerViolations(file, readSource(ROOT, file)));
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.message}`)).toEqual([]);
  });

  it('names an import that runs back up, one that skips the registry, and one between the two sides', () => {
    const source = [
      "import { x } from '../report/table.ts';",
      "import type { Matd3 } from '../../algorithms/matd3.ts';",
      "const y = await import('../registry.ts');",
      "export { z } from './rows.ts';",
    ].join('\n');
    // lines 3 (the registry, below data) and 4 (data's own group) are allowed
    expect(layerViolations('harness/data/build.ts', source)).toEqual([
      { file: 'harness/data/build.ts', line: 1, message: 'imports harness/report/table.ts: harness/report (layer 8) is not below harness/data (layer 5)' },
      { file: 'harness/data/build.ts', line: 2, message: 'imports algorithms/matd3.ts: only harness/registry.ts reaches algorithms/ and envs/' },
    ]);
    expect(layerViolations('envs/mpe/world.ts', "import { bc } from '../../algorithms/bc.ts';")[0].message).toBe('imports algorithms/bc.ts: only harness/registry.ts reaches algorithms/ and envs/');
    expect(layerViolations('contracts/types.ts', "import { x } from '../harness/files.ts';")[0].message).toBe('imports harness/files.ts: harness (layer 2) is not below contracts (layer 0)');
    expect(layerOf('harness/newfolder/x.ts')).toBeUndefined();
  });
});
