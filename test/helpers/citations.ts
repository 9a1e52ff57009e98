/**
 * Test helper: finds citations in the project's text that do not resolve inside the repository.
 *
 * Citation grammar (what code comments and docs may write; everything here is checked):
 * - `spec §4.1`, `spec §1.3–1.5` — a numbered section of docs/spec.md (a heading that starts with that number, e.g.
 *   `### 4.1 OM2P`); both ends of a range must exist. An optional quoted label right after it, `spec §4.1 "Target"`,
 *   must occur (case-insensitive) in that section's own text, between its heading and the next heading.
 * - `docs/design.md "Compute backend"` (any `docs/<name>.md`) — the quoted text must occur (case-insensitive, code
 *   backticks ignored) in one of that file's headings. Without a quoted label, the file must exist.
 * - Markdown links to relative paths, `[text](performance.md)`, must name an existing file (anchors are not checked).
 * - The upper-case names `SPEC`, `STYLE` and `DESIGN` as words are always errors: they name documents that are not part
 *   of the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** Folders that hold no hand-written citations: dependencies, generated outputs, runs and caches. */
const SKIPPED = new Set(['node_modules', '.git', 'results', 'runs', '.om2p', 'tmp']);

/** Every `.ts` and `.md` file under `root`, as paths relative to it. */
export function citingFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : citingFiles(root, path);
    return /\.(ts|md)$/.test(entry.name) ? [relative(root, path)] : [];
  });
}

interface Heading {
  level: number;
  text: string;
  line: number;
}

function headingsOf(markdown: string): Heading[] {
  const lines = markdown.split('\n');
  return lines.flatMap((line, i) => {
    const m = /^(#{1,6})\s+(.*)$/.exec(line);
    return m ? [{ level: m[1].length, text: m[2].replaceAll('`', ''), line: i }] : [];
  });
}

/** Section number → that section's own text (heading up to the next heading), lower-cased. */
function specSections(markdown: string): Map<string, string> {
  const lines = markdown.split('\n');
  const headings = headingsOf(markdown);
  const sections = new Map<string, string>();
  headings.forEach((h, k) => {
    const m = /^(\d+(?:\.\d+)*)\.?\s/.exec(h.text);
    if (!m) return;
    const end = k + 1 < headings.length ? headings[k + 1].line : lines.length;
    sections.set(m[1], lines.slice(h.line, end).join('\n').toLowerCase().replaceAll('*', ''));
  });
  return sections;
}

const SPEC_CITATION = /\bspec §(\d+(?:\.\d+)*)(?:\s*[–-]\s*§?(\d+(?:\.\d+)*))?(?:'s)?(?:,? "([^"]+)")?/g;
const DOC_CITATION = /\b(docs\/[\w.-]+\.md)(?: "([^"]+)")?/g;
const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g;
const FOREIGN = /(?<![\w])(SPEC|STYLE|DESIGN)(?![\w])/g;

/** Problems in one file's text; `root` is the repository root, `file` the path relative to it. */
export function checkCitations(root: string, file: string, text: string): Problem[] {
  const sections = specSections(readFileSync(join(root, 'docs/spec.md'), 'utf8'));
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    const report = (message: string) => problems.push({ file, line: i + 1, message });
    for (const m of line.matchAll(SPEC_CITATION)) {
      for (const number of [m[1], m[2]].filter((n): n is string => n !== undefined)) {
        if (!sections.has(number)) report(`"${m[0]}": docs/spec.md has no section ${number}`);
      }
      const body = sections.get(m[1]);
      if (m[3] && body !== undefined && !body.includes(m[3].toLowerCase())) {
        report(`"${m[0]}": section ${m[1]} of docs/spec.md does not mention "${m[3]}"`);
      }
    }
    for (const m of line.matchAll(DOC_CITATION)) {
      const path = join(root, m[1]);
      if (!existsSync(path)) {
        report(`"${m[0]}": no such file ${m[1]}`);
        continue;
      }
      const label = m[2]?.replaceAll('`', '').toLowerCase();
      if (label && !headingsOf(readFileSync(path, 'utf8')).some((h) => h.text.toLowerCase().includes(label))) {
        report(`"${m[0]}": ${m[1]} has no heading containing "${m[2]}"`);
      }
    }
    if (file.endsWith('.md')) {
      for (const m of line.matchAll(MARKDOWN_LINK)) {
        const target = m[1].split('#')[0];
        if (target === '' || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(join(root, dirname(file), target))) report(`link "${m[1]}": no such file`);
      }
    }
    for (const m of line.matchAll(FOREIGN)) {
      report(`"${m[1]}" names a document outside the repository; cite docs/spec.md ("spec §N.M") or a docs/ heading`);
    }
  });
  return problems;
}
