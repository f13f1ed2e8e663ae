import { describe, expect, it } from 'vitest';
import { MAX_CHARS, statusLength, URL_CHARS } from '../../../infra/targets/standin/web/status-length.js';

// What counts against the 500 characters, as Mastodon's StatusLengthValidator counts it.

describe('statusLength', () => {
  it('counts plain text and the content warning together', () => {
    expect(statusLength('hello', 'cw')).toBe(7);
  });

  it('counts every URL as 23 characters however long it is', () => {
    const url = `https://example.org/${'a'.repeat(200)}`;
    expect(statusLength(`see ${url}.`, '')).toBe(4 + URL_CHARS + 1);
    expect(statusLength('x'.repeat(MAX_CHARS - URL_CHARS - 1) + ` ${url}`, '')).toBe(MAX_CHARS);
  });

  it('counts a remote mention as its username only', () => {
    expect(statusLength('@alice@social.example.org hi', '')).toBe('@alice hi'.length);
    expect(statusLength('mail me at bob@example.org', '')).toBe('mail me at bob@example.org'.length);
  });

  it('counts user-perceived characters: an emoji family or a flag is one', () => {
    expect(statusLength('👨‍👩‍👧‍👦🇫🇷é', '')).toBe(3);
  });
});
