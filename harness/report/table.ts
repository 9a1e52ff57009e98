/**
 * One table model rendered to Markdown, LaTeX or HTML: a table is key columns (task, dataset, ...) followed
 * by value columns; a cell holds numbers, not text, and `cellText` is the one place numbers become text.
 */

/** A value cell: `value ± spread (ratio×)`, or an interval `[lo, hi]`, or plain text; absent parts are skipped. */
export interface TableCell {
  value?: number;
  spread?: number;
  /** Shown as `(r×)` after the value, e.g. baseline / om2p. */
  ratio?: number;
  interval?: [number, number];
  text?: string;
  bold?: boolean;
}

export interface Table {
  caption: string;
  keyHeaders: string[];
  valueHeaders: string[];
  rows: { keys: string[]; cells: (TableCell | undefined)[] }[];
}

export type TableFormat = 'md' | 'tex' | 'html';

/**
 * Fixed decimals by the magnitude of `scale` (default `x` itself): 1 from 100 up, 2 from 1 up, 3 below, so columns
 * of one quantity read alike and a spread is printed with its mean's decimals.
 */
export function formatNumber(x: number, scale = x): string {
  const magnitude = Math.abs(scale);
  return x.toFixed(magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3);
}

/** The unformatted text of a cell (Unicode ± and ×); `—` for a missing cell. */
export function cellText(cell: TableCell | undefined): string {
  if (!cell) return '—';
  const parts: string[] = [];
  if (cell.value !== undefined) parts.push(formatNumber(cell.value) + (cell.spread !== undefined ? ` ± ${formatNumber(cell.spread, cell.value)}` : ''));
  if (cell.ratio !== undefined) parts.push(`(${cell.ratio.toFixed(cell.ratio >= 10 ? 1 : 2)}×)`);
  if (cell.interval) parts.push(`[${formatNumber(cell.interval[0])}, ${formatNumber(cell.interval[1])}]`);
  if (cell.text !== undefined) parts.push(cell.text);
  return parts.join(' ');
}

interface Dialect {
  escape(text: string): string;
  bold(text: string): string;
  render(table: Table, lines: string[][]): string;
}

const TEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '±': '$\\pm$',
  '×': '$\\times$',
  '—': '--',
  '≥': '$\\geq$',
};

const HTML_SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text made safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => HTML_SPECIALS[ch]);
}

const DIALECTS: Record<TableFormat, Dialect> = {
  md: {
    escape: (text) => text.replace(/\|/g, '\\|'),
    bold: (text) => `**${text}**`,
    render: (table, lines) => {
      const header = lines[0];
      const rule = header.map((_, k) => (k < table.keyHeaders.length ? '---' : '---:'));
      const body = [header, rule, ...lines.slice(1)].map((cells) => `| ${cells.join(' | ')} |`);
      return `${DIALECTS.md.escape(table.caption)}\n\n${body.join('\n')}\n`;
    },
  },
  tex: {
    escape: (text) => text.replace(/[\\&%$#_{}~^±×—≥]/g, (ch) => TEX_SPECIALS[ch]),
    bold: (text) => `\\textbf{${text}}`,
    render: (table, lines) => {
      const spec = 'l'.repeat(table.keyHeaders.length) + 'r'.repeat(table.valueHeaders.length);
      const [header, ...body] = lines.map((cells) => `${cells.join(' & ')} \\\\`);
      return [
        '\\begin{table}[t]',
        '\\centering',
        `\\caption{${DIALECTS.tex.escape(table.caption)}}`,
        `\\begin{tabular}{${spec}}`,
        '\\toprule',
        header,
        '\\midrule',
        ...body,
        '\\bottomrule',
        '\\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n');
    },
  },
  html: {
    escape: escapeHtml,
    bold: (text) => `<strong>${text}</strong>`,
    render: (table, lines) => {
      // key columns read left to right, value columns are numbers and align right
      const cell = (tag: string, text: string, k: number) => `<${tag}${k < table.keyHeaders.length ? '' : ' class="num"'}>${text}</${tag}>`;
      const row = (tag: string) => (cells: string[]) => `<tr>${cells.map((text, k) => cell(tag, text, k)).join('')}</tr>`;
      const [header, ...body] = lines;
      return [
        '<table>',
        `<caption>${escapeHtml(table.caption)}</caption>`,
        `<thead>${row('th')(header)}</thead>`,
        '<tbody>',
        ...body.map(row('td')),
        '</tbody>',
        '</table>',
        '',
      ].join('\n');
    },
  },
};

/** Renders `table` in one format: Markdown (GitHub pipes), LaTeX (booktabs) or an HTML `<table>`. */
export function renderTable(table: Table, format: TableFormat): string {
  const dialect = DIALECTS[format];
  const header = [...table.keyHeaders, ...table.valueHeaders].map(dialect.escape);
  const rows = table.rows.map((row) => [
    ...row.keys.map(dialect.escape),
    ...row.cells.map((cell) => {
      const text = dialect.escape(cellText(cell));
      return cell?.bold ? dialect.bold(text) : text;
    }),
  ]);
  return dialect.render(table, [header, ...rows]);
}
