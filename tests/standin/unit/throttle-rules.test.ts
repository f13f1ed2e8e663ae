import { describe, expect, it } from 'vitest';
import {
  THROTTLES,
  matchThrottles,
  rubyIso8601,
  type ThrottleRequest,
} from '../../../infra/targets/standin/web/throttle-rules.js';

// Mastodon's Rack::Attack throttles (config/initializers/rack_attack.rb, 4.5; mastodon.md §3).

const T0 = Date.UTC(2026, 10, 27, 0, 0, 0) / 1000; // a multiple of every period below

function req(over: Partial<ThrottleRequest>): ThrottleRequest {
  return { method: 'GET', path: '/api/v1/timelines/public', ip: '203.0.113.7', userId: undefined, tokenId: undefined, paging: false, ...over };
}

const names = (r: ThrottleRequest, now = T0) => matchThrottles(r, now).map((m) => m.rule.name).sort();
const byName = (r: ThrottleRequest, name: string, now = T0) => matchThrottles(r, now).find((m) => m.rule.name === name);

describe('the throttle table', () => {
  it('has Mastodon’s limits and periods', () => {
    const table = Object.fromEntries(THROTTLES.map((t) => [t.name, [t.limit, t.periodSec]]));
    expect(table).toMatchObject({
      throttle_authenticated_api: [1500, 300],
      throttle_per_token_api: [300, 300],
      throttle_unauthenticated_api: [300, 300],
      throttle_api_media: [30, 1800],
      throttle_media_proxy: [30, 600],
      throttle_api_sign_up: [5, 1800],
      throttle_authenticated_paging: [300, 900],
      throttle_unauthenticated_paging: [300, 900],
      throttle_api_delete: [30, 1800],
      'throttle_oauth_application_registrations/ip': [5, 600],
      'throttle_email_confirmations/ip': [25, 300],
    });
  });
});

describe('API sign-up throttle (5 per 30 min per IP)', () => {
  const signUp = req({ method: 'POST', path: '/api/v1/accounts', tokenId: 'app-token-1' });

  it('matches POST /api/v1/accounts, keyed by IP', () => {
    const m = byName(signUp, 'throttle_api_sign_up');
    expect(m).toBeDefined();
    expect(m!.rule.limit).toBe(5);
    expect(m!.rule.periodSec).toBe(1800);
    expect(m!.key).toBe(`rack::attack:${T0 / 1800}:throttle_api_sign_up:203.0.113.7`);
  });

  it('shares one counter between different app tokens on the same IP, and not across IPs', () => {
    const a = byName(signUp, 'throttle_api_sign_up')!.key;
    expect(byName({ ...signUp, tokenId: 'app-token-2' }, 'throttle_api_sign_up')!.key).toBe(a);
    expect(byName({ ...signUp, ip: '203.0.113.8' }, 'throttle_api_sign_up')!.key).not.toBe(a);
  });

  it.each([
    ['GET', '/api/v1/accounts'],
    ['GET', '/api/v1/accounts/123'],
    ['POST', '/api/v1/accounts/123/follow'],
    ['PATCH', '/api/v1/accounts/update_credentials'],
    ['POST', '/api/v1/accounts/'],
    ['POST', '/api/v2/accounts'],
    ['POST', '/auth'],
  ])('does not match %s %s', (method, path) => {
    expect(byName(req({ method, path }), 'throttle_api_sign_up')).toBeUndefined();
  });

  it('applies to localhost too (the 4.2 localhost bypass is gone)', () => {
    expect(byName({ ...signUp, ip: '127.0.0.1' }, 'throttle_api_sign_up')).toBeDefined();
    expect(byName({ ...signUp, ip: '::' }, 'throttle_api_sign_up')).toBeDefined();
  });

  it('keeps the same key within a 30-minute window and changes it exactly at the boundary', () => {
    const key = (now: number) => byName(signUp, 'throttle_api_sign_up', now)!.key;
    expect(key(T0 + 1)).toBe(key(T0));
    expect(key(T0 + 1799.999)).toBe(key(T0));
    expect(key(T0 + 1800)).not.toBe(key(T0));
    expect(key(T0 + 1800)).toBe(key(T0 + 3599));
    expect(key(T0 - 0.001)).not.toBe(key(T0));
  });

  it('reports the end of the fixed window, not a rolling 30 minutes', () => {
    const early = byName(signUp, 'throttle_api_sign_up', T0 + 10)!;
    const late = byName(signUp, 'throttle_api_sign_up', T0 + 1799)!;
    expect(early.windowEndsAt).toBe(T0 + 1800);
    expect(late.windowEndsAt).toBe(T0 + 1800);
    expect(early.resetInSec).toBe(1790);
    expect(late.resetInSec).toBe(1);
    expect(byName(signUp, 'throttle_api_sign_up', T0)!.resetInSec).toBe(1800);
  });
});

describe('who is authenticated', () => {
  it('counts an app token (no user) against the unauthenticated per-IP limit and the per-token limit', () => {
    const r = req({ method: 'POST', path: '/api/v1/accounts', tokenId: 't-app' });
    expect(names(r)).toEqual(['throttle_api_sign_up', 'throttle_per_token_api', 'throttle_unauthenticated_api']);
    expect(byName(r, 'throttle_unauthenticated_api')!.key).toMatch(/:throttle_unauthenticated_api:203\.0\.113\.7$/);
    expect(byName(r, 'throttle_per_token_api')!.key).toMatch(/:throttle_per_token_api:t-app$/);
  });

  it('counts a user token against the user and the token, not the IP', () => {
    const r = req({ path: '/api/v1/timelines/home', userId: 'u42', tokenId: 't7' });
    expect(names(r)).toEqual(['throttle_authenticated_api', 'throttle_per_token_api']);
    expect(byName(r, 'throttle_authenticated_api')!.key).toBe(`rack::attack:${T0 / 300}:throttle_authenticated_api:u42`);
    expect(byName(r, 'throttle_authenticated_api')!.rule.limit).toBe(1500);
  });

  it('counts anonymous API calls per IP only', () => {
    expect(names(req({}))).toEqual(['throttle_unauthenticated_api']);
  });

  it('does not apply API throttles outside /api', () => {
    expect(names(req({ path: '/health' }))).toEqual([]);
    expect(names(req({ path: '/@alice', userId: 'u1', tokenId: 't1' }))).toEqual([]);
  });
});

describe('paging throttles', () => {
  it('apply only to requests with paging parameters', () => {
    expect(names(req({ userId: 'u1', tokenId: 't1' }))).not.toContain('throttle_authenticated_paging');
    expect(names(req({}))).not.toContain('throttle_unauthenticated_paging');
  });

  it('key a signed-in user by user, and anyone else by IP', () => {
    const user = req({ userId: 'u1', tokenId: 't1', paging: true });
    expect(names(user)).toContain('throttle_authenticated_paging');
    expect(names(user)).not.toContain('throttle_unauthenticated_paging');
    expect(byName(user, 'throttle_authenticated_paging')!.key).toBe(`rack::attack:${T0 / 900}:throttle_authenticated_paging:u1`);

    const anon = req({ paging: true, tokenId: 't-app' });
    expect(names(anon)).toContain('throttle_unauthenticated_paging');
    expect(names(anon)).not.toContain('throttle_authenticated_paging');
    expect(byName(anon, 'throttle_unauthenticated_paging')!.key).toMatch(/:203\.0\.113\.7$/);
  });
});

describe('other per-route throttles', () => {
  it('limits media uploads per user', () => {
    const r = req({ method: 'POST', path: '/api/v2/media', userId: 'u1', tokenId: 't1' });
    expect(byName(r, 'throttle_api_media')!.key).toMatch(/:throttle_api_media:u1$/);
    expect(byName({ ...r, method: 'GET' }, 'throttle_api_media')).toBeUndefined();
  });

  it('limits deleting statuses and unreblogging, not reblogging or reading', () => {
    const u = { userId: 'u1', tokenId: 't1' };
    expect(byName(req({ ...u, method: 'DELETE', path: '/api/v1/statuses/109' }), 'throttle_api_delete')).toBeDefined();
    expect(byName(req({ ...u, method: 'POST', path: '/api/v1/statuses/109/unreblog' }), 'throttle_api_delete')).toBeDefined();
    expect(byName(req({ ...u, method: 'POST', path: '/api/v1/statuses/109/reblog' }), 'throttle_api_delete')).toBeUndefined();
    expect(byName(req({ ...u, method: 'GET', path: '/api/v1/statuses/109' }), 'throttle_api_delete')).toBeUndefined();
  });

  it('limits app registrations per IP (5 per 10 min)', () => {
    const m = byName(req({ method: 'POST', path: '/api/v1/apps' }), 'throttle_oauth_application_registrations/ip');
    expect(m!.key).toMatch(/:203\.0\.113\.7$/);
    expect(byName(req({ method: 'GET', path: '/api/v1/apps/verify_credentials' }), 'throttle_oauth_application_registrations/ip')).toBeUndefined();
  });

  it('limits confirmation-mail resends per IP on the API and the web', () => {
    expect(byName(req({ method: 'POST', path: '/api/v1/emails/confirmations', tokenId: 't' }), 'throttle_email_confirmations/ip')).toBeDefined();
    expect(byName(req({ method: 'POST', path: '/auth/confirmation' }), 'throttle_email_confirmations/ip')).toBeDefined();
    expect(byName(req({ method: 'GET', path: '/auth/confirmation' }), 'throttle_email_confirmations/ip')).toBeUndefined();
  });

  it('limits the media proxy per IP', () => {
    expect(names(req({ path: '/media_proxy/123/original' }))).toEqual(['throttle_media_proxy']);
  });
});

describe('X-RateLimit-Reset', () => {
  it('is Ruby’s Time#iso8601(6) in UTC', () => {
    expect(rubyIso8601(Date.UTC(2026, 10, 27, 0, 5, 0) / 1000)).toBe('2026-11-27T00:05:00.000000Z');
    expect(rubyIso8601(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000 + 0.25)).toBe('2026-01-02T03:04:05.250000Z');
    expect(rubyIso8601(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('names the end of the current window', () => {
    const m = byName(req({}), 'throttle_unauthenticated_api', T0 + 4 * 60 + 59.5)!;
    expect(rubyIso8601(m.windowEndsAt)).toBe('2026-11-27T00:05:00.000000Z');
  });
});
