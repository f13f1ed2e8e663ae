// "What must I add for a wave like 2022's?" Projects a wave's peak onto the
// resources Mastodon needs, from the run's measured costs (costs.ts) and a
// short list of stated assumptions, then prices them with the price sheet and
// compares the result with the one public cost anchor of the 2022 wave.
//
// The arithmetic, in order (u = target utilisation):
//   requests/s R = peak signups/s × requests per signup + active users × requests per user-hour / 3600
//   web processes = max(⌈(Rs + Ra × w) / (requests per process × u)⌉, ⌈(Rs × cpu_s + Ra × cpu_a) / u⌉)
//     Rs, Ra: signup and everyday requests/s; cpu_s, cpu_a: web CPU-s per request of each,
//     measured in their own phases; w = cpu_a / cpu_s (1 when no activity phase ran)
//   Sidekiq threads per queue = ⌈jobs/s × job seconds / u⌉      (Little's law: busy = rate × time)
//     jobs/s = Rs × jobs per signup request + Ra × jobs per everyday request
//   DB connections = web processes × threads + Sidekiq processes × threads + streaming processes × 10
//   max_connections ≥ connections × (1 + margin)                 (Mastodon docs: ≈ all threads; PG default 100)
//   Redis = active users × 800 feed entries × bytes per entry + base
//   storage/day = active users × posts per user-hour × 24 × bytes per status + signups/day × bytes per account
import type { MeasuredCosts } from './costs.js';
import { bytes, money, moneyRange, num } from './format.js';
import { DEFAULT_ASSUMPTIONS, ASSUMPTION_BASIS, type ProjectionAssumptions } from './assumptions.js';
import type { PriceSheet } from './price-sheet.js';
import type { Sizing, WaveSummary } from './types.js';

export { ASSUMPTION_BASIS, DEFAULT_ASSUMPTIONS, type ProjectionAssumptions };

/** The wave to plan for, in real time (not compressed). */
export interface ProjectionWave {
  name: string;
  /** Signups per second at the busiest moment. */
  peakSignupRate: number;
  /** Signups on a day of the wave (mail per day, storage per day). */
  signupsPerDay: number;
  /** All signups of the wave (mail for the month). */
  totalSignups: number;
  /** People active at the peak: existing users plus newcomers. */
  activeUsers: number;
  /** Accounts still active after the wave (upper end of cost per user). */
  retainedUsers: number;
  /** All accounts after the wave (lower end of cost per user). */
  totalAccounts: number;
  /** API requests per active person per hour, all endpoints. */
  requestsPerUserHour: number;
  postsPerUserHour: number;
  /** Share of active people holding a streaming connection. */
  streamingShare: number;
}

const DAY = 86_400;

/**
 * The rehearsed wave in real time. Sized for its peak: every newcomer of the
 * wave counted as active (churn comes after the wave), signups per day as the
 * wave's average day (its total, for waves of a day or less).
 */
export function projectionWaveFromRun(w: WaveSummary): ProjectionWave {
  const compression = w.compression > 0 ? w.compression : 1;
  const realDuration = w.durationSec * compression;
  const { streamingShare: _s, ...endpoints } = w.newcomerActivity;
  return {
    name: w.name,
    peakSignupRate: w.peakSignupRate / compression,
    signupsPerDay: w.totalSignups * Math.min(1, DAY / Math.max(realDuration, 1)),
    totalSignups: w.totalSignups,
    activeUsers: w.baselineUsers + w.totalSignups,
    retainedUsers: w.baselineUsers + w.totalSignups * w.retention,
    totalAccounts: w.baselineUsers + w.totalSignups,
    requestsPerUserHour: Object.values(endpoints).reduce((s, v) => s + v, 0),
    postsPerUserHour: w.newcomerActivity.posts ?? 0,
    streamingShare: w.streamingShare,
  };
}

export interface QueueSizing {
  queue: string;
  jobRate: number;
  jobSeconds: number;
  /** Little's law: threads busy on average. */
  busyThreads: number;
  threads: number;
  basis: 'measured' | 'assumed';
}

export interface Projection {
  wave: ProjectionWave;
  load: { signupRequestRate: number; activityRequestRate: number; requestRate: number; streamingConnections: number };
  web: { processes: number; threadsPerProcess: number; threads: number; byCapacity: number | null; byCpu: number | null; basis: string };
  sidekiq: { queues: QueueSizing[]; threads: number; threadsPerProcess: number; processes: number; mailersProcesses: number };
  streaming: { connections: number; processes: number };
  database: {
    dbPool: { web: number; sidekiq: number };
    connections: { web: number; sidekiq: number; streaming: number; total: number };
    maxConnections: { required: number; current: number; mustRaise: boolean };
  };
  redis: { feedBytes: number; baseBytes: number; totalBytes: number };
  storage: { statusesPerDay: number; bytesPerDay: number; gbPerMonth: number };
  mail: { perDay: number; perMonth: number };
  resources: { components: { component: string; vcpu: number; ramGb: number }[]; vcpu: number; ramGb: number; storageGb: number };
  cost: {
    currency: string;
    monthly: number;
    breakdown: { compute: number; memory: number; storage: number; mail: number };
    perUserMonth: { low: number; high: number };
    source: string;
  };
  anchor: {
    name: string;
    monthlyUsd: number;
    users: { low: number; high: number };
    perUserMonthUsd: { low: number; high: number };
    comparison: 'below' | 'within' | 'above' | 'not-comparable';
    text: string;
  };
  /** Settings to change, "WEB_CONCURRENCY 2 → 15". */
  changes: string[];
  assumptions: { name: string; value: number | Record<string, number>; basis: string }[];
  notes: string[];
  summary: string;
}

/** mas.to in the 2022 wave: about USD 1,200 a month for 40,000–67,000 users (waves.md). */
export const MAS_TO_ANCHOR = Object.freeze({ name: 'mas.to', monthlyUsd: 1200, usersLow: 40_000, usersHigh: 67_000 });

const GiB = 1024 ** 3;
const ceil = (x: number) => Math.max(0, Math.ceil(x - 1e-9)); // 7.000000001 from float noise is 7

export function project(
  wave: ProjectionWave,
  measured: MeasuredCosts,
  sizing: Sizing,
  prices: PriceSheet,
  overrides: Partial<ProjectionAssumptions> = {},
  currentMaxConnections?: number,
): Projection {
  const a: ProjectionAssumptions = { ...DEFAULT_ASSUMPTIONS, ...overrides };
  const u = a.utilisation;
  const notes = [...measured.notes];

  // Load at the peak.
  const signupRequestRate = wave.peakSignupRate * a.requestsPerSignup;
  const activityRequestRate = (wave.activeUsers * wave.requestsPerUserHour) / 3600;
  const requestRate = signupRequestRate + activityRequestRate;
  const streamingConnections = wave.activeUsers * wave.streamingShare;

  // Web: enough processes for the requests (measured capacity) and for the CPU.
  // Capacity was measured on signup traffic; an everyday request counts as the
  // share of a signup request its CPU cost is, when both costs were measured.
  const act = measured.activity;
  const cpuS = measured.cpuSecondsPerRequest;
  const cpuA = act?.cpuSecondsPerRequest ?? null;
  const activityWeight = cpuS !== null && cpuS > 0 && cpuA !== null ? cpuA / cpuS : 1;
  const capacityLoad = signupRequestRate + activityRequestRate * activityWeight;
  const byCapacity = measured.requestsPerWebProcess ? ceil(capacityLoad / (measured.requestsPerWebProcess * u)) : null;
  // With one of the two costs unmeasured, the other stands in for it.
  const byCpu = cpuS !== null || cpuA !== null ? ceil((signupRequestRate * (cpuS ?? cpuA!) + activityRequestRate * (cpuA ?? cpuS!)) / u) : null;
  let processes = Math.max(1, byCapacity ?? 0, byCpu ?? 0);
  let basis = `capacity per process from ${measured.capacityBasis}`;
  if (byCapacity === null && byCpu === null) {
    processes = sizing.webConcurrency;
    basis = `not measured (${measured.capacityBasis}): kept the current WEB_CONCURRENCY`;
    notes.push('web capacity was not measured, so the web tier is not projected; run a breakpoint phase that starts below the breaking point');
  } else if (byCapacity === null) basis = 'CPU-seconds per request only (no breakpoint capacity)';
  if (cpuA !== null && cpuS !== null) {
    basis += `; an everyday request costs ${(cpuA * 1000).toFixed(2)} ms of web CPU against ${(cpuS * 1000).toFixed(2)} ms for a signup request (measured in the activity phase)`;
  }
  const threadsPerProcess = measured.threadsPerWebProcess;

  // Sidekiq: Little's law per queue; mail scales with signups, everything else
  // with requests, each kind of request at the jobs per request measured for it.
  const measuredQueues = [...Object.keys(measured.jobsPerRequest), ...Object.keys(act?.jobsPerRequest ?? {})];
  const queueNames = measuredQueues.length ? measuredQueues : Object.keys(a.jobsPerRequest);
  const perRequest = (queue: string, costs: Record<string, number> | undefined) => costs?.[queue] ?? measured.jobsPerRequest[queue] ?? a.jobsPerRequest[queue] ?? 0;
  const queues: QueueSizing[] = [...new Set([...queueNames.filter((q) => q !== 'mailers'), 'mailers'])].map((queue) => {
    const isMeasured = (queue in measured.jobsPerRequest || queue in (act?.jobsPerRequest ?? {})) && queue in measured.jobSeconds;
    const jobRate =
      queue === 'mailers'
        ? wave.peakSignupRate * a.mailsPerSignup
        : signupRequestRate * perRequest(queue, measured.jobsPerRequest) + activityRequestRate * perRequest(queue, act?.jobsPerRequest);
    const jobSeconds = measured.jobSeconds[queue] ?? a.jobSeconds[queue] ?? 0.1;
    const busyThreads = jobRate * jobSeconds;
    return { queue, jobRate, jobSeconds, busyThreads, threads: Math.max(1, ceil(busyThreads / u)), basis: isMeasured ? 'measured' : 'assumed' };
  });
  const perProcess = Math.max(1, sizing.sidekiqConcurrency);
  const mailerThreads = queues.find((q) => q.queue === 'mailers')!.threads;
  const otherThreads = queues.reduce((s, q) => s + (q.queue === 'mailers' ? 0 : q.threads), 0);
  // Mail gets its own process: with weight 2 of 23 it starves behind fan-out in a wave.
  const mailersProcesses = ceil(mailerThreads / perProcess);
  const sidekiqProcesses = ceil(otherThreads / perProcess) + mailersProcesses;

  const streamingProcesses = Math.max(1, ceil(streamingConnections / a.streamingConnectionsPerProcess));

  // PostgreSQL: every thread can hold a connection (DB_POOL = threads, Mastodon's default).
  const conns = {
    web: processes * threadsPerProcess,
    sidekiq: sidekiqProcesses * perProcess,
    streaming: streamingProcesses * a.streamingDbPool,
    total: 0,
  };
  conns.total = conns.web + conns.sidekiq + conns.streaming;
  const required = ceil(conns.total * (1 + a.maxConnectionsMargin));
  const current = currentMaxConnections ?? a.postgresDefaultMaxConnections;

  const feedBytes = wave.activeUsers * a.feedEntriesPerUser * a.bytesPerFeedEntry;
  const redisBytes = feedBytes + a.redisBaseBytes;

  const statusesPerDay = wave.activeUsers * wave.postsPerUserHour * 24;
  const bytesPerDay = statusesPerDay * a.bytesPerStatus + wave.signupsPerDay * a.bytesPerAccount;
  const storageGb = (bytesPerDay * 30) / GiB;

  const mailPerDay = wave.signupsPerDay * a.mailsPerSignup;
  const mailPerMonth = wave.totalSignups * a.mailsPerSignup;

  const appVcpu =
    processes * a.vcpuPerWebProcess + sidekiqProcesses * a.vcpuPerSidekiqProcess + streamingProcesses * a.vcpuPerStreamingProcess;
  const pgVcpu = Math.max(a.postgresMinVcpu, ceil(appVcpu * a.postgresVcpuPerAppVcpu));
  const components = [
    { component: 'web', vcpu: processes * a.vcpuPerWebProcess, ramGb: processes * a.ramGbPerWebProcess },
    { component: 'sidekiq', vcpu: sidekiqProcesses * a.vcpuPerSidekiqProcess, ramGb: sidekiqProcesses * a.ramGbPerSidekiqProcess },
    { component: 'streaming', vcpu: streamingProcesses * a.vcpuPerStreamingProcess, ramGb: streamingProcesses * a.ramGbPerStreamingProcess },
    { component: 'postgresql', vcpu: pgVcpu, ramGb: pgVcpu * a.postgresRamGbPerVcpu },
    { component: 'redis', vcpu: a.redisVcpu, ramGb: redisBytes / GiB },
  ];
  const vcpu = components.reduce((s, c) => s + c.vcpu, 0);
  const ramGb = components.reduce((s, c) => s + c.ramGb, 0);
  const breakdown = {
    compute: vcpu * prices.vcpuMonth,
    memory: ramGb * prices.ramGbMonth,
    storage: storageGb * prices.storageGbMonth,
    mail: (mailPerMonth / 1000) * prices.mailPer1000,
  };
  const monthly = breakdown.compute + breakdown.memory + breakdown.storage + breakdown.mail;
  const perUserMonth = { low: monthly / Math.max(wave.totalAccounts, 1), high: monthly / Math.max(wave.retainedUsers, 1) };
  const anchor = compareWithAnchor(monthly, perUserMonth, wave, prices.currency);

  const webPool = threadsPerProcess;
  const currentWebPool = sizing.dbPool ?? sizing.maxThreads;
  const changes: string[] = [];
  const change = (name: string, from: number, to: number) => {
    if (from !== to) changes.push(`${name} ${num(from)} → ${num(to)}`);
  };
  change('WEB_CONCURRENCY', sizing.webConcurrency, processes);
  change('MAX_THREADS', sizing.maxThreads, threadsPerProcess);
  change('Sidekiq processes', sizing.sidekiqProcesses ?? 1, sidekiqProcesses);
  change('DB_POOL (web)', currentWebPool, webPool);
  change('DB_POOL (Sidekiq)', sizing.dbPool ?? perProcess, perProcess);
  change('streaming processes', sizing.streamingProcesses ?? 1, streamingProcesses);
  if (required > current) changes.push(`PostgreSQL max_connections ${num(current)} → ${num(required)}`);
  if (mailersProcesses > 0) changes.push(`a dedicated Sidekiq process for mailers (${mailersProcesses} × ${perProcess} threads)`);

  const projection: Projection = {
    wave,
    load: { signupRequestRate, activityRequestRate, requestRate, streamingConnections },
    web: { processes, threadsPerProcess, threads: processes * threadsPerProcess, byCapacity, byCpu, basis },
    sidekiq: { queues, threads: otherThreads + mailerThreads, threadsPerProcess: perProcess, processes: sidekiqProcesses, mailersProcesses },
    streaming: { connections: streamingConnections, processes: streamingProcesses },
    database: {
      dbPool: { web: webPool, sidekiq: perProcess },
      connections: conns,
      maxConnections: { required, current, mustRaise: required > current },
    },
    redis: { feedBytes, baseBytes: a.redisBaseBytes, totalBytes: redisBytes },
    storage: { statusesPerDay, bytesPerDay, gbPerMonth: storageGb },
    mail: { perDay: mailPerDay, perMonth: mailPerMonth },
    resources: { components, vcpu, ramGb, storageGb },
    cost: { currency: prices.currency, monthly, breakdown, perUserMonth, source: prices.source },
    anchor,
    changes,
    assumptions: (Object.keys(a) as (keyof ProjectionAssumptions)[]).map((name) => ({ name, value: a[name], basis: ASSUMPTION_BASIS[name] })),
    notes,
    summary: '',
  };
  projection.summary = summarise(projection);
  return projection;
}

function compareWithAnchor(monthly: number, perUser: { low: number; high: number }, wave: ProjectionWave, currency: string): Projection['anchor'] {
  const m = MAS_TO_ANCHOR;
  const anchorLow = m.monthlyUsd / m.usersHigh;
  const anchorHigh = m.monthlyUsd / m.usersLow;
  const base = {
    name: m.name,
    monthlyUsd: m.monthlyUsd,
    users: { low: m.usersLow, high: m.usersHigh },
    perUserMonthUsd: { low: anchorLow, high: anchorHigh },
  };
  const theirs = `${m.name}'s USD ${anchorLow.toFixed(3)}–${anchorHigh.toFixed(3)} per user-month (about USD 1,200 a month for 40,000–67,000 users in the 2022 wave)`;
  const ours = `${money(monthly, currency)} a month is ${moneyRange(perUser.low, perUser.high, currency)} per user-month for ${num(wave.retainedUsers)}–${num(wave.totalAccounts)} users`;
  if (currency !== 'USD') {
    return { ...base, comparison: 'not-comparable', text: `${ours}; the price sheet is in ${currency}, so compare by hand with ${theirs}.` };
  }
  const comparison = perUser.high < anchorLow ? 'below' : perUser.low > anchorHigh ? 'above' : 'within';
  const words =
    comparison === 'below'
      ? `below ${theirs}; mas.to's bill also paid for media storage and bandwidth, which this projection leaves out`
      : comparison === 'above'
        ? `above ${theirs}: check the price sheet, or whether the sizing is driven by a bottleneck worth fixing first`
        : `in line with ${theirs}`;
  return { ...base, comparison, text: `${ours}: ${words}.` };
}

function summarise(p: Projection): string {
  const w = p.wave;
  return (
    `For ${w.name} (peak ${num(w.peakSignupRate)} signups/s, ${num(w.activeUsers)} active people, ${num(p.load.requestRate)} requests/s): ` +
    `${p.web.processes} web processes × ${p.web.threadsPerProcess} threads, ${p.sidekiq.processes} Sidekiq processes × ${p.sidekiq.threadsPerProcess} threads ` +
    `(${p.sidekiq.mailersProcesses} for mailers), ${p.streaming.processes} streaming, ${num(p.database.connections.total)} database connections ` +
    `(max_connections ≥ ${num(p.database.maxConnections.required)}), Redis ${bytes(p.redis.totalBytes)}, storage +${bytes(p.storage.bytesPerDay)}/day. ` +
    p.anchor.text
  );
}
