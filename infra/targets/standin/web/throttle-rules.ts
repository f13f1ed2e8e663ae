// Mastodon's Rack::Attack throttles (config/initializers/rack_attack.rb, 4.5),
// in the file's order. Pure: which rules a request matches and under which key.

export interface ThrottleRequest {
  method: string;
  path: string;
  /** Client IP as Rack::Attack keys it (IPv6 masked to /64). */
  ip: string;
  /** Owner of the access token; undefined for app tokens and anonymous calls. */
  userId: string | undefined;
  tokenId: string | undefined;
  paging: boolean;
}

export interface ThrottleRule {
  name: string;
  limit: number;
  periodSec: number;
  discriminator(r: ThrottleRequest): string | undefined;
}

const api = (r: ThrottleRequest) => r.path.startsWith('/api');
const post = (r: ThrottleRequest) => r.method === 'POST';
const MIN = 60;

export const THROTTLES: readonly ThrottleRule[] = [
  { name: 'throttle_authenticated_api', limit: 1500, periodSec: 5 * MIN, discriminator: (r) => (api(r) ? r.userId : undefined) },
  { name: 'throttle_per_token_api', limit: 300, periodSec: 5 * MIN, discriminator: (r) => (api(r) ? r.tokenId : undefined) },
  {
    name: 'throttle_unauthenticated_api',
    limit: 300,
    periodSec: 5 * MIN,
    discriminator: (r) => (api(r) && r.userId === undefined ? r.ip : undefined),
  },
  {
    name: 'throttle_api_media',
    limit: 30,
    periodSec: 30 * MIN,
    discriminator: (r) => (post(r) && /^\/api\/v\d+\/media/.test(r.path) ? r.userId : undefined),
  },
  { name: 'throttle_media_proxy', limit: 30, periodSec: 10 * MIN, discriminator: (r) => (r.path.startsWith('/media_proxy') ? r.ip : undefined) },
  { name: 'throttle_api_sign_up', limit: 5, periodSec: 30 * MIN, discriminator: (r) => (post(r) && r.path === '/api/v1/accounts' ? r.ip : undefined) },
  { name: 'throttle_authenticated_paging', limit: 300, periodSec: 15 * MIN, discriminator: (r) => (r.paging ? r.userId : undefined) },
  {
    name: 'throttle_unauthenticated_paging',
    limit: 300,
    periodSec: 15 * MIN,
    discriminator: (r) => (r.paging && r.userId === undefined ? r.ip : undefined),
  },
  {
    name: 'throttle_api_delete',
    limit: 30,
    periodSec: 30 * MIN,
    discriminator: (r) =>
      (r.method === 'DELETE' && /^\/api\/v1\/statuses\/[^/]+$/.test(r.path)) || (post(r) && /^\/api\/v1\/statuses\/[^/]+\/unreblog$/.test(r.path))
        ? r.userId
        : undefined,
  },
  {
    name: 'throttle_oauth_application_registrations/ip',
    limit: 5,
    periodSec: 10 * MIN,
    discriminator: (r) => (post(r) && r.path === '/api/v1/apps' ? r.ip : undefined),
  },
  {
    name: 'throttle_email_confirmations/ip',
    limit: 25,
    periodSec: 5 * MIN,
    discriminator: (r) => (post(r) && (r.path === '/auth/confirmation' || r.path === '/api/v1/emails/confirmations') ? r.ip : undefined),
  },
];

export interface MatchedThrottle {
  rule: ThrottleRule;
  key: string;
  /** Seconds until the fixed window ends; the key expires one second later, as Rack::Attack sets it. */
  resetInSec: number;
  windowEndsAt: number;
}

export function matchThrottles(r: ThrottleRequest, nowSec: number, rules: readonly ThrottleRule[] = THROTTLES): MatchedThrottle[] {
  const out: MatchedThrottle[] = [];
  for (const rule of rules) {
    const d = rule.discriminator(r);
    if (d === undefined) continue;
    const window = Math.floor(nowSec / rule.periodSec);
    const resetInSec = rule.periodSec - (Math.floor(nowSec) % rule.periodSec);
    out.push({ rule, key: `rack::attack:${window}:${rule.name}:${d}`, resetInSec, windowEndsAt: (window + 1) * rule.periodSec });
  }
  return out;
}

/** Ruby's Time#iso8601(6) in UTC, the format of X-RateLimit-Reset. */
export function rubyIso8601(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
