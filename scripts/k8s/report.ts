import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportRange } from '../../infra/metrics/query.js';
import { saveRunSeries } from '../../infra/metrics/run-series.js';
import { runQueries, type JobNames, type RunQuery } from '../../reports/collect/queries.js';
import { writeRunMeta, type RunMeta } from '../../reports/collect/run-folder.js';
import { findPeak } from '../../scenarios/waves/curve.js';
import { getWave, isBuiltinWave } from '../../scenarios/waves/builtin.js';
import { connectUserPrometheus } from '../rehearse/user-prometheus.js';
import { UsageError } from '../run/plan.js';

// A k6-operator run's report: its runners remote-wrote into the user's
// Prometheus with a testid tag, which also scrapes the instance. Find when
// that testid's series began and ended, export the report's queries over that
// span (the runner's scoped to the testid, summed over the runners), and
// write run.json and series.json into the `surge k8s --out` folder, so the
// report is built exactly as a local rehearsal's.

export interface K8sNote {
  scenario: string;
  testid: string;
  parallelism: number;
  target: string;
  wave?: string;
  compress?: number;
  scale?: number;
}

/** The runner's queries, restricted to one test's series. */
export function scopeToTestid(queries: RunQuery[], testid: string): RunQuery[] {
  const label = `testid="${testid.replace(/["\\]/g, '\\$&')}"`;
  return queries.map((q) =>
    q.source !== 'runner' ? q : { ...q, expr: q.expr.replace(/\b(k6_[a-z0-9_]+)(\{)?/g, (_, name: string, brace?: string) => (brace ? `${name}{${label},` : `${name}{${label}}`)).replace(/,\}/g, '}') },
  );
}

export async function collectK8sRun(dir: string, o: { prometheusUrl: string; testid?: string; jobs: Partial<JobNames>; sizing: RunMeta['sizing'] }): Promise<void> {
  const noteFile = join(dir, 'surge-k8s.json');
  const note = JSON.parse(await readFile(noteFile, 'utf8').catch(() => {
    throw new UsageError(`${noteFile} not found: give the folder surge k8s --out wrote`);
  })) as K8sNote;
  const testid = o.testid ?? note.testid;
  const waveName = note.wave ?? 'exodus-day-one';
  if (!isBuiltinWave(waveName)) throw new UsageError(`${noteFile}: wave "${waveName}" is not built in, so its curve is not known here`);
  const wave = getWave(waveName);
  const user = await connectUserPrometheus(o.prometheusUrl, o.jobs);
  const api = user.backend.api;
  // Coarse over two weeks, then to the second: timestamp() gives each sample's own time.
  const selector = `k6_vus{testid="${testid}"}`;
  // Evaluated a step ahead: the subquery's points are aligned to 15 s, and samples of the last seconds need one after them.
  const ahead = { time: Date.now() / 1000 + 15 };
  const coarseFirst = await api.value(`min(min_over_time(timestamp(${selector})[14d:15s]))`, ahead);
  const coarseLast = await api.value(`max(max_over_time(timestamp(${selector})[14d:15s]))`, ahead);
  if (coarseFirst === undefined || coarseLast === undefined) {
    throw new UsageError(`--prometheus-url: no k6 series with testid="${testid}" in the last 14 days; did the runners remote-write there (K6_PROMETHEUS_RW_SERVER_URL)?`);
  }
  const fine = async (agg: 'min' | 'max') =>
    (await api.queryRange(`${agg}(timestamp(${selector}))`, coarseFirst - 20, coarseLast + 20, 1)).flatMap((r) => r.values.map(([, v]) => v)).filter(Number.isFinite);
  const first = Math.min(...(await fine('min')));
  const last = Math.max(...(await fine('max')));
  const stepSec = Math.max(1, Math.round(user.windowSec / 4));
  const range = { start: first, end: last + stepSec, stepSec };
  const exported = await exportRange(api, scopeToTestid(runQueries({ jobs: o.jobs, windowSec: user.windowSec }), testid), range.start, range.end, stepSec);
  await saveRunSeries(dir, exported, range);
  const compression = note.compress ?? 1;
  const scale = note.scale ?? 1;
  const meta: RunMeta = {
    schemaVersion: 1,
    startedAt: new Date(first * 1000).toISOString(),
    endedAt: new Date(last * 1000).toISOString(),
    partial: false,
    target: { kind: 'url', label: `${note.target} (k6-operator, ${note.parallelism} runners, testid ${testid})` },
    engine: 'k6',
    wave: {
      name: wave.name,
      total: wave.signups.total * scale,
      durationSec: wave.duration / compression,
      compression,
      scale,
      realDurationSec: wave.duration,
      realPeakSignupRate: findPeak(wave).rate,
    },
    sizing: o.sizing,
    limits: {},
    scrapeIntervalSec: stepSec,
    rateWindowSec: user.windowSec,
    phases: [{ name: 'wave', kind: 'wave', startSec: 0, endSec: last - first }],
  };
  await writeRunMeta(dir, meta);
}
