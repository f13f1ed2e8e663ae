import type { RunSeries } from '../model/types.js';

// The PromQL a rehearsal exports into series.json, one query per series the
// model reads, plus a few the report shows but the model does not judge.
// Scrape job names are shared with the rehearsal's Prometheus config so the
// two can never disagree.

export const JOBS = { web: 'standin-web', worker: 'standin-worker', streaming: 'standin-streaming', runner: 'runner', postgres: 'postgres', redis: 'redis', node: 'node' } as const;

/** Series that series.json carries beside the model's: shown in report.html, not judged. */
export type ExtraSeriesName =
  /** HTTP requests per second the runner sent (k6_http_reqs_total). */
  | 'runnerRequestRate'
  /** Iterations per second k6 dropped for want of a free VU. */
  | 'droppedRate'
  /** Newcomers' everyday requests per second the runner started (activity phase). */
  | 'activityRate'
  /** Cores used, one series per scrape job (web, worker). */
  | 'processCpu'
  /** Cores the whole machine used (node_exporter, all modes but idle and iowait). */
  | 'nodeCpu'
  /** PostgreSQL max_connections as postgres_exporter reads it. */
  | 'pgMaxConnections';

export type QueryName = keyof RunSeries | ExtraSeriesName;

// Scrapes are 1 s apart in a rehearsal; 10 s windows hold enough samples for rate().
export const RATE_WINDOW_SEC = 10;
/** The newcomer-activity scenario's name; its iterations are requests, not signups. */
export const ACTIVITY_SCENARIO = 'activity';
/** The scenarios whose iterations are signups (signup-wave's and breakpoint's). */
export const SIGNUP_SCENARIOS = ['signups', 'breakpoint'] as const;

/** Scrape job names the target-side queries select, one per role. */
export type JobNames = { -readonly [K in keyof typeof JOBS]: string };

/**
 * Where a query is answered: `runner` series live in the rehearsal's own
 * Prometheus; `target` series in whichever Prometheus scrapes the instance
 * (the rehearsal's, or the user's `--prometheus-url`).
 */
export interface RunQuery {
  name: QueryName;
  expr: string;
  source: 'runner' | 'target';
}

/**
 * The queries of a run. `jobs` renames the scrape jobs (a user's Prometheus
 * names them its own way); `windowSec` widens rate() windows for a Prometheus
 * that scrapes less often than every second (each window needs two samples).
 */
export function runQueries(opts: { jobs?: Partial<JobNames>; windowSec?: number } = {}): RunQuery[] {
  const j: JobNames = { ...JOBS, ...opts.jobs };
  const W = `[${opts.windowSec ?? RATE_WINDOW_SEC}s]`;
  const web = `job="${j.web}"`;
  const worker = `job="${j.worker}"`;
  // Signups only: an activity phase's iterations are single requests, its streams sessions.
  const signups = `scenario=~"${SIGNUP_SCENARIOS.join('|')}"`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${web}}${W})))`;
  const runner = (name: QueryName, expr: string): RunQuery => ({ name, expr, source: 'runner' });
  const target = (name: QueryName, expr: string): RunQuery => ({ name, expr, source: 'target' });
  return [
    // k6 counts a dropped iteration when no VU was free: offered = started + dropped.
    runner('offeredRate', `sum(rate(k6_iterations_total{${signups}}${W})) + (sum(rate(k6_dropped_iterations_total{${signups}}${W})) or vector(0))`),
    runner('throughput', `sum(rate(k6_iterations_total{${signups}}${W}))`),
    // The runner's trend gauges are cumulative since its start (k6 semantics), so
    // latency over time comes from the web's histogram, aggregated over processes.
    target('latencyP50', quantile(0.5)),
    target('latencyP95', quantile(0.95)),
    target('latencyP99', quantile(0.99)),
    // Server errors only: a 404 for a name nobody took, a 422 for a taken username
    // or a 429 throttle (its own series) is the instance answering correctly.
    target('errorRate', `(sum(rate(http_requests_total{${web},status=~"5.."}${W})) or vector(0)) / sum(rate(http_requests_total{${web}}${W}))`),
    target('throttleRate', `sum(rate(http_requests_total{${web},status="429"}${W})) or vector(0)`),
    target('requestRate', `sum(rate(http_requests_total{${web}}${W}))`),
    // The stand-in's puma_running_threads counts threads serving a request (in flight).
    target('concurrency', `sum(puma_running_threads{${web}})`),
    target('webBacklog', `sum(puma_request_backlog{${web}})`),
    target('webCpu', `sum(rate(process_cpu_seconds_total{${web}}${W}))`),
    target('dbPoolWaiting', `sum by (job) (active_record_connection_pool_waiting{job=~"${j.web}|${j.worker}"})`),
    target('dbPoolBusy', `sum by (job) (active_record_connection_pool_busy{job=~"${j.web}|${j.worker}"})`),
    target('dbPoolSize', `sum by (job) (active_record_connection_pool_size{job=~"${j.web}|${j.worker}"})`),
    target('pgConnections', `sum(pg_stat_activity_count{job="${j.postgres}"})`),
    target('redisMemory', `sum(redis_memory_used_bytes{job="${j.redis}"})`),
    target('redisOps', `sum(rate(redis_commands_processed_total{job="${j.redis}"}${W}))`),
    target('sidekiqLatency', `max by (queue) (sidekiq_queue_latency_seconds{${worker}})`),
    target('sidekiqBacklog', `max by (queue) (sidekiq_queue_backlog{${worker}})`),
    target('sidekiqBusy', `sum(sidekiq_process_busy{${worker}})`),
    target('sidekiqJobRate', `sum by (queue) (rate(sidekiq_jobs_total{${worker}}${W}))`),
    target(
      'sidekiqJobDuration',
      `sum by (queue) (rate(sidekiq_job_duration_seconds_sum{${worker}}${W})) / sum by (queue) (rate(sidekiq_job_duration_seconds_count{${worker}}${W}))`,
    ),
    runner('runnerRequestRate', `sum(rate(k6_http_reqs_total{job="${j.runner}"}${W}))`),
    runner('activityRate', `sum(rate(k6_iterations_total{scenario="${ACTIVITY_SCENARIO}"}${W}))`),
    runner('droppedRate', `sum(rate(k6_dropped_iterations_total{job="${j.runner}"}${W})) or vector(0)`),
    target('processCpu', `sum by (job) (rate(process_cpu_seconds_total{job=~"${j.web}|${j.worker}"}${W}))`),
    target('nodeCpu', `sum(rate(node_cpu_seconds_total{job="${j.node}",mode!~"idle|iowait"}${W}))`),
    target('pgMaxConnections', `max(pg_settings_max_connections{job="${j.postgres}"})`),
  ];
}

/** The queries of a rehearsal whose own Prometheus scrapes everything. */
export const QUERIES: readonly RunQuery[] = runQueries();

/** The names the model reads (RunData.series); the rest are ExtraSeriesName. */
export const MODEL_SERIES: ReadonlySet<string> = new Set<keyof RunSeries>([
  'offeredRate', 'throughput', 'latencyP50', 'latencyP95', 'latencyP99', 'errorRate', 'throttleRate', 'requestRate',
  'signupLatencyP95', 'concurrency', 'webBacklog', 'webCpu', 'dbPoolWaiting', 'dbPoolBusy', 'dbPoolSize', 'pgConnections',
  'redisMemory', 'redisOps', 'sidekiqLatency', 'sidekiqBacklog', 'sidekiqBusy', 'sidekiqJobRate', 'sidekiqJobDuration',
]);
