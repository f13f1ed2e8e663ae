import { describe, expect, it } from 'vitest';
import { linkHeader, page } from '../../../infra/targets/standin/web/paging.js';
import { parseFormEncoded } from '../../../infra/targets/standin/web/params.js';

// Mastodon's id paging: a Link header whose rel="next" carries max_id = the
// last (oldest) id and rel="prev" carries min_id = the first (newest) id,
// keeping the caller's filters (limit, types[] …) and nothing else.

const BASE = 'https://standin.test/api/v1/timelines/home';

function links(header: string | undefined): Record<string, URL> {
  expect(header).toBeDefined();
  const out: Record<string, URL> = {};
  for (const part of header!.split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>;\s*rel="(next|prev)"$/.exec(part.trim());
    expect(m, `malformed link: ${part}`).not.toBeNull();
    out[m![2]!] = new URL(m![1]!);
  }
  return out;
}

describe('page', () => {
  it('reads max_id, since_id and min_id as strings, exactly, beyond 2^53', () => {
    expect(page({ max_id: '117685413762170883', since_id: '117685413762170001', min_id: '1' }, 20)).toEqual({
      maxId: '117685413762170883',
      sinceId: '117685413762170001',
      minId: '1',
      limit: 20,
    });
  });

  it('ignores ids that are not Mastodon ids', () => {
    const p = page({ max_id: 'abc', since_id: '12345678901234567890', min_id: '-5' }, 20);
    expect(p.maxId).toBeUndefined();
    expect(p.sinceId).toBeUndefined();
    expect(p.minId).toBeUndefined();
    expect(page({ max_id: ['1', '2'] }, 20).maxId).toBeUndefined();
  });
});

describe('linkHeader', () => {
  const ids = ['117685413762170890', '117685413762170884', '117685413762170883'];

  it('gives next (older, max_id = last id) then prev (newer, min_id = first id)', () => {
    const h = linkHeader(BASE, {}, ids);
    expect(h).toMatch(/rel="next".*rel="prev"/);
    const { next, prev } = links(h);
    expect(`${next!.origin}${next!.pathname}`).toBe(BASE);
    expect(next!.searchParams.get('max_id')).toBe('117685413762170883');
    expect(next!.searchParams.has('min_id')).toBe(false);
    expect(prev!.searchParams.get('min_id')).toBe('117685413762170890');
    expect(prev!.searchParams.has('max_id')).toBe(false);
  });

  it('keeps limit and filters but drops the old bounds and the access token', () => {
    const query = { limit: '5', local: 'true', max_id: '999', since_id: '1', min_id: '2', access_token: 'secret-token' };
    const h = linkHeader(BASE, query, ids)!;
    expect(h).not.toContain('secret-token');
    const { next, prev } = links(h);
    for (const u of [next!, prev!]) {
      expect(u.searchParams.get('limit')).toBe('5');
      expect(u.searchParams.get('local')).toBe('true');
      expect(u.searchParams.has('access_token')).toBe(false);
      expect(u.searchParams.has('since_id')).toBe(false);
    }
    expect(next!.searchParams.getAll('max_id')).toEqual(['117685413762170883']);
    expect(prev!.searchParams.getAll('min_id')).toEqual(['117685413762170890']);
    expect(prev!.searchParams.has('max_id')).toBe(false);
  });

  it('escapes parameter values', () => {
    const { next } = links(linkHeader(BASE, { tag: 'a b&c' }, ids));
    expect(next!.searchParams.get('tag')).toBe('a b&c');
  });

  it('keeps array filters such as notifications’ types[] on both links', () => {
    // Fastify's query parser keeps the `[]` in the key …
    const fromQuery = links(linkHeader(BASE, { 'types[]': ['mention', 'follow'], limit: '10' }, ids));
    // … a form body is parsed into a Rails-style array.
    const fromForm = links(linkHeader(BASE, parseFormEncoded('exclude_types[]=reblog&exclude_types[]=favourite'), ids));
    for (const u of [fromQuery.next!, fromQuery.prev!]) expect(u.searchParams.getAll('types[]')).toEqual(['mention', 'follow']);
    for (const u of [fromForm.next!, fromForm.prev!]) expect(u.searchParams.getAll('exclude_types[]')).toEqual(['reblog', 'favourite']);
  });

  it('has no header for an empty page', () => {
    expect(linkHeader(BASE, { limit: '5' }, [])).toBeUndefined();
  });

  it('uses the same id for both links on a one-item page', () => {
    const { next, prev } = links(linkHeader(BASE, {}, ['42']));
    expect(next!.searchParams.get('max_id')).toBe('42');
    expect(prev!.searchParams.get('min_id')).toBe('42');
  });

  it('offers only rel="prev" after a short page, with since_id where a list pages that way', () => {
    const only = links(linkHeader(BASE, { limit: '2' }, ['9'], { more: false, prevKey: 'since_id' }));
    expect(Object.keys(only)).toEqual(['prev']);
    expect(only.prev!.searchParams.get('since_id')).toBe('9');
    expect(only.prev!.searchParams.get('limit')).toBe('2');
  });
});
