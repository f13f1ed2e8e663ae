import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Jobs are stored as Sidekiq stores them (JSON in `queue:<name>` lists, the
// `retry` and `dead` sorted sets), so the same queue metrics and the same
// Redis inspection work as on a real instance.

export interface Job {
  class: string;
  args: unknown[];
  queue: string;
  jid: string;
  created_at: number;
  enqueued_at: number;
  retry: boolean | number;
  retry_count?: number;
  error_message?: string;
  failed_at?: number;
}

export function newJob(queue: string, klass: string, args: unknown[], retry: boolean | number = true): Job {
  const now = Date.now() / 1000;
  return { class: klass, args, queue, jid: randomBytes(12).toString('hex'), created_at: now, enqueued_at: now, retry };
}

export async function enqueue(redis: Redis, queue: string, klass: string, args: unknown[], retry: boolean | number = true): Promise<string> {
  const job = newJob(queue, klass, args, retry);
  await redis.multi().sadd('queues', queue).lpush(`queue:${queue}`, JSON.stringify(job)).exec();
  return job.jid;
}

/** Sidekiq's push_bulk: one job per argument list, pushed 1,000 at a time. */
export async function enqueueBulk(redis: Redis, queue: string, klass: string, argsList: unknown[][]): Promise<void> {
  for (let i = 0; i < argsList.length; i += 1000) {
    const batch = argsList.slice(i, i + 1000).map((args) => JSON.stringify(newJob(queue, klass, args)));
    await redis.multi().sadd('queues', queue).lpush(`queue:${queue}`, ...batch).exec();
  }
}

// Reliable fetch: the job moves atomically into this thread's working list, so
// a worker that dies mid-job leaves it there for the janitor to requeue.
const FETCH = `
for i = 1, #KEYS do
  local job = redis.call('LMOVE', KEYS[i], ARGV[1], 'RIGHT', 'LEFT')
  if job then return job end
end
return false`;

export async function fetchJob(redis: Redis, queueOrder: string[], workingKey: string): Promise<{ raw: string; job: Job } | undefined> {
  const raw = (await redis.eval(FETCH, queueOrder.length, ...queueOrder.map((q) => `queue:${q}`), workingKey)) as string | null;
  if (!raw) return undefined;
  return { raw, job: JSON.parse(raw) as Job };
}

export async function ack(redis: Redis, workingKey: string, raw: string): Promise<void> {
  await redis.lrem(workingKey, 1, raw);
}

export async function scheduleRetry(redis: Redis, workingKey: string, raw: string, job: Job, delaySec: number): Promise<void> {
  await redis.multi().zadd('retry', String(Date.now() / 1000 + delaySec), JSON.stringify(job)).lrem(workingKey, 1, raw).exec();
}

export async function bury(redis: Redis, workingKey: string, raw: string, job: Job): Promise<void> {
  await redis.multi().zadd('dead', String(Date.now() / 1000), JSON.stringify(job)).lrem(workingKey, 1, raw).exec();
}

// Sidekiq's scheduled-set poller: due retries are pushed onto their queue
// again, behind the jobs already waiting, as Sidekiq's Client#push does. The
// job is re-serialised here, not in Lua: cjson would turn [] into {} and round
// numbers to 14 digits. ZREM decides which poller gets to push a job.
const PROMOTE = `
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    local job = cjson.decode(ARGV[i + 1])
    redis.call('LPUSH', 'queue:' .. job['queue'], ARGV[i + 1])
    n = n + 1
  end
end
return n`;

export async function promoteDue(redis: Redis, nowSec = Date.now() / 1000): Promise<number> {
  const due = await redis.zrangebyscore('retry', '-inf', String(nowSec), 'LIMIT', 0, 100);
  if (due.length === 0) return 0;
  const pairs = due.flatMap((raw) => [raw, JSON.stringify({ ...(JSON.parse(raw) as Job), enqueued_at: nowSec })]);
  return (await redis.eval(PROMOTE, 1, 'retry', ...pairs)) as number;
}

// Jobs left in the working list of a process whose heartbeat expired are put
// back at the front of their queue (Sidekiq Pro's super_fetch recovery).
const RECOVER = `
local n = 0
while true do
  local raw = redis.call('RPOP', KEYS[1])
  if not raw then break end
  local job = cjson.decode(raw)
  redis.call('RPUSH', 'queue:' .. job['queue'], raw)
  n = n + 1
end
return n`;

export const HEARTBEAT_TTL_SEC = 6;

export function workingKey(identity: string, thread: number): string {
  return `working:${identity}:${thread}`;
}

export async function heartbeat(redis: Redis, identity: string): Promise<void> {
  await redis.set(`processes:${identity}`, '1', 'EX', HEARTBEAT_TTL_SEC);
}

export async function recoverOrphans(redis: Redis): Promise<number> {
  let recovered = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'working:*', 'COUNT', 200);
    cursor = next;
    for (const key of keys) {
      const identity = key.slice('working:'.length, key.lastIndexOf(':'));
      if (await redis.exists(`processes:${identity}`)) continue;
      recovered += (await redis.eval(RECOVER, 1, key)) as number;
    }
  } while (cursor !== '0');
  return recovered;
}

export interface QueueStat {
  queue: string;
  backlog: number;
  latencySec: number;
}

/** Backlog and latency per queue as Sidekiq computes them: the age of the oldest job. */
export async function queueStats(redis: Redis, queues: string[], nowSec = Date.now() / 1000): Promise<QueueStat[]> {
  const p = redis.pipeline();
  for (const q of queues) p.llen(`queue:${q}`).lindex(`queue:${q}`, -1);
  const res = (await p.exec()) ?? [];
  return queues.map((queue, i) => {
    const backlog = Number(res[2 * i]?.[1] ?? 0);
    const oldest = res[2 * i + 1]?.[1] as string | null;
    const enq = oldest ? (JSON.parse(oldest) as Job).enqueued_at : nowSec;
    return { queue, backlog, latencySec: Math.max(0, nowSec - enq) };
  });
}
