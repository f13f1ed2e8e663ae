// Building report.md, which CI shows as a job summary (GitHub-flavoured
// Markdown). Text is escaped by default; mdRaw() marks markup built here.
// Badges are bold words rather than emoji so they read the same in a
// terminal, a screen reader and a plain-text mail.

import { escapeHtml } from './html.js';

/** Markdown inserted as is (badges, links built by trusted code). */
export class RawMarkdown {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function mdRaw(markdown: string): RawMarkdown {
  return new RawMarkdown(markdown);
}

export type MdValue = string | number | null | undefined | RawMarkdown;

/** Escapes characters Markdown would read as formatting, links, HTML or table cell breaks. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|~]/g, '\\$&');
}

/** Text for one table cell: escaped, with line breaks as <br> because a newline would end the row. */
export function escapeMarkdownCell(s: string): string {
  return escapeMarkdown(s).replace(/\r\n|\r|\n/g, '<br>');
}

function cell(v: MdValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof RawMarkdown) {
    // Trusted markup may still contain a pipe or newline, which would break the row.
    return v.value.replace(/(?<!\\)\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
  }
  return escapeMarkdownCell(String(v));
}

export type MdAlign = 'left' | 'right' | 'center';

const RULE: Record<MdAlign, string> = { left: ':---', right: '---:', center: ':---:' };

/** A GFM table. Rows shorter than the header are padded; longer ones are cut, since GFM drops extra cells anyway. */
export function mdTable(headers: readonly MdValue[], rows: readonly (readonly MdValue[])[], align: readonly (MdAlign | undefined)[] = []): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const width = headers.length;
  const out = [line(headers.map(cell)), line(headers.map((_, i) => RULE[align[i] ?? 'left']))];
  for (const r of rows) out.push(line(Array.from({ length: width }, (_, i) => cell(r[i]))));
  return out.join('\n');
}

export type MdStatus = 'pass' | 'fail' | 'partial' | 'skip';

/** **PASS**, **FAIL**, **PARTIAL**, **SKIP**. */
export function badge(status: MdStatus): RawMarkdown {
  return mdRaw(`**${status.toUpperCase()}**`);
}

export function heading(level: 1 | 2 | 3 | 4 | 5 | 6, text: string): string {
  return `${'#'.repeat(level)} ${escapeMarkdown(text).replace(/\r\n|\r|\n/g, ' ')}`;
}

/**
 * A collapsible section. The blank lines around `body` are what makes GitHub
 * render it as Markdown instead of literal text.
 */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}>\n<summary>${escapeHtml(summary)}</summary>\n\n${body.trim()}\n\n</details>`;
}

/** A fenced code block whose fence is longer than any backtick run inside, so content cannot end it early. */
export function codeBlock(content: string, lang = ''): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang.replace(/[^A-Za-z0-9_+-]/g, '')}\n${content.replace(/\n$/, '')}\n${fence}`;
}
