import type { Redis } from 'ioredis';
import { luaScript } from '../lua.js';
import { matchThrottles, rubyIso8601, type ThrottleRequest } from './throttle-rules.js';

// Counting stops at the first exceeded rule, as Rack::Attack's `any?` does, and
// happens in one round trip so throttling costs the hot path a single call.
const SCRIPT = `
local out = {}
for i = 1, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
  out[i] = n
  if n > tonumber(ARGV[#KEYS + i]) then break end
end
return out`;

const countHits = luaScript(SCRIPT);

export interface ThrottleOutcome {
  throttled: boolean;
  /** Headers for the rule nearest its limit (or the one that was exceeded). */
  headers: Record<string, string>;
}

export async function checkThrottles(redis: Redis, req: ThrottleRequest, nowSec = Date.now() / 1000): Promise<ThrottleOutcome> {
  const matched = matchThrottles(req, nowSec);
  if (matched.length === 0) return { throttled: false, headers: {} };
  const counts = (await countHits(
    redis,
    matched.map((m) => m.key),
    [...matched.map((m) => String(m.resetInSec + 1)), ...matched.map((m) => String(m.rule.limit))],
  )) as number[];
  let nearest = 0;
  let nearestRemaining = Infinity;
  for (let i = 0; i < counts.length; i++) {
    const remaining = matched[i]!.rule.limit - counts[i]!;
    if (remaining < 0) {
      return { throttled: true, headers: headersFor(matched[i]!.rule.limit, 0, matched[i]!.windowEndsAt) };
    }
    if (remaining < nearestRemaining) {
      nearestRemaining = remaining;
      nearest = i;
    }
  }
  const m = matched[nearest]!;
  return { throttled: false, headers: headersFor(m.rule.limit, nearestRemaining, m.windowEndsAt) };
}

function headersFor(limit: number, remaining: number, resetAt: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': rubyIso8601(resetAt),
  };
}
