import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import client from 'prom-client';
import { readConfig, workerDbPool } from '../config.js';
import { createPool } from '../db.js';
import { JOB_CLASSES, type JobEnv } from '../jobs/handlers.js';
import { Federation, federationMetrics } from '../federation/federation.js';
import { confirmationMailer } from '../jobs/mailer.js';
import {
  ack, bury, fetchJob, heartbeat, promoteDue, queueStats, recoverOrphans, scheduleRetry, workingKey, HEARTBEAT_TTL_SEC,
} from '../jobs/queue.js';
import { MASTODON_QUEUES, weightedOrder } from '../jobs/weights.js';
import { poolGauges, workerMetrics } from '../metrics.js';
import { serveMetrics } from '../metrics-server.js';

// One Sidekiq process: SIDEKIQ_CONCURRENCY fetch loops sharing a DB pool of
// DB_POOL connections, the retry poller, and recovery of jobs orphaned by a
// process that died mid-job.

const config = readConfig();
const identity = `${hostname()}:${process.pid}`;
const db = createPool(config.databaseUrl, workerDbPool(config));
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const mailer = confirmationMailer(config, db);
const registry = new client.Registry();
const federation = new Federation(config, db, redis, federationMetrics(registry));
const env: JobEnv = { config, db, redis, sendConfirmation: mailer.send, federation };

client.collectDefaultMetrics({ register: registry });
poolGauges(registry, db, workerDbPool(config));
const queues = Object.keys(MASTODON_QUEUES);
const metrics = workerMetrics(registry, config.sidekiqConcurrency, () => queueStats(redis, queues));

let stopping = false;
let busy = 0;
const timers: NodeJS.Timeout[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runThread(thread: number): Promise<void> {
  const working = workingKey(identity, thread);
  let idle = 1;
  while (!stopping) {
    const fetched = await fetchJob(redis, weightedOrder(MASTODON_QUEUES), working).catch(() => undefined);
    if (!fetched) {
      // Sidekiq blocks on BRPOP; polling with a backoff (up to 200 ms when idle)
      // keeps reliable fetch simple without burning CPU on an idle instance.
      idle = Math.min(idle * 2, 200);
      await sleep(idle);
      continue;
    }
    idle = 1;
    const { raw, job } = fetched;
    const klass = JOB_CLASSES[job.class];
    const labels = { job_name: job.class, queue: job.queue };
    busy++;
    metrics.busy.set(busy);
    const end = metrics.duration.startTimer(labels);
    try {
      if (!klass) throw new Error(`unknown job class ${job.class}`);
      await klass.perform(env, job.args);
      await ack(redis, working, raw);
      metrics.jobs.inc(labels);
    } catch (err) {
      metrics.failed.inc(labels);
      const count = job.retry_count ?? 0;
      const max = klass?.maxRetries ?? 0;
      const failed = { ...job, error_message: String((err as Error).message ?? err), failed_at: Date.now() / 1000 };
      if (job.retry !== false && count < max) {
        await scheduleRetry(redis, working, raw, { ...failed, retry_count: count + 1 }, klass!.delay(count));
      } else {
        await bury(redis, working, raw, failed);
        metrics.dead.inc(labels);
      }
    } finally {
      end();
      busy--;
      metrics.busy.set(busy);
    }
  }
}

async function main(): Promise<void> {
  await heartbeat(redis, identity);
  timers.push(setInterval(() => void heartbeat(redis, identity).catch(() => {}), (HEARTBEAT_TTL_SEC * 1000) / 3));
  const recover = async () => {
    const n = await recoverOrphans(redis).catch(() => 0);
    if (n > 0) metrics.restarted.inc(n);
  };
  await recover();
  timers.push(setInterval(() => void recover(), HEARTBEAT_TTL_SEC * 1000));
  timers.push(setInterval(() => void promoteDue(redis).catch(() => {}), 1000));
  const server = await serveMetrics(config.bind, config.workerMetricsPort, async () => ({
    body: await registry.metrics(),
    contentType: registry.contentType,
  }));
  const threads = Array.from({ length: config.sidekiqConcurrency }, (_, i) => runThread(i));

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    timers.forEach(clearInterval);
    // Sidekiq's shutdown: stop fetching, let running jobs finish for a while.
    await Promise.race([Promise.all(threads), sleep(8000)]);
    server.close();
    mailer.close();
    await federation.close().catch(() => {});
    await redis.del(`processes:${identity}`).catch(() => {});
    redis.disconnect();
    await db.end().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdout.write(`${JSON.stringify({ worker: 'ready', pid: process.pid })}\n`);
}

main().catch((err) => {
  process.stderr.write(`standin worker: ${(err as Error).message}\n`);
  process.exit(1);
});
