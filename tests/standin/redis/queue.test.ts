import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '../../../infra/services/redis.js';
import {
  ack,
  enqueue,
  enqueueBulk,
  fetchJob,
  heartbeat,
  newJob,
  promoteDue,
  queueStats,
  recoverOrphans,
  scheduleRetry,
  workingKey,
  type Job,
} from '../../../infra/targets/standin/jobs/queue.js';

// The stand-in's Sidekiq-shaped queue on a real Redis: jobs as JSON in
// `queue:<name>` lists, reliable fetch into a per-thread working list, the
// `retry` sorted set, orphan recovery, and Sidekiq's backlog/latency figures.

let server: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushdb();
});

const jobsIn = async (key: string) => (await redis.lrange(key, 0, -1)).map((raw) => JSON.parse(raw) as Job);

describe('enqueue', () => {
  it('stores a Sidekiq-shaped job in queue:<name> and registers the queue', async () => {
    const before = Date.now() / 1000;
    const jid = await enqueue(redis, 'mailers', 'ActionMailer::MailDeliveryJob', ['UserMailer', 'confirmation_instructions', 'deliver_now', '7']);
    const [job] = await jobsIn('queue:mailers');
    expect(job).toMatchObject({
      class: 'ActionMailer::MailDeliveryJob',
      args: ['UserMailer', 'confirmation_instructions', 'deliver_now', '7'],
      queue: 'mailers',
      jid,
      retry: true,
    });
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(job!.enqueued_at).toBeGreaterThanOrEqual(before - 0.001);
    expect(job!.enqueued_at).toBeLessThanOrEqual(Date.now() / 1000 + 0.001);
    expect(await redis.smembers('queues')).toEqual(['mailers']);
  });

  it('gives every job its own jid', async () => {
    const jids = await Promise.all(Array.from({ length: 50 }, () => enqueue(redis, 'default', 'X', [])));
    expect(new Set(jids).size).toBe(50);
  });
});

describe('reliable fetch', () => {
  const W = workingKey('host-a:100', 0);

  it('hands out jobs oldest first and moves each into the working list until acked', async () => {
    await enqueue(redis, 'default', 'First', [1]);
    await enqueue(redis, 'default', 'Second', [2]);

    const got = await fetchJob(redis, ['default'], W);
    expect(got!.job.class).toBe('First');
    expect(await redis.llen('queue:default')).toBe(1);
    expect(await redis.lrange(W, 0, -1)).toEqual([got!.raw]);

    await ack(redis, W, got!.raw);
    expect(await redis.exists(W)).toBe(0);
    expect(await redis.llen('queue:default')).toBe(1);
    expect((await fetchJob(redis, ['default'], W))!.job.class).toBe('Second');
  });

  it('tries queues in the order given and returns nothing when all are empty', async () => {
    expect(await fetchJob(redis, ['push', 'default'], W)).toBeUndefined();
    await enqueue(redis, 'default', 'D', []);
    await enqueue(redis, 'push', 'P', []);
    expect((await fetchJob(redis, ['push', 'default'], W))!.job.class).toBe('P');
    expect((await fetchJob(redis, ['push', 'default'], W))!.job.class).toBe('D');
    expect(await fetchJob(redis, ['push', 'default'], W)).toBeUndefined();
    expect(await redis.llen(W)).toBe(2);
  });

  it('ack removes only the acked job', async () => {
    await enqueue(redis, 'default', 'A', []);
    await enqueue(redis, 'default', 'B', []);
    const a = await fetchJob(redis, ['default'], W);
    const b = await fetchJob(redis, ['default'], W);
    await ack(redis, W, a!.raw);
    expect(await redis.lrange(W, 0, -1)).toEqual([b!.raw]);
  });
});

describe('recoverOrphans', () => {
  it('puts a job left by a process without a heartbeat back at the head of its queue', async () => {
    const dead = workingKey('host-dead:4242', 3);
    await enqueue(redis, 'default', 'Orphan', ['o']);
    const orphan = await fetchJob(redis, ['default'], dead);
    await enqueue(redis, 'default', 'Waiting1', []);
    await enqueue(redis, 'default', 'Waiting2', []);

    expect(await recoverOrphans(redis)).toBe(1);
    expect(await redis.exists(dead)).toBe(0);
    expect(await redis.llen('queue:default')).toBe(3);
    const next = await fetchJob(redis, ['default'], workingKey('host-b:1', 0));
    expect(next!.raw).toBe(orphan!.raw);
    expect(next!.job.args).toEqual(['o']);
  });

  it('leaves the working list of a live process alone', async () => {
    const liveIdentity = 'host-live:777';
    const live = workingKey(liveIdentity, 0);
    const dead = workingKey('host-dead:888', 0);
    await heartbeat(redis, liveIdentity);
    await enqueue(redis, 'push', 'Busy', []);
    await enqueue(redis, 'mailers', 'Lost', []);
    const busy = await fetchJob(redis, ['push'], live);
    await fetchJob(redis, ['mailers'], dead);

    expect(await recoverOrphans(redis)).toBe(1);
    expect(await redis.lrange(live, 0, -1)).toEqual([busy!.raw]);
    expect(await redis.llen('queue:push')).toBe(0);
    expect((await jobsIn('queue:mailers')).map((j) => j.class)).toEqual(['Lost']);
    expect(await recoverOrphans(redis)).toBe(0);
  });

  it('recovers once the heartbeat has expired', async () => {
    const identity = 'host-c:9';
    const key = workingKey(identity, 1);
    await heartbeat(redis, identity);
    await enqueue(redis, 'default', 'Slow', []);
    await fetchJob(redis, ['default'], key);
    expect(await recoverOrphans(redis)).toBe(0);
    await redis.del(`processes:${identity}`); // what the TTL does when the process dies
    expect(await recoverOrphans(redis)).toBe(1);
    expect(await redis.llen('queue:default')).toBe(1);
  });
});

describe('retries', () => {
  const W = workingKey('host-r:1', 0);

  async function failOne(args: unknown[], delaySec: number): Promise<{ raw: string; job: Job; at: number }> {
    await enqueue(redis, 'default', 'Flaky', args);
    const { raw, job } = (await fetchJob(redis, ['default'], W))!;
    const failed: Job = { ...job, retry_count: 1, error_message: 'boom', failed_at: Date.now() / 1000 };
    const at = Date.now() / 1000;
    await scheduleRetry(redis, W, raw, failed, delaySec);
    return { raw, job: failed, at };
  }

  it('scheduleRetry moves the job from the working list into `retry`, due after the delay', async () => {
    const { at } = await failOne(['x'], 30);
    expect(await redis.exists(W)).toBe(0);
    expect(await redis.llen('queue:default')).toBe(0);
    const entries = await redis.zrange('retry', '0', '-1', 'WITHSCORES');
    expect(entries).toHaveLength(2);
    expect(JSON.parse(entries[0]!)).toMatchObject({ class: 'Flaky', retry_count: 1, error_message: 'boom' });
    expect(Number(entries[1])).toBeGreaterThanOrEqual(at + 30 - 1);
    expect(Number(entries[1])).toBeLessThanOrEqual(at + 30 + 1);
  });

  it('promoteDue brings back only due jobs, with their retry state and a fresh enqueued_at', async () => {
    const now = Date.now() / 1000;
    await failOne(['due'], 5);
    await failOne(['later'], 3600);

    expect(await promoteDue(redis, now)).toBe(0);
    expect(await redis.zcard('retry')).toBe(2);

    expect(await promoteDue(redis, now + 10)).toBe(1);
    expect(await redis.zcard('retry')).toBe(1);
    const [back] = await jobsIn('queue:default');
    expect(back).toMatchObject({ class: 'Flaky', args: ['due'], retry_count: 1, error_message: 'boom', queue: 'default' });
    expect(back!.enqueued_at).toBeCloseTo(now + 10, 3);
    expect(await promoteDue(redis, now + 10)).toBe(0);
  });

  it('a promoted job waits behind jobs already queued, as Sidekiq re-pushes it', async () => {
    const now = Date.now() / 1000;
    await failOne(['retried'], 1);
    await enqueue(redis, 'default', 'Fresh', []);
    await promoteDue(redis, now + 5);
    expect((await fetchJob(redis, ['default'], W))!.job.class).toBe('Fresh');
    expect((await fetchJob(redis, ['default'], W))!.job.args).toEqual(['retried']);
  });

  it('keeps job arguments exactly as they were enqueued', async () => {
    const args = ['117685413762170883', 1234567890123456, 0.1 + 0.2, [], {}, [[]], { ids: [] }, 'https://a.example/b', null, true];
    const now = Date.now() / 1000;
    await failOne(args, 1);
    await promoteDue(redis, now + 5);
    const got = await fetchJob(redis, ['default'], W);
    expect(got!.job.args).toEqual(args);
    expect(Array.isArray(got!.job.args)).toBe(true);
  });

  it('goes back to the queue it came from', async () => {
    const now = Date.now() / 1000;
    await enqueue(redis, 'push', 'Deliver', ['inbox']);
    const { raw, job } = (await fetchJob(redis, ['push'], W))!;
    await scheduleRetry(redis, W, raw, { ...job, retry_count: 1 }, 1);
    await promoteDue(redis, now + 5);
    expect(await redis.llen('queue:default')).toBe(0);
    expect((await jobsIn('queue:push')).map((j) => j.args)).toEqual([['inbox']]);
  });
});

describe('queueStats', () => {
  it('reports backlog and latency as the age of the oldest job', async () => {
    const now = 1_800_000_000;
    for (const age of [30, 20, 10]) {
      await redis.lpush('queue:default', JSON.stringify({ ...newJob('default', 'Old', []), enqueued_at: now - age }));
    }
    await redis.lpush('queue:push', JSON.stringify({ ...newJob('push', 'P', []), enqueued_at: now - 2.5 }));

    const stats = await queueStats(redis, ['default', 'push', 'mailers'], now);
    expect(stats).toEqual([
      { queue: 'default', backlog: 3, latencySec: 30 },
      { queue: 'push', backlog: 1, latencySec: 2.5 },
      { queue: 'mailers', backlog: 0, latencySec: 0 },
    ]);
  });

  it('drops latency once the oldest job is taken', async () => {
    const now = 1_800_000_000;
    for (const age of [60, 5]) await redis.lpush('queue:default', JSON.stringify({ ...newJob('default', 'J', []), enqueued_at: now - age }));
    await fetchJob(redis, ['default'], workingKey('h:1', 0));
    expect(await queueStats(redis, ['default'], now)).toEqual([{ queue: 'default', backlog: 1, latencySec: 5 }]);
  });

  it('counts real enqueues', async () => {
    await enqueue(redis, 'ingress', 'I', []);
    const [s] = await queueStats(redis, ['ingress'], Date.now() / 1000 + 3);
    expect(s!.backlog).toBe(1);
    expect(s!.latencySec).toBeGreaterThan(2.9);
    expect(s!.latencySec).toBeLessThan(4);
  });
});

describe('enqueueBulk', () => {
  it('lands exactly 2,500 jobs, in order, each with its own jid', async () => {
    const argsList = Array.from({ length: 2500 }, (_, i) => ['117685413762170883', String(i), 'home']);
    await enqueueBulk(redis, 'default', 'FeedInsertWorker', argsList);
    expect(await redis.llen('queue:default')).toBe(2500);
    const jobs = await jobsIn('queue:default');
    expect(new Set(jobs.map((j) => j.jid)).size).toBe(2500);
    expect(jobs.every((j) => j.class === 'FeedInsertWorker' && j.queue === 'default')).toBe(true);
    expect(new Set(jobs.map((j) => j.args[1])).size).toBe(2500);
    const W = workingKey('h:2', 0);
    expect((await fetchJob(redis, ['default'], W))!.job.args).toEqual(['117685413762170883', '0', 'home']);
    expect((await fetchJob(redis, ['default'], W))!.job.args[1]).toBe('1');
    expect(await redis.smembers('queues')).toEqual(['default']);
  });

  it('does nothing for an empty list', async () => {
    await enqueueBulk(redis, 'default', 'FeedInsertWorker', []);
    expect(await redis.exists('queue:default')).toBe(0);
  });
});
