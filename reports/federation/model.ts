// The federation report's numbers, from a run's kept data. Pure.
//
// Delivery latency and fan-out are measured where they can be timed exactly:
// at the fleet's servers, which follow the stand-ins' accounts (an observer
// account on one fleet domain follows everyone, so every post is timed at
// least once). Deliveries between stand-ins leave from the same push queue;
// they are counted from the instances' own delivery counters. Latency runs
// from the post's created_at as its API answered (milliseconds), since the
// Note's `published` is rounded down to the second.

import { latencyMs, latencyStats, type LatencyStats } from '../../infra/fleet/arrivals.js';
import { duration } from '../model/format.js';
import type { FederationRunData, InstanceSample } from './types.js';

export const fmtMs = (ms: number): string => duration(ms / 1000);

export interface InstanceSeries {
  index: number;
  domain: string;
  pushBacklog: Array<[number, number | null]>;
  pushLatencyS: Array<[number, number | null]>;
  ingressBacklog: Array<[number, number | null]>;
  ingressLatencyS: Array<[number, number | null]>;
  /** Failed delivery attempts per second (each one is retried later). */
  failedPerS: Array<[number, number | null]>;
  deliveredPerS: Array<[number, number | null]>;
}

export interface DeliveryCounts {
  delivered: number;
  failed: number;
  circuitOpen: number;
  skippedUnavailable: number;
  unsalvageable: number;
  enqueued: number;
  distributed: number;
}

export interface OutageSummary {
  instance: number;
  domain: string;
  downAtS: number;
  upAtS: number | undefined;
  /** Failed attempts on the other instances while it was down and until the end (they are retried with Sidekiq's backoff). */
  retriesByOthers: number;
  circuitOpenByOthers: number;
  /** Hosts with failing days recorded on any instance during the outage. */
  failingHosts: string[];
  unavailableDomains: string[];
  /** Posts by the down instance's accounts that failed (its API was down). */
  postsRefused: number;
  /** Fleet arrivals of posts published before the outage that arrived after it began (held in its push queue). */
  delayedArrivals: LatencyStats;
}

export interface FederationReport {
  partial: boolean;
  partialReason: string | undefined;
  headline: string;
  facts: Array<[string, string]>;
  posts: { attempted: number; published: number; failed: number };
  deliveriesPerPost: {
    /** From the follower graph: distinct other servers per post. */
    planned: { mean: number; p50: number; max: number; histogram: Array<{ deliveries: number; posts: number }> };
    /** From the instances' counters: DeliveryWorker jobs enqueued ÷ posts distributed. */
    measured: number | undefined;
  };
  /** Fleet deliveries expected and arrived. */
  fleetCompleteness: { expected: number; arrived: number };
  /** From `published` to the last fleet arrival, for posts whose every fleet delivery arrived. */
  fanOut: LatencyStats;
  latency: LatencyStats;
  latencyBySource: Array<{ domain: string } & LatencyStats>;
  latencyByDomain: Array<{ domain: string } & LatencyStats>;
  /** [seconds since load start of arrival, latency ms] for every fleet arrival. */
  latencyPoints: Array<[number, number]>;
  counts: Array<{ domain: string } & DeliveryCounts>;
  series: InstanceSeries[];
  outage: OutageSummary | undefined;
  durationS: number;
}

/** Increase of a counter between samples, across worker restarts (a drop means a reset to 0). */
export function counterIncrease(values: ReadonlyArray<number | undefined>): number {
  let total = 0;
  let prev: number | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    total += prev === undefined ? 0 : v >= prev ? v - prev : v;
    prev = v;
  }
  return total;
}

function perSecond(samples: readonly InstanceSample[], pick: (s: InstanceSample) => number | undefined): Array<[number, number | null]> {
  const out: Array<[number, number | null]> = [];
  let prev: InstanceSample | undefined;
  for (const s of samples) {
    const v = s.up ? pick(s) : undefined;
    const p = prev && prev.up ? pick(prev) : undefined;
    if (v === undefined) out.push([s.t, null]);
    else if (p !== undefined && s.t > prev!.t) out.push([s.t, Math.max(0, (v >= p ? v - p : v) / (s.t - prev!.t))]);
    prev = s;
  }
  return out;
}

function gauge(samples: readonly InstanceSample[], pick: (s: InstanceSample) => number | undefined): Array<[number, number | null]> {
  return samples.map((s) => [s.t, s.up ? (pick(s) ?? null) : null]);
}

const withDomain = <T extends object>(domain: string, s: T): { domain: string } & T => ({ domain, ...s });

export function buildFederationReport(run: FederationRunData): FederationReport {
  const t0 = run.loadStartMs;
  const domainOfInstance = (i: number) => run.instances[i]?.domain ?? `instance ${i + 1}`;
  // A Note's `published` has whole seconds (as Mastodon renders it); the API's created_at of our own posts has milliseconds.
  const postedAt = new Map(run.posts.map((p) => [p.uri, p.publishedMs]));
  const arrivals = run.arrivals.map((a) => ({ ...a, publishedMs: postedAt.get(a.note) ?? a.publishedMs }));
  const byNote = new Map<string, number[]>();
  for (const a of arrivals) {
    const list = byNote.get(a.note) ?? [];
    list.push(a.arrivedMs);
    byNote.set(a.note, list);
  }

  // Deliveries per post, as planned by the graph.
  const planned = run.posts.map((p) => p.expected.standins.length + p.expected.fleet.length);
  const histogram = new Map<number, number>();
  for (const n of planned) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  const sortedPlanned = [...planned].sort((a, b) => a - b);

  // Fan-out: posts whose every expected fleet delivery arrived.
  let expected = 0;
  let arrived = 0;
  const fanOut: number[] = [];
  for (const p of run.posts) {
    const got = byNote.get(p.uri) ?? [];
    expected += p.expected.fleet.length;
    arrived += Math.min(got.length, p.expected.fleet.length);
    if (p.expected.fleet.length > 0 && got.length >= p.expected.fleet.length) fanOut.push(Math.max(...got) - p.publishedMs);
  }

  const bySample = new Map<number, InstanceSample[]>();
  for (const s of run.samples) {
    const list = bySample.get(s.instance) ?? [];
    list.push(s);
    bySample.set(s.instance, list);
  }
  const series: InstanceSeries[] = run.instances.map((inst) => {
    const s = (bySample.get(inst.index) ?? []).filter((x) => x.t >= -5);
    return {
      index: inst.index,
      domain: inst.domain,
      pushBacklog: gauge(s, (x) => x.pushBacklog),
      pushLatencyS: gauge(s, (x) => x.pushLatencyS),
      ingressBacklog: gauge(s, (x) => x.ingressBacklog),
      ingressLatencyS: gauge(s, (x) => x.ingressLatencyS),
      failedPerS: perSecond(s, (x) => x.deliveries?.failed),
      deliveredPerS: perSecond(s, (x) => x.deliveries?.delivered),
    };
  });
  const countsOf = (samples: readonly InstanceSample[], from = -Infinity): DeliveryCounts => {
    // The last sample before the window is its baseline, so the first increase inside it counts.
    const first = samples.findIndex((x) => x.t >= from);
    const inWindow = first < 0 ? [] : samples.slice(Math.max(0, first - 1));
    const inc = (pick: (x: InstanceSample) => number | undefined) => counterIncrease(inWindow.map((x) => (x.up ? pick(x) : undefined)));
    return {
      delivered: inc((x) => x.deliveries?.delivered),
      failed: inc((x) => x.deliveries?.failed),
      circuitOpen: inc((x) => x.deliveries?.circuit_open),
      skippedUnavailable: inc((x) => x.deliveries?.skipped_unavailable),
      unsalvageable: inc((x) => x.deliveries?.unsalvageable),
      enqueued: inc((x) => x.enqueued),
      distributed: inc((x) => x.distributed),
    };
  };
  // Counters start at 0 with each worker, so the whole run's increase includes setup (follows' Accepts).
  const counts = run.instances.map((inst) => withDomain(inst.domain, countsOf(bySample.get(inst.index) ?? [])));
  const loadCounts = run.instances.map((inst) => countsOf(bySample.get(inst.index) ?? [], 0));
  const distributed = loadCounts.reduce((a, c) => a + c.distributed, 0);
  const enqueued = loadCounts.reduce((a, c) => a + c.enqueued, 0);

  let outage: OutageSummary | undefined;
  if (run.outage) {
    const o = run.outage;
    const others = run.instances.filter((i) => i.index !== o.instance);
    const during = run.samples.filter((s) => s.t >= o.downAtS);
    const otherCounts = others.map((i) => countsOf(bySample.get(i.index) ?? [], o.downAtS));
    const delayed = arrivals.filter((a) => a.publishedMs - t0 < o.downAtS * 1000 && a.arrivedMs - t0 >= o.downAtS * 1000 && a.source === domainOfInstance(o.instance));
    outage = {
      instance: o.instance,
      domain: domainOfInstance(o.instance),
      downAtS: o.downAtS,
      upAtS: o.upAtS,
      retriesByOthers: otherCounts.reduce((a, c) => a + c.failed, 0),
      circuitOpenByOthers: otherCounts.reduce((a, c) => a + c.circuitOpen, 0),
      failingHosts: [...new Set(during.flatMap((s) => s.failingHosts ?? []))].sort(),
      unavailableDomains: [...new Set(during.flatMap((s) => s.unavailable ?? []))].sort(),
      postsRefused: run.postFailures.filter((f) => f.instance === o.instance && f.t >= o.downAtS && (o.upAtS === undefined || f.t <= o.upAtS + 5)).length,
      delayedArrivals: latencyStats(delayed.map(latencyMs)),
    };
  }

  const latency = latencyStats(arrivals.map(latencyMs));
  const fan = latencyStats(fanOut);
  const group = (key: (a: (typeof arrivals)[number]) => string) => {
    const m = new Map<string, number[]>();
    for (const a of arrivals) m.set(key(a), [...(m.get(key(a)) ?? []), latencyMs(a)]);
    return [...m].sort(([x], [y]) => x.localeCompare(y)).map(([d, v]) => withDomain(d, latencyStats(v)));
  };
  const published = run.posts.length;
  const measured = distributed > 0 ? enqueued / distributed : undefined;
  const mean = planned.length ? planned.reduce((a, b) => a + b, 0) / planned.length : 0;
  const headline = published === 0
    ? 'no post was published, so nothing fanned out'
    : `${published} posts fanned out to ${mean.toFixed(1)} other servers each on average; ` +
      `fleet deliveries arrived in p50 ${fmtMs(latency.p50Ms)}, p95 ${fmtMs(latency.p95Ms)}, p99 ${fmtMs(latency.p99Ms)}; ` +
      `a whole fan-out took p95 ${fmtMs(fan.p95Ms)} (${arrived} of ${expected} fleet deliveries arrived)`;

  return {
    partial: run.partial,
    partialReason: run.partialReason,
    headline,
    facts: [
      ['Instances', `${run.plan.instances} stand-ins (${run.instances.map((i) => `${i.domain}: ${i.users} users`).join(', ')})`],
      ['Fleet', `${run.fleet.length} remote servers, ${run.fleet.reduce((a, f) => a + f.actors, 0)} accounts (one observer following everyone)`],
      ['Graph', `${run.plan.shape}, ${run.plan.followsPerAccount} follows per account, seed ${run.plan.seed}; ${run.follows.accepted} of ${run.follows.planned} follows accepted`],
      ['Load', `${run.plan.postRate} posts/s for ${run.plan.durationS} s${run.plan.inboundRate ? `, ${run.plan.inboundRate} signed activities/s from the fleet` : ''}`],
      ...(run.inbound ? [['Inbox POSTs during the load', `${run.inbound.sent} (the fleet's signed activities plus deliveries between instances), ${run.inbound.accepted} answered 202`] as [string, string]] : []),
      ['Sizing per instance', `WEB_CONCURRENCY=${run.plan.sizing.webConcurrency} MAX_THREADS=${run.plan.sizing.maxThreads} SIDEKIQ_CONCURRENCY=${run.plan.sizing.sidekiqConcurrency}`],
      ...(run.plan.kill ? [['Outage', `instance ${run.plan.kill.instance + 1} down at ${run.plan.kill.atS} s for ${run.plan.kill.downForS} s`] as [string, string]] : []),
      ['Run', `${run.startedAt} → ${run.endedAt}`],
    ],
    posts: { attempted: published + run.postFailures.length, published, failed: run.postFailures.length },
    deliveriesPerPost: {
      planned: { mean, p50: sortedPlanned[Math.floor((sortedPlanned.length - 1) / 2)] ?? 0, max: sortedPlanned[sortedPlanned.length - 1] ?? 0, histogram: [...histogram].sort(([a], [b]) => a - b).map(([deliveries, posts]) => ({ deliveries, posts })) },
      measured,
    },
    fleetCompleteness: { expected, arrived },
    fanOut: fan,
    latency,
    latencyBySource: group((a) => a.source),
    latencyByDomain: group((a) => a.domain),
    latencyPoints: arrivals.map((a) => [(a.arrivedMs - t0) / 1000, latencyMs(a)]),
    counts,
    series,
    outage,
    durationS: run.plan.durationS,
  };
}
