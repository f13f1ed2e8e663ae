import { afterEach, describe, expect, it } from 'vitest';
import { bool, limit, list, parseFormEncoded, str } from '../../../infra/targets/standin/web/params.js';

// Rails/Rack parameter parsing as Mastodon's controllers see a form body:
// `a[]=` arrays, `a[b]=` hashes, `+` as space, and no crash on bad encoding.

describe('parseFormEncoded', () => {
  it('reads plain fields, decoding percent-escapes and `+` as a space', () => {
    expect(parseFormEncoded('username=alice&email=alice%40example.org&reason=hello+there%21')).toEqual({
      username: 'alice',
      email: 'alice@example.org',
      reason: 'hello there!',
    });
  });

  it('keeps an encoded plus as a plus', () => {
    expect(parseFormEncoded('password=a%2Bb+c')).toEqual({ password: 'a+b c' });
  });

  it('collects `a[]=1&a[]=2` into an array, in order', () => {
    expect(parseFormEncoded('scopes[]=read&scopes[]=write&scopes[]=follow')).toEqual({ scopes: ['read', 'write', 'follow'] });
    expect(parseFormEncoded('types%5B%5D=mention&types%5B%5D=follow')).toEqual({ types: ['mention', 'follow'] });
  });

  it('builds hashes from `a[b]=c`, nested arrays included', () => {
    expect(parseFormEncoded('user[email]=a%40b.c&user[agreement]=1&a[b][]=1&a[b][]=2')).toEqual({
      user: { email: 'a@b.c', agreement: '1' },
      a: { b: ['1', '2'] },
    });
  });

  it('lets the last value win for a repeated scalar, like Rack', () => {
    expect(parseFormEncoded('limit=5&limit=9')).toEqual({ limit: '9' });
  });

  it('gives a key without `=` an empty value and skips empty pairs', () => {
    expect(parseFormEncoded('agreement&&locale=en&')).toEqual({ agreement: '', locale: 'en' });
    expect(parseFormEncoded('')).toEqual({});
  });

  it('does not throw on malformed percent-encoding and still reads the other fields', () => {
    let out: Record<string, unknown> = {};
    expect(() => {
      out = parseFormEncoded('note=100%&bad=%E0%A4%A&username=bob&%zz=1');
    }).not.toThrow();
    expect(out.username).toBe('bob');
    expect(out.note).toBe('100%');
    expect(typeof out.bad).toBe('string');
    expect(out['%zz']).toBe('1');
  });

  describe('hostile keys', () => {
    afterEach(() => {
      delete (Object.prototype as Record<string, unknown>).polluted;
    });

    it('cannot add properties to every object in the process', () => {
      parseFormEncoded('__proto__[polluted]=yes&username=eve');
      parseFormEncoded('constructor[prototype][polluted]=yes');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('keeps them as ordinary parameters and still reads the other fields', () => {
      const p = parseFormEncoded('__proto__[polluted]=yes&username=eve');
      expect(p.username).toBe('eve');
      expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
      expect(Object.keys(p).sort()).toEqual(['__proto__', 'username']);
    });
  });
});

describe('str', () => {
  it('returns scalars as strings and treats arrays and hashes as absent', () => {
    const p = parseFormEncoded('a=1&b[]=x&c[d]=e');
    expect(str(p, 'a')).toBe('1');
    expect(str(p, 'b')).toBeUndefined();
    expect(str(p, 'c')).toBeUndefined();
    expect(str(p, 'missing')).toBeUndefined();
    expect(str({ n: 40, t: true }, 'n')).toBe('40');
    expect(str({ n: 40, t: true }, 't')).toBe('true');
  });
});

describe('bool (Rails boolean casting)', () => {
  it.each(['1', 'true', 'on', 't', 'TRUE', 'yes', 'anything'])('%s is true', (v) => {
    expect(bool({ v }, 'v')).toBe(true);
  });
  it.each(['0', 'false', 'off', 'f', 'F', 'FALSE', 'OFF'])('%s is false', (v) => {
    expect(bool({ v }, 'v')).toBe(false);
  });
  it('is undefined when absent or blank', () => {
    expect(bool({}, 'v')).toBeUndefined();
    expect(bool({ v: '' }, 'v')).toBeUndefined();
    expect(bool({ v: null }, 'v')).toBeUndefined();
  });
  it('accepts JSON booleans and numbers', () => {
    expect(bool({ v: true }, 'v')).toBe(true);
    expect(bool({ v: false }, 'v')).toBe(false);
    expect(bool({ v: 0 }, 'v')).toBe(false);
    expect(bool({ v: 1 }, 'v')).toBe(true);
  });
});

describe('list', () => {
  it('reads an array from a form body, a query string (`types[]` key) or a single value', () => {
    expect(list(parseFormEncoded('types[]=mention&types[]=follow'), 'types')).toEqual(['mention', 'follow']);
    expect(list({ 'types[]': ['mention', 'reblog'] }, 'types')).toEqual(['mention', 'reblog']);
    expect(list({ 'types[]': 'mention' }, 'types')).toEqual(['mention']);
    expect(list({ types: 'follow' }, 'types')).toEqual(['follow']);
    expect(list({}, 'types')).toEqual([]);
  });

  it('drops non-string members (from JSON bodies)', () => {
    expect(list({ types: ['mention', 3, null, 'poll'] }, 'types')).toEqual(['mention', 'poll']);
  });
});

describe('limit', () => {
  it('uses the default when absent', () => {
    expect(limit({}, 20, 40)).toBe(20);
  });
  it('honours a smaller limit', () => {
    expect(limit({ limit: '5' }, 20, 40)).toBe(5);
    expect(limit({ limit: 7 }, 20, 40)).toBe(7);
  });
  it('clamps to the endpoint maximum', () => {
    expect(limit({ limit: '500' }, 20, 40)).toBe(40);
    expect(limit({ limit: '40' }, 20, 40)).toBe(40);
  });
  it('reads limits the way Ruby\'s to_i.abs does', () => {
    expect(limit({ limit: '-5' }, 20, 40)).toBe(5);
    expect(limit({ limit: '0' }, 20, 40)).toBe(0);
    expect(limit({ limit: 'abc' }, 20, 40)).toBe(0);
    expect(limit({ limit: '12abc' }, 20, 40)).toBe(12);
  });
  it('ignores a limit given as an array', () => {
    expect(limit({ limit: ['5'] }, 20, 40)).toBe(20);
  });
});
