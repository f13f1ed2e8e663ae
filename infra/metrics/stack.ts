import { pollUntil } from '../services/poll.js';
import { SIDEKIQ_KEYS } from './exporter-config.js';
import { startNodeExporter, startPostgresExporter, startRedisExporter, type ExporterHandle } from './exporters.js';
import { startPrometheus, type PrometheusHandle } from './prometheus.js';
import type { ScrapeTarget } from './prometheus-config.js';
import { prometheusApi, waitForTargets, type PrometheusApi } from './query.js';

/** What a run reads metrics from: our own Prometheus or a user's. */
export interface MetricsBackend {
  url: string;
  /** Undefined when the Prometheus has no remote-write receiver enabled. */
  remoteWriteUrl: string | undefined;
  api: PrometheusApi;
  /** True when this process started it (and stop() ends it). */
  owned: boolean;
}

export interface MetricsStackOptions {
  /** Scraped through postgres_exporter as job "postgres"; omitted = no exporter. */
  postgresUrl?: string;
  /** Scraped through redis_exporter as job "redis"; omitted = no exporter. */
  redisUrl?: string;
  /** Keys reported as redis_key_size; default Sidekiq's queues, retry, dead and schedule sets. */
  redisKeys?: { checkKeys?: string[]; checkSingleKeys?: string[] };
  /** node_exporter as job "node" (default true). */
  nodeExporter?: boolean;
  /** Further jobs: the target's web/worker /metrics, the load runner's /metrics. */
  extraTargets?: ScrapeTarget[];
  scrapeIntervalSec?: number;
  retention?: string;
  nativeHistograms?: boolean;
  /**
   * Which targets must have been scraped successfully before start returns:
   * the exporters (default), all targets, or none.
   */
  waitFor?: 'exporters' | 'all' | 'none';
  waitTimeoutMs?: number;
}

export interface MetricsStack extends MetricsBackend {
  remoteWriteUrl: string;
  owned: true;
  prometheus: PrometheusHandle;
  exporters: ExporterHandle[];
  scrapeTargets: ScrapeTarget[];
  /** Stops Prometheus, then the exporters. */
  stop(): Promise<void>;
}

export const EXPORTER_JOBS = { postgres: 'postgres', redis: 'redis', node: 'node' } as const;

/**
 * Exporters for the run's PostgreSQL and Redis and for the machine, and a
 * Prometheus scraping them and `extraTargets`. Anything already started is
 * stopped again if a later part fails.
 */
export async function startMetricsStack(opts: MetricsStackOptions): Promise<MetricsStack> {
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order: Prometheus first, so it does not record exporters vanishing.
    const errors: unknown[] = [];
    for (const part of [...started].reverse()) {
      await part.stop().catch((err: unknown) => errors.push(err));
    }
    if (errors.length > 0) throw errors[0];
  };

  try {
    const launches: [string, Promise<ExporterHandle>][] = [];
    if (opts.postgresUrl !== undefined) launches.push([EXPORTER_JOBS.postgres, startPostgresExporter(opts.postgresUrl)]);
    if (opts.redisUrl !== undefined) {
      const keys = opts.redisKeys ?? { checkSingleKeys: [...SIDEKIQ_KEYS] };
      launches.push([EXPORTER_JOBS.redis, startRedisExporter(opts.redisUrl, keys)]);
    }
    if (opts.nodeExporter ?? true) launches.push([EXPORTER_JOBS.node, startNodeExporter()]);

    // In parallel, but every one that did start is kept for the cleanup.
    const results = await Promise.allSettled(launches.map(([, p]) => p));
    const exporters: ExporterHandle[] = [];
    const jobs: ScrapeTarget[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        started.push(result.value);
        exporters.push(result.value);
        jobs.push({ job: launches[i]?.[0] ?? result.value.name, targets: [result.value.target] });
      }
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const scrapeTargets = [...jobs, ...(opts.extraTargets ?? [])];
    const prometheus = await startPrometheus({
      scrapeTargets,
      ...(opts.scrapeIntervalSec !== undefined ? { scrapeIntervalSec: opts.scrapeIntervalSec } : {}),
      ...(opts.retention !== undefined ? { retention: opts.retention } : {}),
      ...(opts.nativeHistograms !== undefined ? { nativeHistograms: opts.nativeHistograms } : {}),
    });
    started.push(prometheus);

    const waitFor = opts.waitFor ?? 'exporters';
    if (waitFor !== 'none') {
      const waitJobs = (waitFor === 'exporters' ? jobs : scrapeTargets).map((j) => j.job);
      if (waitJobs.length > 0) {
        await waitForTargets(prometheus.api, { jobs: waitJobs, timeoutMs: opts.waitTimeoutMs ?? 20_000 });
      }
    }

    let stopping: Promise<void> | undefined;
    return {
      url: prometheus.url,
      remoteWriteUrl: prometheus.remoteWriteUrl,
      api: prometheus.api,
      owned: true,
      prometheus,
      exporters,
      scrapeTargets,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/**
 * Probes the remote-write receiver with an empty body: a live receiver
 * rejects it with 400 (not snappy), a disabled one answers 404.
 */
export async function probeRemoteWrite(url: string): Promise<string | undefined> {
  const writeUrl = `${url.replace(/\/+$/, '')}/api/v1/write`;
  try {
    const response = await fetch(writeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return response.status === 400 || response.status === 204 ? writeUrl : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Prometheus the user runs (`--prometheus-url`): only checked for
 * `/-/ready` and the API; nothing is started or stopped.
 */
export async function connectPrometheus(url: string, opts: { timeoutMs?: number } = {}): Promise<MetricsBackend> {
  const api = prometheusApi(url);
  await pollUntil(
    async () => {
      if (!(await api.ready())) throw new Error('GET /-/ready did not answer 200');
    },
    { what: `Prometheus at ${api.url} is not ready`, timeoutMs: opts.timeoutMs ?? 5000, intervalMs: 200 },
  );
  // A ready page alone could be any server; the API must answer too.
  await api.labels({ match: ['up'] }).catch((err: unknown) => {
    throw new Error(`${api.url} is not a Prometheus API: ${(err as Error).message}`);
  });
  return { url: api.url, remoteWriteUrl: await probeRemoteWrite(api.url), api, owned: false };
}
