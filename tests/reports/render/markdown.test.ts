import { describe, expect, it } from 'vitest';
import { badge, codeBlock, details, escapeMarkdownCell, heading, mdRaw, mdTable } from '../../../reports/render/markdown.js';

describe('markdown', () => {
  it('escapes pipes and newlines in cells', () => {
    expect(escapeMarkdownCell('a|b\nc\r\nd')).toBe('a\\|b<br>c<br>d');
    expect(escapeMarkdownCell('<script>*x*')).toBe('\\<script\\>\\*x\\*');
  });

  it('builds a GFM table with alignment, padding short rows', () => {
    const t = mdTable(['Queue', 'p95', 'Status'], [['default|mail', 1250, badge('pass')], ['push']], ['left', 'right', 'center']);
    expect(t).toBe(['| Queue | p95 | Status |', '| :--- | ---: | :---: |', '| default\\|mail | 1250 | **PASS** |', '| push |  |  |'].join('\n'));
    // Every row has the same number of unescaped pipes.
    const cols = t.split('\n').map((l) => l.replace(/\\\|/g, '').split('|').length);
    expect(new Set(cols).size).toBe(1);
  });

  it('keeps trusted markup from breaking a row', () => {
    expect(mdTable(['a'], [[mdRaw('x | y\nz')]])).toContain('| x \\| y<br>z |');
  });

  it('spells badges out', () => {
    expect([badge('pass'), badge('fail'), badge('partial')].map(String)).toEqual(['**PASS**', '**FAIL**', '**PARTIAL**']);
  });

  it('wraps collapsible sections with the blank lines GitHub needs', () => {
    expect(details('Raw <numbers>', '| a |\n| - |\n')).toBe('<details>\n<summary>Raw &lt;numbers&gt;</summary>\n\n| a |\n| - |\n\n</details>');
    expect(details('x', 'y', true)).toMatch(/^<details open>/);
  });

  it('fences code so content cannot close the block', () => {
    expect(codeBlock('a ``` b', 'text')).toBe('````text\na ``` b\n````');
    expect(heading(2, 'Queue *latency*')).toBe('## Queue \\*latency\\*');
  });
});
