import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killGroup } from '../../infra/services/child.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { parseExposition, sumOf } from '../../reports/collect/exposition.js';
import { appToken, confirmationLink, eventually, signUp } from './support.js';

// Faults in the background work a wave causes. A worker that dies mid-job must
// not lose the job: the mail sink is slow (a struggling mail provider), the
// worker is SIGKILLed while sending, and the confirmation mail still arrives
// once a new worker takes over. A mail quota running out (kujoe.net hit 7,200 a
// day in 2022) makes mail jobs fail and wait for Sidekiq's retry backoff.

let s: StandinHandle;
let redis: Redis;

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 1, sidekiqConcurrency: 2, mail: { delayMs: 3000, dailyQuota: 1 } });
  redis = new Redis(s.redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await s?.stop();
});

it('requeues the job of a worker killed mid-job, and the next worker delivers the mail', async () => {
  const tok = await appToken(s.baseUrl, '198.18.9.1');
  expect((await signUp(s.baseUrl, tok, 'crash_victim', '198.18.9.2')).status).toBe(200);

  // The mail job is in a worker's hands once it sits in a working list.
  const working = await eventually(async () => {
    for (const key of await redis.keys('working:*')) {
      const jobs = await redis.lrange(key, 0, -1);
      if (jobs.some((j) => j.includes('confirmation_instructions'))) return key;
    }
    return undefined;
  });
  const victim = s.worker();
  killGroup(victim.pid, 'SIGKILL');
  await victim.exited;

  expect(await redis.llen('queue:mailers')).toBe(0);
  expect(await redis.llen(working)).toBe(1);
  // The other thread may have been busy with another job too: every orphan is restarted.
  let orphans = 0;
  for (const key of await redis.keys('working:*')) orphans += await redis.llen(key);
  const noMail = (await (await fetch(`${s.mailApiUrl}/api/v1/search?query=to:crash_victim@surge.test`)).json()) as { messages: unknown[] };
  expect(noMail.messages).toHaveLength(0);

  await s.startWorker();
  const link = await confirmationLink(s.mailApiUrl, 'crash_victim@surge.test', 30_000);
  expect(link).toContain('/auth/confirmation?confirmation_token=');
  expect(await redis.llen(working)).toBe(0);

  const metrics = parseExposition(await (await fetch(s.metricsUrls[1]!)).text());
  expect(sumOf(metrics, 'sidekiq_restarted_jobs_total')).toBe(orphans);
  const mails = (await (await fetch(`${s.mailApiUrl}/api/v1/search?query=to:crash_victim@surge.test`)).json()) as { messages: unknown[] };
  expect(mails.messages).toHaveLength(1);
});

it('retries a mail job refused by the provider with Sidekiq backoff (15-24 s for the first retry)', async () => {
  const tok = await appToken(s.baseUrl, '198.18.9.3');
  expect((await signUp(s.baseUrl, tok, 'over_quota', '198.18.9.4')).status).toBe(200);
  const [raw, score] = await eventually(async () => {
    const r = await redis.zrange('retry', '0', '-1', 'WITHSCORES');
    return r.length === 2 ? r : undefined;
  }, 30_000);
  const job = JSON.parse(raw!);
  expect(job.class).toBe('ActionMailer::MailDeliveryJob');
  expect(job.queue).toBe('mailers');
  expect(job.retry_count).toBe(1);
  expect(job.error_message).toMatch(/quota/i);
  const inSec = Number(score) - Date.now() / 1000;
  expect(inSec).toBeGreaterThan(10);
  expect(inSec).toBeLessThanOrEqual(25);
  const metrics = parseExposition(await (await fetch(s.metricsUrls[1]!)).text());
  expect(sumOf(metrics, 'sidekiq_failed_jobs_total', { job_name: 'ActionMailer::MailDeliveryJob' })).toBe(1);
});
