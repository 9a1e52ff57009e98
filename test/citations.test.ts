/**
 * Every citation in the project's code and docs resolves inside the repository (grammar: `test/helpers/citations.ts`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCitations, citingFiles } from './helpers/citations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('citations', () => {
  it('every spec section, docs heading and relative link cited in a .ts or .md file exists', () => {
    // The checker and this test quote bad citations on purpose, as examples.
    const files = citingFiles(ROOT).filter((file) => !['test/citations.test.ts', 'test/helpers/citations.ts'].includes(file));
    expect(files).toContain('harness/registry.ts');
    const problems = files.flatMap((file) => checkCitations(ROOT, file, readFileSync(ROOT + file, 'utf8')));
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([]);
  });

  it('reports, by line, a missing section, a label its section lacks, a missing heading, a broken link and a foreign document', () => {
    const text = [
      'ok: spec §4.1 "Target", spec §1.3–1.5, docs/design.md "Compute backend", [spec](spec.md)',
      'spec §9.9',
      'spec §4.2 "Target"',
      'docs/design.md "No such heading"',
      '[x](nowhere.md)',
      'as SPEC says',
    ].join('\n');
    const problems = checkCitations(ROOT, 'docs/example.md', text);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, '"spec §9.9": docs/spec.md has no section 9.9'],
      [3, '"spec §4.2 "Target"": section 4.2 of docs/spec.md does not mention "Target"'],
      [4, '"docs/design.md "No such heading"": docs/design.md has no heading containing "No such heading"'],
      [5, 'link "nowhere.md": no such file'],
      [6, '"SPEC" names a document outside the repository; cite docs/spec.md ("spec §N.M") or a docs/ heading'],
    ]);
  });
});
