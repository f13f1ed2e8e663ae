import { MENTION } from './mentions.js';
import { urlSpans } from './render.js';

// StatusLengthValidator: what counts against max_characters. Each URL counts
// as characters_reserved_per_url, a mention of a remote account only as
// @username, and characters are grapheme clusters (a family emoji is one).

export const MAX_CHARS = 500;
export const URL_CHARS = 23;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Characters as a reader counts them (Ruby's grapheme clusters). */
export function countGraphemes(s: string): number {
  let n = 0;
  for (const _ of graphemes.segment(s)) n++;
  return n;
}

export function statusLength(text: string, spoilerText: string): number {
  let countable = '';
  let at = 0;
  for (const { index, url } of urlSpans(text)) {
    countable += `${text.slice(at, index)}${'x'.repeat(URL_CHARS)}`;
    at = index + url.length;
  }
  countable += text.slice(at);
  return countGraphemes(countable.replace(MENTION, '@$1')) + countGraphemes(spoilerText);
}
