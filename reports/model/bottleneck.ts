// "What breaks first?" Rules over the saturation signals Mastodon exports,
// each with a threshold and a minimum duration, ordered by when they first
// fired. Order matters because saturation cascades: threads stuck waiting for
// a DB connection fill Puma's backlog next, so the earliest finding is the
// cause and later ones are often its symptoms.
import { at, bytes, duration, num, percent, rate as fmtRate } from './format.js';
import { combine, firstSustained, labelOf, peak, valueAt, type Stretch } from './series.js';
import type { Slos } from './slo.js';
import type { Point, RunData, Series } from './types.js';

export interface Finding {
  /** Stable id: 'db-pool:web', 'web-backlog', 'queue:mailers', ... */
  resource: string;
  /** Human name: "Database pool (web)". */
  name: string;
  /** 'limit': a policy limit (rack_attack), not a lack of capacity. */
  kind: 'capacity' | 'limit';
  /** When the condition started to hold (seconds since the run started). */
  firstAt: number;
  /** Offered load at that moment, in RunData.rateUnit. */
  offeredRate: number | null;
  /** Worst value during that first sustained stretch. */
  value: number;
  threshold: number;
  evidence: string;
  advice: string;
}

export interface BottleneckAnalysis {
  /** The first capacity finding: what to fix first. */
  first: Finding | null;
  /** All findings, earliest first. */
  findings: Finding[];
  /** Rules that could not run, and why (missing series or limits). */
  notChecked: string[];
  summary: string;
}

export interface BottleneckOptions {
  /** A condition must hold this long to count (default 30 s), except queue latency, which is already an age. */
  sustainSec?: number;
  /** Share of a limit that counts as saturated (CPU, connections, memory, ops; default 0.9). */
  nearLimit?: number;
  /** Share of requests answered 429 that is worth reporting (default 0.01). */
  throttleShare?: number;
  /** Objective for queues without one in the SLOs (default 300 s). */
  otherQueueLatencySec?: number;
}

interface Rule {
  resource: string;
  name: string;
  kind: Finding['kind'];
  points: Point[];
  test: (v: number) => boolean;
  minSec: number;
  threshold: number;
  evidence: (s: Stretch) => string;
  advice: string;
}

export function findBottlenecks(data: RunData, slos: Slos, options: BottleneckOptions = {}): BottleneckAnalysis {
  const sustain = options.sustainSec ?? 30;
  const near = options.nearLimit ?? 0.9;
  const sz = data.sizing;
  const s = data.series;
  const rules: Rule[] = [];
  const notChecked: string[] = [];
  const has = (list: Series[] | undefined) => !!list && list.some((x) => x.points.length > 0);
  const webThreads = sz.webConcurrency * sz.maxThreads;
  const sidekiqThreads = sz.sidekiqConcurrency * (sz.sidekiqProcesses ?? 1);

  // Database pools first: a wait for a connection is the earliest sign and the usual root cause.
  if (has(s.dbPoolWaiting)) {
    for (const [pool, list] of groupByLabel(s.dbPoolWaiting!)) {
      const isWorker = /sidekiq|worker/i.test(pool);
      const threads = isWorker ? sz.sidekiqConcurrency : sz.maxThreads;
      const threadsVar = isWorker ? 'SIDEKIQ_CONCURRENCY' : 'MAX_THREADS';
      const poolSize = sz.dbPool ?? threads;
      const sizeNow = lastOf(combine((s.dbPoolSize ?? []).filter((x) => labelOf(x) === pool)));
      const tooSmall = poolSize < threads;
      rules.push({
        resource: `db-pool:${pool || 'primary'}`,
        name: `Database pool (${pool || 'primary'})`,
        kind: 'capacity',
        points: combine(list),
        test: (v) => v > 0,
        minSec: sustain,
        threshold: 0,
        evidence: (st) =>
          `threads waited for a database connection from ${at(st.start)} for ${duration(st.durationSec)} (peak ${num(st.peak)} waiting at ${at(st.peakAt)}; pool size ${num(sizeNow ?? poolSize)}, ${threadsVar}=${threads})`,
        advice: tooSmall
          ? `Raise DB_POOL to at least ${threadsVar} (now DB_POOL=${poolSize} < ${threadsVar}=${threads}), and raise PostgreSQL max_connections with it (about all Puma + Sidekiq + streaming threads).`
          : `The pool already matches ${threadsVar}=${threads}, so threads are waiting on slow queries: look at PostgreSQL (CPU, locks, slow queries) first; raise DB_POOL and max_connections only together.`,
      });
    }
  } else notChecked.push('database pools: no active_record_connection_pool_waiting series');

  if (has(s.pgConnections) && data.limits.pgMaxConnections) {
    const max = data.limits.pgMaxConnections;
    const needed = webThreads + sidekiqThreads + 10 * (sz.streamingProcesses ?? 1);
    rules.push({
      resource: 'postgres-connections',
      name: 'PostgreSQL connections',
      kind: 'capacity',
      points: combine(s.pgConnections),
      test: (v) => v >= near * max,
      minSec: sustain,
      threshold: near * max,
      evidence: (st) => `${num(st.peak)} of max_connections=${num(max)} in use at ${at(st.peakAt)}, at or over ${percent(near)} from ${at(st.start)}`,
      advice: `Raise PostgreSQL max_connections (now ${num(max)}) above the sum of all pools, about ${num(needed)} for this sizing (Puma ${webThreads} + Sidekiq ${sidekiqThreads} + streaming threads), or put PgBouncer in transaction mode in front (PREPARED_STATEMENTS=false).`,
    });
  } else notChecked.push(`PostgreSQL connections: ${has(s.pgConnections) ? 'max_connections unknown' : 'no pg_stat_activity_count series'}`);

  if (has(s.webCpu)) {
    // One Ruby process (GVL) or Node process uses about one core, whatever the host has.
    const cores = Math.min(sz.webConcurrency, data.limits.webCpuCores ?? sz.webConcurrency);
    rules.push({
      resource: 'web-cpu',
      name: 'Web CPU',
      kind: 'capacity',
      points: combine(s.webCpu),
      test: (v) => v >= near * cores,
      minSec: sustain,
      threshold: near * cores,
      evidence: (st) => `web processes used ${num(st.peak)} of ${num(cores)} usable cores at ${at(st.peakAt)}, at or over ${percent(near)} from ${at(st.start)} for ${duration(st.durationSec)}`,
      advice: `Web processes are CPU-bound: add cores and raise WEB_CONCURRENCY with them (now ${sz.webConcurrency}; one process per core, as a Ruby process uses about one).`,
    });
  } else notChecked.push('web CPU: no process_cpu_seconds_total series for the web processes');

  if (has(s.webBacklog)) {
    rules.push({
      resource: 'web-backlog',
      name: 'Web threads (Puma backlog)',
      kind: 'capacity',
      points: combine(s.webBacklog),
      test: (v) => v > 0,
      minSec: sustain,
      threshold: 0,
      evidence: (st) =>
        `requests queued for a free web thread from ${at(st.start)} for ${duration(st.durationSec)} (peak ${num(st.peak)} waiting at ${at(st.peakAt)}; ${sz.webConcurrency} processes × ${sz.maxThreads} threads)`,
      advice: `Add web processes: raise WEB_CONCURRENCY (now ${sz.webConcurrency}); Mastodon's scaling docs prefer more processes to more threads. Each process needs about a core and MAX_THREADS database connections.`,
    });
  } else notChecked.push('web backlog: no puma_request_backlog series');

  if (has(s.sidekiqBusy)) {
    rules.push({
      resource: 'sidekiq-threads',
      name: 'Sidekiq threads',
      kind: 'capacity',
      points: combine(s.sidekiqBusy),
      test: (v) => v >= sidekiqThreads,
      minSec: sustain,
      threshold: sidekiqThreads,
      evidence: (st) => `all ${sidekiqThreads} Sidekiq threads were busy from ${at(st.start)} for ${duration(st.durationSec)}`,
      advice: `Add Sidekiq capacity: raise SIDEKIQ_CONCURRENCY (now ${sz.sidekiqConcurrency}, with DB_POOL to match) or run another Sidekiq process; give mailers their own process so confirmations do not wait behind fan-out.`,
    });
  }

  if (has(s.sidekiqLatency)) {
    for (const [queue, list] of groupByLabel(s.sidekiqLatency!)) {
      const limit = slos.queueLatencySec[queue] ?? options.otherQueueLatencySec ?? 300;
      rules.push({
        resource: `queue:${queue}`,
        name: `Sidekiq ${queue} queue`,
        kind: 'capacity',
        points: combine(list, 'max'),
        test: (v) => v >= limit,
        minSec: 0,
        threshold: limit,
        evidence: (st) => `the oldest ${queue} job was ${duration(st.peak)} old at ${at(st.peakAt)}, over ${duration(limit)} from ${at(st.start)}`,
        advice: queueAdvice(queue, sz.sidekiqConcurrency, slowestJobSeconds(data, queue)),
      });
    }
  } else notChecked.push('Sidekiq queues: no sidekiq_queue_latency_seconds series');

  if (has(s.redisMemory) && data.limits.redisMaxMemoryBytes) {
    const max = data.limits.redisMaxMemoryBytes;
    rules.push({
      resource: 'redis-memory',
      name: 'Redis memory',
      kind: 'capacity',
      points: combine(s.redisMemory),
      test: (v) => v >= near * max,
      minSec: sustain,
      threshold: near * max,
      evidence: (st) => `Redis used ${bytes(st.peak)} of maxmemory ${bytes(max)} at ${at(st.peakAt)}`,
      advice: `Give Redis more memory (home feeds keep up to 800 entries per active user) or move the cache to its own Redis with CACHE_REDIS_URL; Sidekiq's Redis must never evict (maxmemory-policy noeviction) or jobs are lost.`,
    });
  } else notChecked.push(`Redis memory: ${has(s.redisMemory) ? 'no maxmemory set' : 'no Redis memory series'}`);

  if (has(s.redisOps) && data.limits.redisOpsCapacity) {
    const cap = data.limits.redisOpsCapacity;
    rules.push({
      resource: 'redis-ops',
      name: 'Redis commands',
      kind: 'capacity',
      points: combine(s.redisOps),
      test: (v) => v >= near * cap,
      minSec: sustain,
      threshold: near * cap,
      evidence: (st) => `Redis served ${num(st.peak)} commands/s at ${at(st.peakAt)}, near its ${num(cap)}/s capacity from ${at(st.start)}`,
      advice: 'Redis runs commands on one core: split it (SIDEKIQ_REDIS_URL and CACHE_REDIS_URL on separate Redis servers) or move it to a faster core.',
    });
  } else notChecked.push(`Redis commands: ${has(s.redisOps) ? 'no capacity given' : 'no Redis ops series'}`);

  if (has(s.throttleRate)) {
    const share = throttleShare(data);
    const limit = options.throttleShare ?? 0.01;
    rules.push({
      resource: 'throttles',
      name: 'Rate limits (429)',
      kind: 'limit',
      points: share,
      test: (v) => v > limit,
      minSec: sustain,
      threshold: limit,
      evidence: (st) => `${percent(st.peak)} of requests were answered 429 at ${at(st.peakAt)}, over ${percent(limit)} from ${at(st.start)}`,
      advice:
        "This is Mastodon's rack_attack, not capacity: limits are per IP and per account (5 signups per 30 min per IP). In a real wave each newcomer has their own IP, so give the load generator one client IP per simulated person (X-Forwarded-For through a trusted proxy) instead of raising limits.",
    });
  }

  const offered = combine(data.series.offeredRate);
  const found: { finding: Finding; order: number }[] = [];
  rules.forEach((rule, order) => {
    const st = firstSustained(rule.points, rule.test, rule.minSec);
    if (!st) return;
    const finding: Finding = {
      resource: rule.resource,
      name: rule.name,
      kind: rule.kind,
      firstAt: st.start,
      offeredRate: valueAt(offered, st.start) ?? null,
      value: st.peak,
      threshold: rule.threshold,
      evidence: rule.evidence(st),
      advice: rule.advice,
    };
    found.push({ finding, order });
  });
  // Earliest first; at the same moment, rule order (pools before backlog: cause before symptom).
  const findings = found.sort((a, b) => a.finding.firstAt - b.finding.firstAt || a.order - b.order).map((f) => f.finding);
  const first = findings.find((f) => f.kind === 'capacity') ?? null;
  return { first, findings, notChecked, summary: summarise(first, findings, data.rateUnit) };
}

function summarise(first: Finding | null, findings: Finding[], unit: string): string {
  const throttled = findings.some((f) => f.kind === 'limit');
  const tail = throttled ? " Requests were also throttled (429): that is Mastodon's rack_attack, not capacity." : '';
  if (!first) return `No resource saturated during the run.${tail}`;
  const load = first.offeredRate !== null ? ` (offered ${fmtRate(first.offeredRate, unit)})` : '';
  const next = findings.filter((f) => f !== first && f.kind === 'capacity').map((f) => f.name);
  const then = next.length ? ` Then: ${next.join(', ')}.` : '';
  return `${first.name} saturated first, at ${at(first.firstAt)}${load}: ${first.evidence}.${then}${tail}`;
}

function queueAdvice(queue: string, concurrency: number, jobSec: number | undefined): string {
  switch (queue) {
    case 'mailers':
      return jobSec !== undefined && jobSec >= 1
        ? `Mail jobs take ${duration(jobSec)} each: the mail provider is the limit. Check its sending rate and daily quota (kujoe.net hit a 7,200 mails/day cap in 2022), and run a dedicated Sidekiq process for mailers.`
        : `Run a dedicated Sidekiq process for mailers (sidekiq -q mailers); with weight 2 of 23 it gets few of the ${concurrency} shared threads while fan-out is busy. Check the mail provider's quota too.`;
    case 'default':
      return `Fan-out and notifications are late: raise SIDEKIQ_CONCURRENCY (now ${concurrency}, DB_POOL with it) or add a Sidekiq process for default.`;
    case 'push':
      return 'Outgoing federation is late: run a dedicated Sidekiq process for push; slow or dead remote servers hold its threads.';
    case 'ingress':
      return 'Incoming federation is late: run a dedicated Sidekiq process for ingress.';
    case 'scheduler':
      return 'Scheduled jobs are late: the scheduler queue must run in exactly one process; give it its own.';
    default:
      return `The ${queue} queue is late: add Sidekiq threads or a process that serves ${queue}.`;
  }
}

function groupByLabel(list: Series[]): Map<string, Series[]> {
  const groups = new Map<string, Series[]>();
  for (const s of list) {
    const key = labelOf(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return groups;
}

function lastOf(points: Point[]): number | undefined {
  return points[points.length - 1]?.[1];
}

/** The worst mean job duration seen for a queue (seconds). */
function slowestJobSeconds(data: RunData, queue: string): number | undefined {
  const pts = combine((data.series.sidekiqJobDuration ?? []).filter((x) => x.labels.queue === queue), 'max');
  return peak(pts)?.value;
}

/** 429s as a share of all requests; without a request-rate series, of throughput × requests per arrival. */
function throttleShare(data: RunData): Point[] {
  const throttled = combine(data.series.throttleRate);
  const total = data.series.requestRate?.length ? combine(data.series.requestRate) : combine(data.series.throughput).map(([t, v]): Point => [t, v * data.requestsPerArrival]);
  return throttled.flatMap(([t, v]): Point[] => {
    const all = valueAt(total, t);
    return all && all > 0 ? [[t, v / all]] : [];
  });
}
