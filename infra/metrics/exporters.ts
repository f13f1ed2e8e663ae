import { tmpdir } from 'node:os';
import { findBinary } from '../services/binaries.js';
import { describeExit, spawnService, stopService, type ServiceProcess } from '../services/child.js';
import { pollUntil } from '../services/poll.js';
import { withFreePort } from '../services/ports.js';
import {
  exporterDsn,
  exporterEnv,
  nodeExporterArgs,
  postgresExporterArgs,
  redisExporterArgs,
  NODE_COLLECTORS,
} from './exporter-config.js';
import { holdsListener } from './listener.js';
import { textMetricValues } from './query-parse.js';

export type ExporterName = 'postgres-exporter' | 'redis-exporter' | 'node-exporter';

export interface ExporterHandle {
  name: ExporterName;
  /** `127.0.0.1:<port>`, for a scrape config. */
  target: string;
  metricsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 5000;

interface ExporterSpec {
  name: ExporterName;
  binary: string;
  args: (listen: string) => string[];
  env: NodeJS.ProcessEnv;
  /** Why the scraped text does not show a working exporter yet; undefined when it does. */
  notReady: (metrics: string) => string | undefined;
  readyTimeoutMs: number;
}

/** The value of an unlabelled gauge such as `pg_up`, as a readiness reason. */
function upReason(metrics: string, metric: string, subject: string): string | undefined {
  const up = textMetricValues(metrics, metric)[0]?.value;
  if (up === undefined) return `no ${metric} in its metrics`;
  return up === 1 ? undefined : `${metric} is ${up}: it cannot reach ${subject}`;
}

async function checkOurs(proc: ServiceProcess, spec: ExporterSpec, port: number): Promise<void> {
  const response = await fetch(`http://${HOST}:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered HTTP ${response.status}`);
  // Asked after the answer: a process that answered and then turned out not
  // to be ours is caught here, like postgres' data-directory check.
  if ((await holdsListener(proc.pid, port)) === false) throw new Error(`port ${port} is answered by another process`);
  const reason = spec.notReady(text);
  if (reason) throw new Error(reason);
}

async function launch(spec: ExporterSpec, port: number): Promise<ServiceProcess> {
  const proc = await spawnService(spec.binary, spec.args(`${HOST}:${port}`), { cwd: tmpdir(), env: spec.env });
  try {
    await pollUntil(() => checkOurs(proc, spec, port), {
      what: `${spec.name} on ${HOST}:${port} did not become ready`,
      timeoutMs: spec.readyTimeoutMs,
      intervalMs: 100,
      abort: () => (proc.exit ? describeExit(proc.exit) : undefined),
    });
    return proc;
  } catch (err) {
    await stopService(proc, { signal: 'SIGKILL', timeoutMs: 5000 }).catch(() => {});
    throw new Error(`${(err as Error).message}\n--- last lines of the ${spec.name} log ---\n${proc.log.text(15)}`);
  }
}

async function startExporter(spec: ExporterSpec, fixedPort?: number): Promise<ExporterHandle> {
  let port = 0;
  const proc = await withFreePort(fixedPort, (candidate) => launch(spec, (port = candidate)), { host: HOST });
  let stopping: Promise<void> | undefined;
  return {
    name: spec.name,
    target: `${HOST}:${port}`,
    metricsUrl: `http://${HOST}:${port}/metrics`,
    pid: proc.pid,
    stop: () =>
      (stopping ??= (async () => {
        await stopService(proc, { signal: 'SIGTERM', timeoutMs: STOP_TIMEOUT_MS });
      })()),
  };
}

/**
 * postgres_exporter 0.11 for `dsn` (a postgres:// URL or key=value string),
 * passed in DATA_SOURCE_NAME so no password shows in ps. Ready once it
 * reports `pg_up 1`.
 */
export async function startPostgresExporter(dsn: string, opts: { port?: number; readyTimeoutMs?: number } = {}): Promise<ExporterHandle> {
  const binary = findBinary('prometheus-postgres-exporter', {
    debianPackage: 'prometheus-postgres-exporter',
    candidates: ['/usr/bin', '/usr/local/bin'],
  });
  return startExporter(
    {
      name: 'postgres-exporter',
      binary,
      args: postgresExporterArgs,
      env: exporterEnv(process.env, { DATA_SOURCE_NAME: exporterDsn(dsn) }),
      notReady: (text) => upReason(text, 'pg_up', 'the database'),
      readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
    },
    opts.port,
  );
}

/**
 * redis_exporter 1.45 for `redisUrl` (given in REDIS_ADDR, not argv).
 * `checkKeys` are SCAN patterns and `checkSingleKeys` exact keys whose length
 * is exported as `redis_key_size{db,key}`, e.g. Sidekiq's `queue:<name>`
 * lists. Ready once it reports `redis_up 1`.
 */
export async function startRedisExporter(
  redisUrl: string,
  opts: { checkKeys?: string[]; checkSingleKeys?: string[]; port?: number; readyTimeoutMs?: number } = {},
): Promise<ExporterHandle> {
  const binary = findBinary('prometheus-redis-exporter', {
    debianPackage: 'prometheus-redis-exporter',
    candidates: ['/usr/bin', '/usr/local/bin'],
  });
  return startExporter(
    {
      name: 'redis-exporter',
      binary,
      args: (listen) =>
        redisExporterArgs(listen, {
          ...(opts.checkKeys ? { checkKeys: opts.checkKeys } : {}),
          ...(opts.checkSingleKeys ? { checkSingleKeys: opts.checkSingleKeys } : {}),
        }),
      env: exporterEnv(process.env, { REDIS_ADDR: redisUrl }),
      notReady: (text) => upReason(text, 'redis_up', 'Redis'),
      readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
    },
    opts.port,
  );
}

/**
 * node_exporter 1.5 with only the collectors a rehearsal reads (CPU, memory,
 * load, pressure, network, disks, filesystems, stat, vmstat).
 */
export async function startNodeExporter(
  opts: { collectors?: string[]; port?: number; readyTimeoutMs?: number } = {},
): Promise<ExporterHandle> {
  const binary = findBinary('prometheus-node-exporter', {
    debianPackage: 'prometheus-node-exporter',
    candidates: ['/usr/bin', '/usr/local/bin'],
  });
  const collectors = opts.collectors ?? [...NODE_COLLECTORS];
  return startExporter(
    {
      name: 'node-exporter',
      binary,
      args: (listen) => nodeExporterArgs(listen, collectors),
      env: exporterEnv(process.env, {}),
      notReady: (text) => (/^node_scrape_collector_success\{/m.test(text) ? undefined : 'no node_scrape_collector_success in its metrics'),
      readyTimeoutMs: opts.readyTimeoutMs ?? 10_000,
    },
    opts.port,
  );
}
