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
const W = `[${RATE_WINDOW_SEC}s]`;
const web = `job="${JOBS.web}"`;
/** The newcomer-activity scenario's name; its iterations are requests, not signups. */
export const ACTIVITY_SCENARIO = 'activity';
const signups = `scenario!="${ACTIVITY_SCENARIO}"`;
const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${web}}${W})))`;

export const QUERIES: { name: QueryName; expr: string }[] = [
  // k6 counts a dropped iteration when no VU was free: offered = started + dropped.
  // Signups only: an activity phase's iterations are single requests (activityRate).
  { name: 'offeredRate', expr: `sum(rate(k6_iterations_total{${signups}}${W})) + (sum(rate(k6_dropped_iterations_total{${signups}}${W})) or vector(0))` },
  { name: 'throughput', expr: `sum(rate(k6_iterations_total{${signups}}${W}))` },
  // The runner's trend gauges are cumulative since its start (k6 semantics), so
  // latency over time comes from the web's histogram, aggregated over processes.
  { name: 'latencyP50', expr: quantile(0.5) },
  { name: 'latencyP95', expr: quantile(0.95) },
  { name: 'latencyP99', expr: quantile(0.99) },
  // Failed = neither 2xx nor 3xx; a 429 is a throttle (its own series), not an error.
  {
    name: 'errorRate',
    expr: `(sum(rate(http_requests_total{${web},status!~"[23]..|429"}${W})) or vector(0)) / sum(rate(http_requests_total{${web}}${W}))`,
  },
  { name: 'throttleRate', expr: `sum(rate(http_requests_total{${web},status="429"}${W})) or vector(0)` },
  { name: 'requestRate', expr: `sum(rate(http_requests_total{${web}}${W}))` },
  // The stand-in's puma_running_threads counts threads serving a request (in flight).
  { name: 'concurrency', expr: `sum(puma_running_threads{${web}})` },
  { name: 'webBacklog', expr: `sum(puma_request_backlog{${web}})` },
  { name: 'webCpu', expr: `sum(rate(process_cpu_seconds_total{${web}}${W}))` },
  { name: 'dbPoolWaiting', expr: 'sum by (job) (active_record_connection_pool_waiting)' },
  { name: 'dbPoolBusy', expr: 'sum by (job) (active_record_connection_pool_busy)' },
  { name: 'dbPoolSize', expr: 'sum by (job) (active_record_connection_pool_size)' },
  { name: 'pgConnections', expr: 'sum(pg_stat_activity_count)' },
  { name: 'redisMemory', expr: 'sum(redis_memory_used_bytes)' },
  { name: 'redisOps', expr: `sum(rate(redis_commands_processed_total${W}))` },
  { name: 'sidekiqLatency', expr: 'max by (queue) (sidekiq_queue_latency_seconds)' },
  { name: 'sidekiqBacklog', expr: 'max by (queue) (sidekiq_queue_backlog)' },
  { name: 'sidekiqBusy', expr: 'sum(sidekiq_process_busy)' },
  { name: 'sidekiqJobRate', expr: `sum by (queue) (rate(sidekiq_jobs_total${W}))` },
  { name: 'sidekiqJobDuration', expr: `sum by (queue) (rate(sidekiq_job_duration_seconds_sum${W})) / sum by (queue) (rate(sidekiq_job_duration_seconds_count${W}))` },
  { name: 'runnerRequestRate', expr: `sum(rate(k6_http_reqs_total{job="${JOBS.runner}"}${W}))` },
  { name: 'activityRate', expr: `sum(rate(k6_iterations_total{scenario="${ACTIVITY_SCENARIO}"}${W}))` },
  { name: 'droppedRate', expr: `sum(rate(k6_dropped_iterations_total{job="${JOBS.runner}"}${W})) or vector(0)` },
  { name: 'processCpu', expr: `sum by (job) (rate(process_cpu_seconds_total{job=~"${JOBS.web}|${JOBS.worker}"}${W}))` },
  { name: 'nodeCpu', expr: `sum(rate(node_cpu_seconds_total{job="${JOBS.node}",mode!~"idle|iowait"}${W}))` },
  { name: 'pgMaxConnections', expr: `max(pg_settings_max_connections{job="${JOBS.postgres}"})` },
];

/** The names the model reads (RunData.series); the rest are ExtraSeriesName. */
export const MODEL_SERIES: ReadonlySet<string> = new Set<keyof RunSeries>([
  'offeredRate', 'throughput', 'latencyP50', 'latencyP95', 'latencyP99', 'errorRate', 'throttleRate', 'requestRate',
  'signupLatencyP95', 'concurrency', 'webBacklog', 'webCpu', 'dbPoolWaiting', 'dbPoolBusy', 'dbPoolSize', 'pgConnections',
  'redisMemory', 'redisOps', 'sidekiqLatency', 'sidekiqBacklog', 'sidekiqBusy', 'sidekiqJobRate', 'sidekiqJobDuration',
]);
