import { describe, expect, it } from 'vitest';
import { KNOWN_SCOPES, allKnown, needed, parseScopes, satisfies, within } from '../../../infra/targets/standin/web/scopes.js';

// Mastodon's OAuth scopes (doorkeeper.rb) and the scope lists its controllers
// pass to doorkeeper_authorize! — a token passes holding any one of them.

const may = (token: string, scope: string) => satisfies(parseScopes(token), needed(scope));

describe('parseScopes', () => {
  it('splits on any whitespace and drops empties', () => {
    expect(parseScopes('read  write:statuses\tfollow\n')).toEqual(['read', 'write:statuses', 'follow']);
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes(undefined)).toEqual([]);
  });
});

describe('what a token may do', () => {
  it('top-level write covers every write:* scope', () => {
    for (const s of ['write:statuses', 'write:accounts', 'write:follows', 'write:media', 'write:notifications']) expect(may('write', s)).toBe(true);
  });

  it('a granular scope covers only itself', () => {
    expect(may('write:statuses', 'write:statuses')).toBe(true);
    expect(may('write:statuses', 'write:accounts')).toBe(false);
    expect(may('write:accounts', 'write:statuses')).toBe(false);
    expect(may('read:statuses', 'read:notifications')).toBe(false);
  });

  it('read does not let a token write, and write does not let it read', () => {
    expect(may('read', 'write:statuses')).toBe(false);
    expect(may('read', 'write:accounts')).toBe(false);
    expect(may('read', 'read:notifications')).toBe(true);
    expect(may('write', 'read:statuses')).toBe(false);
  });

  it('the legacy follow scope covers follows, blocks and mutes, and nothing else', () => {
    for (const s of ['write:follows', 'read:follows', 'write:blocks', 'read:blocks', 'write:mutes', 'read:mutes']) expect(may('follow', s)).toBe(true);
    for (const s of ['write:statuses', 'read:statuses', 'write:accounts', 'read:accounts', 'write:lists']) expect(may('follow', s)).toBe(false);
  });

  it('admin scopes are separate from read/write', () => {
    expect(may('admin:write', 'admin:write:accounts')).toBe(true);
    expect(may('admin:write:accounts', 'admin:write:accounts')).toBe(true);
    expect(may('write', 'admin:write:accounts')).toBe(false);
    expect(may('admin:read', 'admin:write:accounts')).toBe(false);
    expect(may('admin:read', 'admin:read:accounts')).toBe(true);
    expect(may('read', 'admin:read:accounts')).toBe(false);
  });

  it('lists the top-level scope first, then the granular one', () => {
    expect(needed('write:statuses')).toEqual(['write', 'write:statuses']);
    expect(needed('write:follows')).toEqual(['write', 'write:follows', 'follow']);
    expect(needed('admin:write:accounts')).toEqual(['admin:write', 'admin:write:accounts']);
  });

  it('a token with no scopes may do nothing', () => {
    expect(may('', 'read:statuses')).toBe(false);
  });
});

describe('within (client_credentials: requested scopes must be among the app’s)', () => {
  it('accepts a subset of the app’s scopes', () => {
    expect(within(['write:accounts'], ['read', 'write:accounts'])).toBe(true);
    expect(within(['read', 'write:accounts'], ['read', 'write:accounts', 'follow'])).toBe(true);
    expect(within([], ['read'])).toBe(true);
  });

  it('refuses a scope the app was not registered with', () => {
    expect(within(['write'], ['read', 'write:accounts'])).toBe(false);
    expect(within(['write:accounts'], ['read'])).toBe(false);
  });

  it('compares scope names exactly, as Doorkeeper does (write does not imply write:accounts here)', () => {
    expect(within(['write:accounts'], ['write'])).toBe(false);
  });
});

describe('allKnown', () => {
  it('accepts Mastodon’s scopes', () => {
    expect(allKnown(['read', 'write', 'follow', 'push', 'profile', 'write:accounts', 'read:notifications', 'admin:read:accounts'])).toBe(true);
    expect(KNOWN_SCOPES.has('write:statuses')).toBe(true);
  });

  it('rejects misspelt or invented scopes', () => {
    expect(allKnown(['read', 'write:account'])).toBe(false);
    expect(allKnown(['admin'])).toBe(false);
    expect(allKnown(['READ'])).toBe(false);
    expect(allKnown(['write:everything'])).toBe(false);
  });
});
