import { circuitColour, failureDay, failureDaysKey, FAILURE_DAYS_THRESHOLD } from './delivery-rules.js';
import type { Federation } from './federation.js';

// DeliveryFailureTracker and the per-inbox Stoplight, kept where Mastodon keeps
// them: failing days in Redis sets, unavailable hosts in the database, the
// circuit's failure count in Redis so every worker process shares it.

const circuitKey = (inbox: string) => `stoplight:delivery:${inbox}`;

export async function isUnavailable(fed: Federation, domain: string): Promise<boolean> {
  const { rowCount } = await fed.db.query('SELECT 1 FROM unavailable_domains WHERE domain = $1', [domain]);
  return (rowCount ?? 0) > 0;
}

/** A failed attempt: today joins the host's failing days; the 7th distinct day makes it unavailable. */
export async function trackFailure(fed: Federation, domain: string, now = new Date()): Promise<void> {
  const key = failureDaysKey(domain);
  const [, days] = ((await fed.redis.multi().sadd(key, failureDay(now)).scard(key).exec()) ?? []).map((r) => r[1]);
  if (Number(days) >= FAILURE_DAYS_THRESHOLD) {
    await fed.db.query('INSERT INTO unavailable_domains (domain) VALUES ($1) ON CONFLICT DO NOTHING', [domain]);
  }
}

/** A delivery that went through, or a validly signed request from the host: it is available again. */
export async function trackSuccess(fed: Federation, domain: string): Promise<void> {
  await fed.redis.del(failureDaysKey(domain));
  await fed.db.query('DELETE FROM unavailable_domains WHERE domain = $1', [domain]);
}

export async function circuitOpen(fed: Federation, inbox: string, nowMs = Date.now()): Promise<boolean> {
  const [failures, last] = await fed.redis.hmget(circuitKey(inbox), 'failures', 'last_failure_at');
  return circuitColour(Number(failures ?? 0), Number(last ?? 0), nowMs) === 'red';
}

export async function circuitFailure(fed: Federation, inbox: string, nowMs = Date.now()): Promise<void> {
  await fed.redis
    .multi()
    .hincrby(circuitKey(inbox), 'failures', 1)
    .hset(circuitKey(inbox), 'last_failure_at', String(nowMs))
    .expire(circuitKey(inbox), 3600)
    .exec();
}

export async function circuitSuccess(fed: Federation, inbox: string): Promise<void> {
  await fed.redis.del(circuitKey(inbox));
}
