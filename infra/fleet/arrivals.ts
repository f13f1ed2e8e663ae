// Post-to-arrival bookkeeping of the fleet: every Create(Note) a target
// delivers is one arrival, its latency the time from the Note's `published`
// to the moment the request reached the fleet. Pure: the server feeds it.

import { percentile } from '../engines/node/stats/percentile.js';

export interface Arrival {
  /** The Note's id (URI). */
  note: string;
  /** The delivering server (host[:port] of the author). */
  source: string;
  /** The fleet domain that received it. */
  domain: string;
  publishedMs: number;
  arrivedMs: number;
}

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface FleetSummary {
  arrivals: number;
  /** The same Note arriving again at the same domain (a retry whose first try had landed, or personal-inbox fan-out). */
  duplicates: number;
  rejected: { unsigned: number; badSignature: number };
  latency: LatencyStats;
  byDomain: Record<string, LatencyStats>;
  bySource: Record<string, LatencyStats>;
}

export function latencyStats(ms: readonly number[]): LatencyStats {
  return {
    count: ms.length,
    p50Ms: percentile(ms, 0.5),
    p95Ms: percentile(ms, 0.95),
    p99Ms: percentile(ms, 0.99),
    maxMs: ms.length ? Math.max(...ms) : 0,
  };
}

export const latencyMs = (a: Arrival): number => Math.max(0, a.arrivedMs - a.publishedMs);

export class ArrivalLog {
  readonly arrivals: Arrival[] = [];
  private readonly seen = new Set<string>();
  duplicates = 0;
  unsigned = 0;
  badSignature = 0;

  /** Records a delivery; returns false (and counts it) when the Note already reached this domain. */
  record(a: Arrival): boolean {
    const key = `${a.domain}\n${a.note}`;
    if (this.seen.has(key)) {
      this.duplicates++;
      return false;
    }
    this.seen.add(key);
    this.arrivals.push(a);
    return true;
  }

  summary(): FleetSummary {
    return {
      arrivals: this.arrivals.length,
      duplicates: this.duplicates,
      rejected: { unsigned: this.unsigned, badSignature: this.badSignature },
      latency: latencyStats(this.arrivals.map(latencyMs)),
      byDomain: grouped(this.arrivals, (a) => a.domain),
      bySource: grouped(this.arrivals, (a) => a.source),
    };
  }
}

function grouped(arrivals: readonly Arrival[], key: (a: Arrival) => string): Record<string, LatencyStats> {
  const groups = new Map<string, number[]>();
  for (const a of arrivals) {
    const k = key(a);
    const list = groups.get(k) ?? [];
    list.push(latencyMs(a));
    groups.set(k, list);
  }
  return Object.fromEntries([...groups].sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, latencyStats(v)]));
}
