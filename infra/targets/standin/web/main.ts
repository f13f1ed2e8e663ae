import cluster from 'node:cluster';
import { Redis } from 'ioredis';
import client from 'prom-client';
import { readConfig, webDbPool } from '../config.js';
import { createPool } from '../db.js';
import { poolGauges, webMetrics } from '../metrics.js';
import { serveMetrics } from '../metrics-server.js';
import { buildApp } from './app.js';
import { TrustedProxies } from './remote-ip.js';
import { ThreadPool } from './threads.js';

// Puma in cluster mode: a primary that forks WEB_CONCURRENCY processes sharing
// the listening socket, each with MAX_THREADS threads and its own DB pool. The
// primary serves the processes' metrics summed, like one exporter per host.

const config = readConfig();
// A process's exit code when the port is taken (EX_UNAVAILABLE).
const BIND_FAILED = 69;

if (cluster.isPrimary) {
  const aggregator = new client.AggregatorRegistry();
  const workers = new client.Gauge({ name: 'puma_workers', help: 'Web processes configured', registers: [] });
  workers.set(config.webConcurrency);
  let stopping = false;
  let listening = 0;
  const fork = () => cluster.fork();
  cluster.on('listening', () => {
    listening++;
    if (listening === config.webConcurrency) process.stdout.write(`${JSON.stringify({ web: 'ready', pid: process.pid })}\n`);
  });
  cluster.on('exit', (worker, code) => {
    // Puma refuses to boot when its port is taken; restarting would never help.
    if (code === BIND_FAILED) {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGKILL');
      process.exit(BIND_FAILED);
    }
    // Puma replaces a crashed worker; a clean exit during shutdown is expected.
    if (!stopping && code !== 0) {
      process.stderr.write(`standin web: process ${worker.process.pid} exited with ${code}; restarting\n`);
      fork();
    }
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  for (let i = 0; i < config.webConcurrency; i++) fork();
  const server = await serveMetrics(config.bind, config.webMetricsPort, async () => {
    const merged = await aggregator.clusterMetrics();
    return { body: `${merged}\n${await workersText()}`, contentType: aggregator.contentType };
  });
  async function workersText() {
    const r = new client.Registry();
    r.registerMetric(workers);
    return r.metrics();
  }
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 10_000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} else {
  const db = createPool(config.databaseUrl, webDbPool(config));
  // Commands that concurrent requests issue in the same tick leave in one write:
  // the same Redis work in fewer system calls.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const threads = new ThreadPool(config.maxThreads);
  // prom-client installs the worker's answer to the primary's metrics request
  // only when an AggregatorRegistry is constructed in this process too.
  new client.AggregatorRegistry();
  client.collectDefaultMetrics();
  poolGauges(client.register, db, webDbPool(config));
  const metrics = webMetrics(client.register, threads);
  const app = buildApp({ config, db, redis, proxies: new TrustedProxies(config.trustedProxyIp) }, threads, metrics);
  await app.listen({ host: config.bind, port: config.port }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    process.stderr.write(`standin web: ${config.bind}:${config.port} is already in use by another process; give the stand-in another port\n`);
    process.exit(BIND_FAILED);
  });
  const shutdown = async () => {
    await app.close().catch(() => {});
    redis.disconnect();
    await db.end().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => {});
}
