// A live Prometheus endpoint with the series k6's remote-write output
// produces (internal/output/prometheusrw): counters `k6_<name>_total`, gauges
// `k6_<name>`, rates `k6_<name>_rate` (passes/total), trends one gauge per
// stat `k6_<name>_<stat>` (p(99) → p99), all cumulative since the start of
// the test, time trends in seconds. Labels are the sample's non-empty tags
// (never vu/iter). Served by pull instead of pushed.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { ExactTrendStore } from '../../stats/trend-store.js';
import { parseTrendStat } from '../../stats/trend-stats.js';
import type { Metric, Sample } from '../metrics.js';

/** k6's default is p(99) only; the runner adds p(95) for the dashboards' quantile_stat picker. */
export const DEFAULT_PROM_TREND_STATS = ['p(95)', 'p(99)'];

interface Series {
  labels: Record<string, string>;
  value: number;
  trues: number;
  total: number;
  store?: ExactTrendStore;
}

interface Family {
  metric: Metric;
  series: Map<string, Series>;
  labelNames: Set<string>;
}

const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelName(k: string): string {
  if (LABEL_RE.test(k)) return k;
  const s = k.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** `p(99.9)` → `p999`, `avg` → `avg`. */
export function statSuffix(stat: string): string {
  if (stat.startsWith('p(')) return `p${stat.slice(2, -1).replace('.', '')}`;
  return stat;
}

export class PrometheusOutput {
  private readonly families = new Map<string, Family>();
  private server: http.Server | undefined;

  constructor(readonly trendStats: readonly string[] = DEFAULT_PROM_TREND_STATS) {
    for (const s of trendStats) if (!['count', 'sum', 'min', 'max', 'avg', 'med'].includes(s)) parseTrendStat(s);
  }

  readonly onSample = (s: Sample): void => {
    const m = s.metric;
    let fam = this.families.get(m.name);
    if (!fam) {
      fam = { metric: m, series: new Map(), labelNames: new Set() };
      this.families.set(m.name, fam);
    }
    const labels: Record<string, string> = {};
    let key = '';
    for (const k of Object.keys(s.tags).sort()) {
      const v = s.tags[k]!;
      if (v === '' || k === 'vu' || k === 'iter') continue;
      const ln = labelName(k);
      labels[ln] = v;
      key += `${ln}\u0000${v}\u0001`;
    }
    let ser = fam.series.get(key);
    if (!ser) {
      ser = { labels, value: 0, trues: 0, total: 0 };
      if (m.type === 'trend') ser.store = new ExactTrendStore();
      fam.series.set(key, ser);
      for (const ln of Object.keys(labels)) fam.labelNames.add(ln);
    }
    switch (m.type) {
      case 'counter':
        ser.value += s.value;
        break;
      case 'gauge':
        ser.value = s.value;
        break;
      case 'rate':
        ser.total++;
        if (s.value !== 0) ser.trues++;
        break;
      case 'trend':
        ser.store!.add(s.value);
        break;
    }
  };

  /** The exposition text, built fresh for every scrape. */
  async metrics(): Promise<string> {
    const reg = new Registry();
    for (const fam of this.families.values()) {
      const m = fam.metric;
      const labelNames = [...fam.labelNames];
      const base = `k6_${m.name}`;
      const scale = m.contains === 'time' ? 1 / 1000 : 1;
      switch (m.type) {
        case 'counter': {
          const c = new Counter({ name: `${base}_total`, help: `k6 counter ${m.name}`, labelNames, registers: [reg] });
          for (const s of fam.series.values()) c.inc(s.labels, s.value);
          break;
        }
        case 'gauge': {
          const g = new Gauge({ name: base, help: `k6 gauge ${m.name}`, labelNames, registers: [reg] });
          for (const s of fam.series.values()) g.set(s.labels, s.value);
          break;
        }
        case 'rate': {
          const g = new Gauge({ name: `${base}_rate`, help: `k6 rate ${m.name}`, labelNames, registers: [reg] });
          for (const s of fam.series.values()) g.set(s.labels, s.total === 0 ? 0 : s.trues / s.total);
          break;
        }
        case 'trend': {
          for (const stat of this.trendStats) {
            const g = new Gauge({ name: `${base}_${statSuffix(stat)}`, help: `k6 trend ${m.name} ${stat}`, labelNames, registers: [reg] });
            for (const s of fam.series.values()) g.set(s.labels, trendStat(s.store!, stat) * (stat === 'count' ? 1 : scale));
          }
          break;
        }
      }
    }
    return reg.metrics();
  }

  get contentType(): string {
    return Registry.PROMETHEUS_CONTENT_TYPE;
  }

  /** Serve GET /metrics on host:port (port 0 = any free port). Resolves to the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.contentType }).end(text),
        (e) => res.writeHead(500).end(String(e)),
      );
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    const s = this.server;
    if (!s) return Promise.resolve();
    this.server = undefined;
    return new Promise((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }
}

function trendStat(st: ExactTrendStore, stat: string): number {
  switch (stat) {
    case 'count':
      return st.count;
    case 'sum':
      return st.sum;
    case 'min':
      return st.count === 0 ? 0 : st.min;
    case 'max':
      return st.count === 0 ? 0 : st.max;
    case 'avg':
      return st.count === 0 ? 0 : st.sum / st.count;
    case 'med':
      return st.percentile(0.5);
    default:
      return st.percentile(parseTrendStat(stat) / 100);
  }
}
