/** The table model renders to Markdown, LaTeX and HTML with escaping, bold, ratios, intervals and missing cells. */
import { describe, expect, it } from 'vitest';
import { cellText, formatNumber, renderTable, type Table } from '../../harness/report/table.ts';

const table: Table = {
  caption: 'Peak memory (MiB) ± sd; ratio × om2p',
  keyHeaders: ['Task'],
  valueHeaders: ['om2p', 'diffusion_ql'],
  rows: [
    { keys: ['simple_tag[prey=scripted]'], cells: [{ value: 2, bold: true }, { value: 7.6, ratio: 3.8 }] },
    { keys: ['a|b & 100%'], cells: [{ interval: [0.5, 0.75] }, undefined] },
  ],
};

describe('table rendering', () => {
  it('formats numbers by magnitude and prints a spread with its mean decimals', () => {
    expect([formatNumber(1234.56), formatNumber(12.345), formatNumber(0.01234)]).toEqual(['1234.6', '12.35', '0.012']);
    expect(cellText({ value: 425, spread: 35.355 })).toBe('425.0 ± 35.4');
    expect(cellText({ value: 7.6, ratio: 12.34 })).toBe('7.60 (12.3×)');
    expect(cellText(undefined)).toBe('—');
  });

  it('renders Markdown with right-aligned value columns, bold and escaped pipes', () => {
    expect(renderTable(table, 'md')).toBe(
      [
        'Peak memory (MiB) ± sd; ratio × om2p',
        '',
        '| Task | om2p | diffusion_ql |',
        '| --- | ---: | ---: |',
        '| simple_tag[prey=scripted] | **2.00** | 7.60 (3.80×) |',
        '| a\\|b & 100% | [0.500, 0.750] | — |',
        '',
      ].join('\n'),
    );
  });

  it('renders LaTeX (booktabs) with special characters escaped', () => {
    const tex = renderTable(table, 'tex');
    expect(tex).toContain('\\caption{Peak memory (MiB) $\\pm$ sd; ratio $\\times$ om2p}');
    expect(tex).toContain('\\begin{tabular}{lrr}');
    expect(tex).toContain('Task & om2p & diffusion\\_ql \\\\');
    expect(tex).toContain('simple\\_tag[prey=scripted] & \\textbf{2.00} & 7.60 (3.80$\\times$) \\\\');
    expect(tex).toContain('a|b \\& 100\\% & [0.500, 0.750] & -- \\\\');
    expect(tex.indexOf('\\toprule')).toBeLessThan(tex.indexOf('\\midrule'));
    expect(tex).toContain('\\bottomrule');
  });

  it('renders an HTML table: caption, header row, right-aligned value cells, <strong> for bold, markup escaped', () => {
    expect(renderTable({ ...table, keyHeaders: ['<Task>'] }, 'html')).toBe(
      [
        '<table>',
        '<caption>Peak memory (MiB) ± sd; ratio × om2p</caption>',
        '<thead><tr><th>&lt;Task&gt;</th><th class="num">om2p</th><th class="num">diffusion_ql</th></tr></thead>',
        '<tbody>',
        '<tr><td>simple_tag[prey=scripted]</td><td class="num"><strong>2.00</strong></td><td class="num">7.60 (3.80×)</td></tr>',
        '<tr><td>a|b &amp; 100%</td><td class="num">[0.500, 0.750]</td><td class="num">—</td></tr>',
        '</tbody>',
        '</table>',
        '',
      ].join('\n'),
    );
  });
});
