import { stringify } from 'yaml';

/** One scrape job: Prometheus' `scrape_configs` entry with a single static target group. */
export interface ScrapeTarget {
  job: string;
  /** `host:port` each. */
  targets: string[];
  /** Default `/metrics`. */
  metricsPath?: string;
  /** Default `http`. */
  scheme?: 'http' | 'https';
  /** Extra labels put on every series of the job. */
  labels?: Record<string, string>;
}

const PROM_DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// host:port with a DNS name or IPv4 address, or [IPv6]:port.
const HOST_PORT = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
/** Prometheus refuses a scrape timeout above the interval; 10 s is its default cap. */
const MAX_SCRAPE_TIMEOUT_MS = 10_000;

/** Seconds as a Prometheus duration: "1s", "15s", "500ms". */
export function promDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`a duration must be a positive number of seconds, got ${seconds}`);
  const ms = Math.round(seconds * 1000);
  if (ms < 1) throw new Error(`a duration must be at least 1 ms, got ${seconds} s`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function validateScrapeTargets(targets: ScrapeTarget[]): void {
  const jobs = new Set<string>();
  for (const t of targets) {
    if (!t.job || /\s/.test(t.job)) throw new Error(`invalid scrape job name ${JSON.stringify(t.job)}`);
    if (jobs.has(t.job)) throw new Error(`scrape job "${t.job}" is listed twice`);
    jobs.add(t.job);
    if (t.targets.length === 0) throw new Error(`scrape job "${t.job}" has no targets`);
    for (const target of t.targets) {
      if (!HOST_PORT.test(target)) throw new Error(`scrape job "${t.job}": target ${JSON.stringify(target)} is not host:port`);
    }
    if (t.metricsPath !== undefined && !t.metricsPath.startsWith('/')) {
      throw new Error(`scrape job "${t.job}": metrics path ${JSON.stringify(t.metricsPath)} must start with "/"`);
    }
    for (const name of Object.keys(t.labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) {
        throw new Error(`scrape job "${t.job}": invalid label name ${JSON.stringify(name)}`);
      }
    }
  }
}

/**
 * prometheus.yml for static targets. The scrape timeout equals the interval
 * (capped at 10 s): Prometheus refuses a timeout above the interval, and at a
 * 1 s interval its 10 s default would be exactly that.
 */
export function prometheusConfig(targets: ScrapeTarget[], intervalSec = 1): string {
  validateScrapeTargets(targets);
  const interval = promDuration(intervalSec);
  const timeout = promDuration(Math.min(intervalSec * 1000, MAX_SCRAPE_TIMEOUT_MS) / 1000);
  const config = {
    global: { scrape_interval: interval, scrape_timeout: timeout, evaluation_interval: interval },
    scrape_configs: targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath ?? '/metrics',
      scheme: t.scheme ?? 'http',
      static_configs: [
        {
          targets: [...t.targets],
          ...(t.labels && Object.keys(t.labels).length > 0 ? { labels: { ...t.labels } } : {}),
        },
      ],
    })),
  };
  return stringify(config);
}

/** A scrape job for one metrics URL such as the stand-in's `http://127.0.0.1:40001/metrics`. */
export function scrapeTargetFromUrl(job: string, url: string, labels?: Record<string, string>): ScrapeTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`metrics URL ${url} is not http(s)`);
  if (parsed.search || parsed.username || parsed.password) {
    throw new Error(`metrics URL ${url}: query strings and credentials are not supported`);
  }
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return {
    job,
    targets: [`${parsed.hostname}:${port}`],
    metricsPath: parsed.pathname || '/metrics',
    scheme: parsed.protocol === 'https:' ? 'https' : 'http',
    ...(labels ? { labels } : {}),
  };
}

export function checkRetention(retention: string): void {
  if (!PROM_DURATION.test(retention)) {
    throw new Error(`retention ${JSON.stringify(retention)} is not a Prometheus duration such as "2h" or "15d"`);
  }
}

export function prometheusArgs(opts: {
  configFile: string;
  dataDir: string;
  host: string;
  port: number;
  retention?: string;
  nativeHistograms: boolean;
}): string[] {
  if (opts.retention !== undefined) checkRetention(opts.retention);
  return [
    `--config.file=${opts.configFile}`,
    `--storage.tsdb.path=${opts.dataDir}`,
    `--web.listen-address=${opts.host}:${opts.port}`,
    // k6's experimental-prometheus-rw output and our own runner push here.
    '--web.enable-remote-write-receiver',
    // TSDB snapshots at the end of a run.
    '--web.enable-admin-api',
    // POST /-/reload answers with the reload's outcome, unlike SIGHUP.
    '--web.enable-lifecycle',
    // The scrape manager applies target changes at most this often (5 s by
    // default), on top of the discovery manager's fixed 5 s throttle; so new
    // targets are scraped ~5 s after start or reload rather than up to 10 s.
    '--scrape.discovery-reload-interval=1s',
    ...(opts.retention ? [`--storage.tsdb.retention.time=${opts.retention}`] : []),
    // k6 sends trends as native histograms when asked to; classic text
    // targets are scraped as before.
    ...(opts.nativeHistograms ? ['--enable-feature=native-histograms'] : []),
  ];
}
