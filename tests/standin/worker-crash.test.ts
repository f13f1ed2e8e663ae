import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killGroup } from '../../infra/services/child.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { parseExposition, sumOf } from '../../reports/collect/exposition.js';
import { appToken, confirmationLink, eventually, signUp } from './support.js';

// A worker that dies mid-job must not lose the job: the mail sink is slow (a
// struggling mail provider), the worker is SIGKILLed while sending, and the
// confirmation mail still arrives once a new worker takes over.

let s: StandinHandle;
let redis: Redis;

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 1, sidekiqConcurrency: 2, mail: { delayMs: 3000 } });
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
  const noMail = await (await fetch(`${s.mailApiUrl}/api/v1/search?query=to:crash_victim@surge.test`)).json();
  expect(noMail.messages).toHaveLength(0);

  await s.startWorker();
  const link = await confirmationLink(s.mailApiUrl, 'crash_victim@surge.test', 30_000);
  expect(link).toContain('/auth/confirmation?confirmation_token=');
  expect(await redis.llen(working)).toBe(0);

  const metrics = parseExposition(await (await fetch(s.metricsUrls[1]!)).text());
  expect(sumOf(metrics, 'sidekiq_restarted_jobs_total')).toBe(1);
  const mails = await (await fetch(`${s.mailApiUrl}/api/v1/search?query=to:crash_victim@surge.test`)).json();
  expect(mails.messages).toHaveLength(1);
});
