// A recorded run folder made up from plain functions of the offered load, so a
// test states what it planted: run.json (written with writeRunMeta), series.json
// (written with saveRunSeries, under the queries a rehearsal exports) and the
// runner's summaries. Used by the report, CLI and compare tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportedQuery } from '../../infra/metrics/query.js';
import { saveRunSeries } from '../../infra/metrics/run-series.js';
import { JOBS, QUERIES, type QueryName } from '../../reports/collect/queries.js';
import { writeRunMeta, type RunMeta } from '../../reports/collect/run-folder.js';
import { mulberry32 } from '../../scenarios/lib/users.js';

export interface SyntheticRun {
  /** Offered rate (signups/s) at which p95 first exceeds 500 ms, and DB waits (one step earlier) and the web backlog start; null: nothing breaks. */
  breakAt?: number | null;
  /** Multiplies every latency (2 = twice as slow). */
  latencyFactor?: number;
  /** Relative noise on the measured series (0.03 = ±3 %), from a seeded generator. */
  noise?: number;
  seed?: number;
  /** Breakpoint steps 1..steps signups/s, stepSec each. */
  steps?: number;
  stepSec?: number;
  partialReason?: string;
  target?: RunMeta['target'];
}

const START = Date.parse('2026-11-27T10:00:00.000Z') / 1000;


/** Writes the run folder into `dir` and returns its run.json content. */
export async function writeSyntheticRun(dir: string, o: SyntheticRun = {}): Promise<RunMeta> {
  const breakAt = o.breakAt === undefined ? 8 : o.breakAt;
  const k = o.latencyFactor ?? 1;
  const steps = o.steps ?? 12;
  const stepSec = o.stepSec ?? 30;
  const rnd = mulberry32(o.seed ?? 1);
  const jitter = (v: number) => v * (1 + (o.noise ?? 0) * (2 * rnd() - 1));

  const bpStart = 2;
  const bpEnd = bpStart + steps * stepSec;
  const waveStart = bpEnd + 3;
  const waveSec = 60;
  const waveEnd = waveStart + waveSec;
  const wavePeak = steps / 2;
  const end = waveEnd + 2;

  const offered = (t: number): number => {
    if (t >= bpStart && t < bpEnd) return 1 + Math.floor((t - bpStart) / stepSec);
    if (t >= waveStart && t <= waveEnd) return wavePeak * (1 - Math.abs((t - waveStart) / waveSec - 0.5) * 2) + 0.5;
    return 0;
  };
  const broken = (r: number) => breakAt !== null && r >= breakAt;
  const over = (r: number) => (breakAt === null ? 0 : Math.max(0, r - breakAt + 1));
  const p95 = (r: number) => k * (broken(r) ? 0.55 + 0.25 * (r - breakAt!) : breakAt === null ? 0.12 + 0.01 * r : 0.12 + 0.02 * r);
  const achieved = (r: number) => (broken(r) ? Math.min(r, breakAt! - 0.5) : r);

  const fns: Partial<Record<QueryName, ((t: number) => [Record<string, string>, number][]) | ((t: number) => number)>> = {
    offeredRate: offered,
    throughput: (t) => jitter(achieved(offered(t))),
    latencyP50: (t) => jitter(p95(offered(t)) * 0.4),
    latencyP95: (t) => jitter(p95(offered(t))),
    latencyP99: (t) => jitter(p95(offered(t)) * 1.5),
    errorRate: (t) => jitter(broken(offered(t)) ? 0.02 * over(offered(t)) : 0.001),
    throttleRate: (t) => (offered(t) > 0 ? jitter(0.05) : 0),
    requestRate: (t) => jitter(5 * achieved(offered(t))) + 0.2,
    concurrency: (t) => jitter(Math.min(10, 0.3 * achieved(offered(t)) + (broken(offered(t)) ? 6 : 0))),
    webBacklog: (t) => (broken(offered(t)) ? jitter(4 * over(offered(t))) : 0),
    webCpu: (t) => jitter(0.05 + 0.1 * achieved(offered(t))),
    dbPoolWaiting: (t) => {
      const r = offered(t);
      const w = breakAt !== null && r >= breakAt - 1 ? jitter(1 + 2 * over(r)) : 0;
      return [[{ job: JOBS.web }, w], [{ job: JOBS.worker }, 0]];
    },
    dbPoolBusy: (t) => [[{ job: JOBS.web }, Math.min(10, jitter(achieved(offered(t))))], [{ job: JOBS.worker }, 1]],
    dbPoolSize: () => [[{ job: JOBS.web }, 10], [{ job: JOBS.worker }, 5]],
    pgConnections: (t) => 12 + Math.round(achieved(offered(t))),
    redisMemory: (t) => 2e6 + 5e4 * t,
    redisOps: (t) => jitter(200 + 60 * achieved(offered(t))),
    sidekiqLatency: (t) => [
      [{ queue: 'default' }, jitter(0.2 + 5 * over(offered(t)))],
      [{ queue: 'mailers' }, jitter(0.1 + 0.05 * offered(t))],
      [{ queue: 'push' }, jitter(0.05)],
    ],
    sidekiqBacklog: (t) => [[{ queue: 'default' }, Math.round(3 * over(offered(t)))], [{ queue: 'mailers' }, 0], [{ queue: 'push' }, 0]],
    sidekiqBusy: (t) => Math.min(4, jitter(0.4 * achieved(offered(t)))),
    sidekiqJobRate: (t) => [[{ queue: 'default' }, jitter(achieved(offered(t)))], [{ queue: 'mailers' }, jitter(achieved(offered(t)))]],
    sidekiqJobDuration: (t) => [[{ queue: 'default' }, jitter(0.02 * k)], [{ queue: 'mailers' }, jitter(0.05 * k)]],
    runnerRequestRate: (t) => jitter(6 * achieved(offered(t))),
    droppedRate: (t) => offered(t) - achieved(offered(t)),
    processCpu: (t) => [[{ job: JOBS.web }, jitter(0.05 + 0.1 * achieved(offered(t)))], [{ job: JOBS.worker }, jitter(0.02 + 0.03 * achieved(offered(t)))]],
    nodeCpu: (t) => jitter(0.3 + 0.15 * achieved(offered(t))),
    pgMaxConnections: () => 100,
  };

  const exported: ExportedQuery[] = QUERIES.map(({ name, expr }) => {
    const fn = fns[name];
    const bySeries = new Map<string, { metric: Record<string, string>; values: [number, number][] }>();
    if (fn) {
      for (let t = 0; t <= end; t++) {
        const v = fn(t);
        const rows: [Record<string, string>, number][] = typeof v === 'number' ? [[{}, v]] : v;
        for (const [labels, value] of rows) {
          const key = JSON.stringify(labels);
          if (!bySeries.has(key)) bySeries.set(key, { metric: labels, values: [] });
          bySeries.get(key)!.values.push([START + t, value]);
        }
      }
    }
    return { name, expr, result: [...bySeries.values()] };
  });

  mkdirSync(dir, { recursive: true });
  await saveRunSeries(dir, exported, { start: START, end: START + end, stepSec: 1 });
  const meta: RunMeta = {
    schemaVersion: 1,
    startedAt: new Date(START * 1000).toISOString(),
    endedAt: new Date((START + end) * 1000).toISOString(),
    partial: o.partialReason !== undefined,
    ...(o.partialReason !== undefined ? { partialReason: o.partialReason } : {}),
    target: o.target ?? { kind: 'standin', label: 'stand-in (mastodon-surge)' },
    engine: 'node',
    wave: { name: 'exodus-day-one', total: 180, durationSec: waveSec, compression: 1440, scale: 0.0025, realDurationSec: 86400, realPeakSignupRate: wavePeak / 1440 / 0.0025 },
    sizing: { webConcurrency: 2, maxThreads: 5, sidekiqConcurrency: 5, dbPool: null },
    limits: { webCpuCores: 4 },
    scrapeIntervalSec: 1,
    phases: [
      {
        name: 'breakpoint',
        kind: 'stepped',
        startSec: bpStart,
        endSec: bpEnd,
        steps: Array.from({ length: steps }, (_, i) => ({ startSec: bpStart + i * stepSec, endSec: bpStart + (i + 1) * stepSec, rate: i + 1 })),
      },
      { name: 'wave', kind: 'wave', startSec: waveStart, endSec: waveEnd },
    ],
  };
  await writeRunMeta(dir, meta);
  const summary = (iterations: number, p95Ms: number) => ({
    metrics: {
      iterations: { type: 'counter', contains: 'default', values: { count: iterations, rate: iterations / waveSec } },
      http_reqs: { type: 'counter', contains: 'default', values: { count: iterations * 6, rate: (iterations * 6) / waveSec } },
      signup_duration: { type: 'trend', contains: 'time', values: { avg: p95Ms / 2, med: p95Ms / 2, 'p(95)': p95Ms, max: p95Ms * 2 } },
    },
  });
  writeFileSync(join(dir, 'summary-breakpoint.json'), JSON.stringify(summary(steps * (steps + 1) * stepSec / 2, 4000 * k)));
  writeFileSync(join(dir, 'summary-wave.json'), JSON.stringify(summary(wavePeak * waveSec / 2, 3000 * k)));
  return meta;
}
