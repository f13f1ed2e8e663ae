import type { RunSeries } from '../model/types.js';

// The PromQL a rehearsal exports into series.json, one query per series the
// model reads. Scrape job names are shared with the rehearsal's Prometheus
// config so the two can never disagree.

export const JOBS = { web: 'standin-web', worker: 'standin-worker', runner: 'runner', postgres: 'postgres', redis: 'redis', node: 'node' } as const;

const W = '[10s]';
const web = `job="${JOBS.web}"`;

export const QUERIES: { name: keyof RunSeries; expr: string }[] = [
  // k6 counts a dropped iteration when no VU was free: offered = started + dropped.
  { name: 'offeredRate', expr: `sum(rate(k6_iterations_total${W})) + (sum(rate(k6_dropped_iterations_total${W})) or vector(0))` },
  { name: 'throughput', expr: `sum(rate(k6_iterations_total${W}))` },
  { name: 'latencyP50', expr: `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{${web}}${W})))` },
  { name: 'latencyP95', expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${web}}${W})))` },
  { name: 'latencyP99', expr: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${web}}${W})))` },
  { name: 'errorRate', expr: `(sum(rate(http_requests_total{${web},status=~"5.."}${W})) or vector(0)) / sum(rate(http_requests_total{${web}}${W}))` },
  { name: 'throttleRate', expr: `sum(rate(http_requests_total{${web},status="429"}${W})) or vector(0)` },
  { name: 'requestRate', expr: `sum(rate(http_requests_total{${web}}${W}))` },
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
];
