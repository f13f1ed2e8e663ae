// What the report model reads: plain time series and a few facts about the
// run, already collected. The collector (Prometheus query_range results plus
// the runner's summary) produces this; the model never does I/O, so every
// number in a report can be reproduced from one RunData value.

/** One sample: seconds since the run started, and the value. */
export type Point = [tSec: number, value: number];

/** One time series as Prometheus returns it (labels kept so queues and pools can be named). */
export interface Series {
  name: string;
  labels: Record<string, string>;
  points: Point[];
}

export type TargetKind = 'standin' | 'mastodon' | 'url';

export interface Target {
  kind: TargetKind;
  /** Shown in the report; a stand-in is always called "stand-in" so nobody mistakes it for a real instance. */
  label: string;
}

export type PhaseKind = 'warmup' | 'breakpoint' | 'wave' | 'activity' | 'soak' | 'cooldown';

/** A stretch of the run with one purpose; `shape` is how the offered rate moved, if the runner knows. */
export interface Phase {
  name: string;
  kind: PhaseKind;
  startSec: number;
  endSec: number;
  shape?: 'stepped' | 'ramping';
  /** The steps as the runner played them, when it recorded them (a stepped breakpoint). */
  steps?: { startSec: number; endSec: number; rate: number }[];
  /** Share of the machine's CPU (0–1) that processes outside the rehearsal used during the phase, when measured. */
  neighbourCpuShare?: number;
}

/** The instance's sizing during the run, in Mastodon's own settings. */
export interface Sizing {
  /** WEB_CONCURRENCY: Puma processes. */
  webConcurrency: number;
  /** MAX_THREADS: threads per Puma process. */
  maxThreads: number;
  /** SIDEKIQ_CONCURRENCY: threads per Sidekiq process. */
  sidekiqConcurrency: number;
  /** Sidekiq processes (default 1). */
  sidekiqProcesses?: number;
  /** DB_POOL per process; unset means Mastodon's default, the process's thread count. */
  dbPool?: number;
  /** Streaming processes (default 1); each has its own pool of 10 connections. */
  streamingProcesses?: number;
}

/** Limits the collector read from the services (unset: not known, the rule that needs it is skipped). */
export interface Limits {
  /** Cores the web processes may use; one Ruby (or Node) process uses at most about one. */
  webCpuCores?: number;
  /** PostgreSQL max_connections. */
  pgMaxConnections?: number;
  /** Redis maxmemory in bytes (0 or unset: no limit configured). */
  redisMaxMemoryBytes?: number;
  /** Redis commands per second this Redis can serve (measured or assumed); unset skips the ops rule. */
  redisOpsCapacity?: number;
}

/** The wave rehearsed, as the wave file described it. */
export interface WaveSummary {
  name: string;
  totalSignups: number;
  /** As rehearsed, i.e. after compression. */
  durationSec: number;
  /** Factor already applied to every time and rate (1 = real time; 24 = a day replayed in an hour). */
  compression: number;
  /** Highest signups per second as rehearsed (after compression). */
  peakSignupRate: number;
  /** Share of newcomers still active at the end (0..1). */
  retention: number;
  /** Existing users active alongside the newcomers. */
  baselineUsers: number;
  /** Requests per active newcomer per hour, by endpoint (verifyCredentials, follows, posts, homeTimeline, ...). */
  newcomerActivity: Record<string, number>;
  /** Share of active newcomers holding a streaming connection. */
  streamingShare: number;
}

/**
 * The series, each a list because Prometheus returns one per label set (per
 * queue, per pool, per process). Rates are per second, latencies in seconds,
 * memory in bytes. Required ones may still be empty lists.
 */
export interface RunSeries {
  /** Arrivals per second the load generator scheduled (unit: RunData.rateUnit). */
  offeredRate: Series[];
  /** Arrivals per second completed, same unit as offeredRate. */
  throughput: Series[];
  /** API request latency percentiles, seconds. */
  latencyP50?: Series[];
  latencyP95: Series[];
  latencyP99?: Series[];
  /** Share of requests that failed (5xx, timeouts, refused), 0..1; 429s are not counted here. */
  errorRate: Series[];
  /** 429 responses per second (Mastodon's rack_attack and in-app limits). */
  throttleRate?: Series[];
  /** HTTP requests per second (all), to turn throttleRate into a share and jobs into jobs per request. */
  requestRate?: Series[];
  /** End-to-end signup time, seconds: app registration to confirmation mail delivered, p95. */
  signupLatencyP95?: Series[];
  /** In-flight requests (or busy web threads): the N of the scalability fit. */
  concurrency?: Series[];
  /** puma_request_backlog: requests waiting for a free web thread. */
  webBacklog?: Series[];
  /** Cores used by web processes: rate(process_cpu_seconds_total[1m]). */
  webCpu?: Series[];
  /** active_record_connection_pool_{waiting,busy,size}, one series per pool. */
  dbPoolWaiting?: Series[];
  dbPoolBusy?: Series[];
  dbPoolSize?: Series[];
  /** pg_stat_activity_count: open PostgreSQL connections. */
  pgConnections?: Series[];
  /** Redis used memory, bytes, and commands per second. */
  redisMemory?: Series[];
  redisOps?: Series[];
  /** sidekiq_queue_latency_seconds and sidekiq_queue_backlog, label `queue`. */
  sidekiqLatency?: Series[];
  sidekiqBacklog?: Series[];
  /** sidekiq_process_busy: threads running a job (summed over processes). */
  sidekiqBusy?: Series[];
  /** Jobs finished per second and their mean duration in seconds, label `queue`. */
  sidekiqJobRate?: Series[];
  sidekiqJobDuration?: Series[];
}

export interface RunData {
  target: Target;
  /** Unit of offeredRate and throughput, e.g. 'req/s' or 'signups/s'. */
  rateUnit: string;
  /** HTTP requests one arrival makes (1 for request-level load, about 4 for a signup). */
  requestsPerArrival: number;
  phases: Phase[];
  sizing: Sizing;
  limits: Limits;
  wave: WaveSummary;
  series: RunSeries;
  /** Set when the run stopped early (Ctrl-C, a crashed target, a time limit). */
  interrupted?: { reason: string; atSec?: number } | null;
  /**
   * Width of the rate() windows behind the rate series: for this long after a
   * phase starts, its samples still carry the previous phase's traffic.
   */
  rateWindowSec?: number;
}
