import { fileURLToPath } from 'node:url';
import { describeExit, spawnService, stopService, type ServiceProcess } from '../../services/child.js';
import { startMailSink, type MailSinkHandle } from '../../services/mailsink.js';
import { pollUntil } from '../../services/poll.js';
import { freePorts } from '../../services/ports.js';
import { startPostgres, type PostgresHandle } from '../../services/postgres.js';
import { startRedis, type RedisHandle } from '../../services/redis.js';
import { ensureOwner } from './bootstrap.js';
import type { RegistrationsMode } from './config.js';
import { createPool, migrate } from './db.js';
import { formatHostMap } from './federation/addressing.js';

// Starts a whole stand-in instance the way Mastodon is deployed: PostgreSQL,
// Redis and a mail server, then the web (Puma-like), worker (Sidekiq-like) and
// streaming processes, and stops it all again in reverse order.

export interface StandinSizing {
  webConcurrency?: number;
  maxThreads?: number;
  sidekiqConcurrency?: number;
  dbPool?: number;
}

export interface StandinOptions extends StandinSizing {
  bind?: string;
  port?: number;
  registrationsMode?: RegistrationsMode;
  trustedProxyIp?: string;
  mail?: { delayMs?: number; dailyQuota?: number };
  /** LOCAL_DOMAIN, the name in this instance's ActivityPub URIs (default: its own address:port). */
  localDomain?: string;
  /** FEDERATION_HOSTS: peer domain → loopback address[:port] it is reached at (federation/README.md). */
  federationHosts?: Record<string, string>;
  /** Where processes' own output goes; silent by default so a TTY shows only progress. */
  onLog?: (line: string) => void;
}

export interface StandinHandle {
  target: 'standin';
  baseUrl: string;
  /** The streaming server (mastodon-streaming), its own process and port: `ws://…/api/v1/streaming`. */
  streamingUrl: string;
  /** Web, worker and streaming, in that order. */
  metricsUrls: string[];
  streamingMetricsUrl: string;
  mailApiUrl: string;
  postgresUrl: string;
  redisUrl: string;
  /** Owner token with admin scopes; never printed. */
  adminToken: string;
  sizing: Required<Omit<StandinSizing, 'dbPool'>> & { dbPool: number | undefined };
  /** The domain in its ActivityPub URIs (LOCAL_DOMAIN). */
  localDomain: string;
  /** The web process, for outage rehearsals (federation peers retrying deliveries). */
  web(): ServiceProcess;
  startWeb(): Promise<void>;
  /** The worker process, for crash rehearsals. */
  worker(): ServiceProcess;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// tsx resolved from here, not from the caller's folder: surge may run from anywhere.
function childArgs(entry: string): string[] {
  return ['--import', import.meta.resolve('tsx'), here(entry)];
}

export async function startStandin(opts: StandinOptions = {}): Promise<StandinHandle> {
  const started: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    started.length = 0;
  };
  try {
    // Started together; when one fails (e.g. initdb hit by the same Ctrl-C), the others are stopped too.
    const services = await Promise.allSettled([
      startPostgres({ maxConnections: 400 }),
      startRedis(),
      startMailSink({ delayMs: opts.mail?.delayMs, dailyQuota: opts.mail?.dailyQuota }),
    ]);
    for (const s of services) if (s.status === 'fulfilled') started.unshift(() => s.value.stop());
    const failed = services.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [pg, redis, mail] = services.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PostgresHandle, RedisHandle, MailSinkHandle];

    const bind = opts.bind ?? '127.0.0.1';
    const fixed = opts.port === undefined ? [] : [opts.port];
    const chosen = await freePorts(4 - fixed.length, bind, fixed);
    const [port, webMetricsPort, workerMetricsPort, streamingPort] = [...fixed, ...chosen] as [number, number, number, number];
    const host = bind.includes(':') ? `[${bind}]` : bind;
    const streamingHttp = `http://${host}:${streamingPort}`;
    const sizing = {
      webConcurrency: opts.webConcurrency ?? 2,
      maxThreads: opts.maxThreads ?? 5,
      sidekiqConcurrency: opts.sidekiqConcurrency ?? 5,
      dbPool: opts.dbPool,
    };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      BIND: bind,
      PORT: String(port),
      WEB_METRICS_PORT: String(webMetricsPort),
      WORKER_METRICS_PORT: String(workerMetricsPort),
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      SMTP_SERVER: mail.smtpHost,
      SMTP_PORT: String(mail.smtpPort),
      WEB_CONCURRENCY: String(sizing.webConcurrency),
      MAX_THREADS: String(sizing.maxThreads),
      SIDEKIQ_CONCURRENCY: String(sizing.sidekiqConcurrency),
      ...(sizing.dbPool ? { DB_POOL: String(sizing.dbPool) } : {}),
      ...(opts.trustedProxyIp ? { TRUSTED_PROXY_IP: opts.trustedProxyIp } : {}),
      REGISTRATIONS_MODE: opts.registrationsMode ?? 'open',
      STREAMING_API_BASE_URL: streamingHttp.replace(/^http/, 'ws'),
      ...(opts.localDomain ? { LOCAL_DOMAIN: opts.localDomain } : {}),
      ...(opts.federationHosts ? { FEDERATION_HOSTS: formatHostMap(opts.federationHosts) } : {}),
    };
    const baseUrl = `http://${host}:${port}`;

    const db = createPool(pg.url, 2);
    await migrate(db);
    const owner = await ensureOwner(db, `${bind}:${port}`);
    await db.end();

    const cwd = process.cwd();
    const spawnChild = async (entry: string, ready: string, what: string, childEnv = env) => {
      const proc = await spawnService(process.execPath, childArgs(entry), { cwd, env: childEnv });
      if (opts.onLog) proc.child.stderr?.on('data', (d: string) => opts.onLog!(`${what}: ${d}`));
      await pollUntil(
        async () => {
          const res = await fetch(ready);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `the stand-in ${what} did not start`, abort: () => (proc.exit ? `${describeExit(proc.exit)}\n${proc.log.text(15)}` : undefined) },
      );
      return proc;
    };
    let web = await spawnChild('./web/main.ts', `${baseUrl}/health`, 'web');
    started.push(async () => void (await stopService(web, { signal: 'SIGTERM', timeoutMs: 15_000 })));

    let worker = await spawnChild('./worker/main.ts', `http://${bind}:${workerMetricsPort}/metrics`, 'worker');
    started.push(async () => void (await stopService(worker, { signal: 'SIGTERM', timeoutMs: 15_000 })));

    // Mastodon's streaming server reads the same environment with its own PORT.
    const streaming = await spawnChild('./streaming/main.ts', `${streamingHttp}/api/v1/streaming/health`, 'streaming', { ...env, PORT: String(streamingPort) });
    started.push(async () => void (await stopService(streaming, { signal: 'SIGTERM', timeoutMs: 15_000 })));

    return {
      target: 'standin',
      baseUrl,
      streamingUrl: `${streamingHttp.replace(/^http/, 'ws')}/api/v1/streaming`,
      metricsUrls: [`http://${bind}:${webMetricsPort}/metrics`, `http://${bind}:${workerMetricsPort}/metrics`, `${streamingHttp}/metrics`],
      streamingMetricsUrl: `${streamingHttp}/metrics`,
      mailApiUrl: mail.apiUrl,
      postgresUrl: pg.url,
      redisUrl: redis.url,
      adminToken: owner.token,
      sizing,
      localDomain: opts.localDomain ?? `${bind}:${port}`,
      web: () => web,
      async startWeb() {
        if (!web.exit) throw new Error('the stand-in web process is still running');
        web = await spawnChild('./web/main.ts', `${baseUrl}/health`, 'web');
      },
      worker: () => worker,
      async startWorker() {
        if (!worker.exit) throw new Error('the stand-in worker is still running');
        worker = await spawnChild('./worker/main.ts', `http://${bind}:${workerMetricsPort}/metrics`, 'worker');
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
