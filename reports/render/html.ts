// Building report.html: escaping by default (scenario names, URLs and error
// messages come from outside), a page shell whose inline CSS makes the single
// file readable on screen, in dark mode and on paper, and table helpers.

import { PAGE_CSS } from './page-css.js';

export { PAGE_CSS };

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Markup that is inserted as is. Only wrap strings built by trusted code (e.g. chart SVG). */
export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(markup: string): RawHtml {
  return new RawHtml(markup);
}

/** What an interpolation may be: text is escaped; null, undefined and booleans print nothing (for `${cond && html`…`}`). */
export type HtmlValue = string | number | boolean | null | undefined | RawHtml | readonly HtmlValue[];

export function renderHtml(v: HtmlValue): string {
  if (v === null || v === undefined || typeof v === 'boolean') return '';
  if (v instanceof RawHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(renderHtml).join('');
  return escapeHtml(String(v));
}

/**
 * Template tag: html`<td>${name}</td>` escapes `name`; nested html`` results
 * and raw() pass through. Attribute values must be quoted to be safe.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += renderHtml(v) + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}

export interface PageOptions {
  title: string;
  body: HtmlValue;
  /** Default "en". */
  lang?: string;
  /** <meta name="description">. */
  description?: string;
  /** Appended after the built-in stylesheet. */
  extraCss?: string;
}

/** A complete, self-contained HTML document: no external assets, no scripts. */
export function page(opts: PageOptions): string {
  const css = PAGE_CSS + (opts.extraCss ? `\n${opts.extraCss}` : '');
  return (
    '<!doctype html>\n' +
    html`<html lang="${opts.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${opts.description ? html`<meta name="description" content="${opts.description}">\n` : ''}<title>${opts.title}</title>
<style>${raw(css.replace(/<\/style/gi, '<\\/style'))}</style>
</head>
<body>
${opts.body}
</body>
</html>
`.value
  );
}

export type Verdict = 'pass' | 'fail' | 'partial';

const VERDICT_WORD: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', partial: 'PARTIAL' };

/** The result at the top of a report. The word is spelled out so the verdict never rests on colour alone. */
export function verdictBanner(verdict: Verdict, headline: HtmlValue, detail?: HtmlValue): RawHtml {
  return html`<div class="verdict ${verdict}" role="status"><p class="verdict-line"><strong class="verdict-word">${VERDICT_WORD[verdict]}</strong> ${headline}</p>${
    detail === undefined || detail === null ? '' : html`<div class="verdict-detail">${detail}</div>`
  }</div>`;
}

/** An inline PASS/FAIL/PARTIAL label, e.g. in a table cell. */
export function verdictBadge(verdict: Verdict): RawHtml {
  return html`<span class="badge ${verdict}">${VERDICT_WORD[verdict]}</span>`;
}

export interface Column<Row> {
  header: HtmlValue;
  /** Numbers read best right-aligned. Default left. */
  align?: 'left' | 'right' | 'center';
  cell: (row: Row, index: number) => HtmlValue;
}

export interface TableOptions {
  caption?: HtmlValue;
  className?: string;
}

function alignClass(align: Column<unknown>['align']): string | undefined {
  return align === 'right' ? 'num' : align === 'center' ? 'center' : undefined;
}

export function table<Row>(columns: readonly Column<Row>[], rows: readonly Row[], opts: TableOptions = {}): RawHtml {
  const cls = (a: Column<Row>['align']) => {
    const c = alignClass(a);
    return c ? html` class="${c}"` : '';
  };
  const head = columns.map((c) => html`<th scope="col"${cls(c.align)}>${c.header}</th>`);
  const body = rows.map((r, i) => html`<tr>${columns.map((c) => html`<td${cls(c.align)}>${c.cell(r, i)}</td>`)}</tr>\n`);
  return html`<table${opts.className ? html` class="${opts.className}"` : ''}>${opts.caption === undefined ? '' : html`<caption>${opts.caption}</caption>`}
<thead><tr>${head}</tr></thead>
<tbody>
${body}</tbody>
</table>`;
}

/** A two-column table of facts ("Target", "Peak rate", …) with the names as row headers. */
export function keyValueTable(entries: ReadonlyArray<readonly [HtmlValue, HtmlValue]>, opts: TableOptions = {}): RawHtml {
  const rows = entries.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>\n`);
  return html`<table class="${['facts', opts.className].filter(Boolean).join(' ')}">${opts.caption === undefined ? '' : html`<caption>${opts.caption}</caption>`}
<tbody>
${rows}</tbody>
</table>`;
}

/** A chart with an optional caption. `svg` must come from the chart builders, which escape their own input. */
export function figure(svg: string, caption?: HtmlValue): RawHtml {
  return html`<figure>${raw(svg)}${caption === undefined ? '' : html`<figcaption>${caption}</figcaption>`}</figure>`;
}

/** A collapsible section, e.g. raw per-endpoint numbers under the summary. */
export function detailsSection(summary: HtmlValue, body: HtmlValue, open = false): RawHtml {
  return html`<details${open ? raw(' open') : ''}><summary>${summary}</summary>${body}</details>`;
}
