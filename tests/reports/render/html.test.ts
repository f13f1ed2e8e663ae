import { describe, expect, it } from 'vitest';
import { detailsSection, escapeHtml, figure, html, keyValueTable, page, raw, table, verdictBadge, verdictBanner } from '../../../reports/render/html.js';

describe('html', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('escapes interpolations unless raw, and nests', () => {
    const name = '<script>alert(1)</script>';
    const inner = html`<b>${name}</b>`;
    const out = html`<p title="${name}">${inner} ${raw('<i>ok</i>')} ${[1, '<', null, undefined, false, html`<br>`]}</p>`.value;
    expect(out).toBe('<p title="&lt;script&gt;alert(1)&lt;/script&gt;"><b>&lt;script&gt;alert(1)&lt;/script&gt;</b> <i>ok</i> 1&lt;<br></p>');
  });

  it('builds a self-contained page with light, dark and print styles', () => {
    const doc = page({ title: 'Report <1>', body: html`<h1>${'Hi & bye'}</h1>` });
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain('<title>Report &lt;1&gt;</title>');
    expect(doc).toContain('<h1>Hi &amp; bye</h1>');
    expect(doc).toContain('prefers-color-scheme: dark');
    expect(doc).toContain('@media print');
    expect(doc).toContain('.verdict.fail');
    expect(doc).not.toMatch(/<script|<link|\ssrc=|url\(http/i);
  });

  it('keeps extra CSS from closing the style element', () => {
    expect(page({ title: 't', body: '', extraCss: '</style><script>' })).not.toContain('</style><script>');
  });

  it('renders verdicts as words with a class', () => {
    expect(verdictBanner('fail', 'Breaks at 62%', html`<p>${'pool <exhausted>'}</p>`).value).toBe(
      '<div class="verdict fail" role="status"><p class="verdict-line"><strong class="verdict-word">FAIL</strong> Breaks at 62%</p><div class="verdict-detail"><p>pool &lt;exhausted&gt;</p></div></div>',
    );
    expect(verdictBadge('partial').value).toBe('<span class="badge partial">PARTIAL</span>');
  });

  it('builds tables with escaped cells and right-aligned numbers', () => {
    const t = table(
      [
        { header: 'Endpoint', cell: (r: { path: string; p95: string }) => r.path },
        { header: 'p95', align: 'right', cell: (r) => r.p95 },
      ],
      [{ path: '/api/<v1>', p95: '812 ms' }],
      { caption: 'Per endpoint' },
    ).value;
    expect(t).toContain('<caption>Per endpoint</caption>');
    expect(t).toContain('<th scope="col" class="num">p95</th>');
    expect(t).toContain('<td>/api/&lt;v1&gt;</td><td class="num">812 ms</td>');
    const kv = keyValueTable([['Peak', '1,500 req/s']]).value;
    expect(kv).toContain('<tr><th scope="row">Peak</th><td>1,500 req/s</td></tr>');
  });

  it('wraps charts in figures and sections in details', () => {
    expect(figure('<svg/>', 'a < b').value).toBe('<figure><svg/><figcaption>a &lt; b</figcaption></figure>');
    expect(detailsSection('More', 'x', true).value).toBe('<details open><summary>More</summary>x</details>');
  });
});
