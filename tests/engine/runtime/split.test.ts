import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSplit } from '../../../infra/engines/node/runtime/split.js';
import { percentile } from '../../../infra/engines/node/stats/percentile.js';
import { fixture, run, serverThread, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const ALL = Array.from({ length: 41 }, (_, i) => i);

describe('split runs', () => {
  it('two processes merge to the same totals as one run, percentiles included', async () => {
    const single = await run({ script: fixture('split.js'), env: { BASE: server.base }, noSummary: true });
    const jsonFile = path.join(os.tmpdir(), `surge-split-${process.pid}.jsonl`);
    let stdout = '';
    const split = await runSplit({
      script: fixture('split.js'),
      env: { BASE: server.base },
      processes: 2,
      outJson: jsonFile,
      logSink: () => undefined,
      stdout: { write: (c) => void (stdout += String(c)) },
    });
    expect(single.exitCode).toBe(0);
    expect(split.exitCode).toBe(0);
    expect(stdout).toContain('iter_value');

    const s = single.summaryData!.metrics;
    const m = split.summaryData!.metrics;
    // exact counts (arrival-rate slots may be dropped on a cold child, but never lost)
    expect(m['iterations{scenario:main}']!.values.count).toBe(41);
    expect(s['iterations{scenario:main}']!.values.count).toBe(41);
    expect(m.iter_sum!.values.count).toBe(820);
    expect(m.http_reqs!.values.count).toBe(41);
    expect(m['iterations{scenario:car}']!.values.count! + (m.dropped_iterations?.values.count ?? 0)).toBe(20);
    expect(m.arrival_iters!.values.count).toBe(m['iterations{scenario:car}']!.values.count);
    // percentiles from the merged values equal those over all values
    const expected = { avg: 20, min: 0, med: percentile(ALL, 0.5), max: 40, 'p(90)': percentile(ALL, 0.9), 'p(95)': percentile(ALL, 0.95) };
    expect(s.iter_value!.values).toEqual(expected);
    expect(m.iter_value!.values).toEqual(expected);
    expect(m.iter_value!.thresholds).toEqual({ 'p(95)<39': { ok: true }, 'med==20': { ok: true } });
    expect(m.iter_sum!.thresholds).toEqual({ 'count==820': { ok: true } });
    expect(m['iterations{scenario:main}']!.thresholds).toEqual({ 'count==41': { ok: true } });
    expect(m.http_req_duration!.values.min).toBeGreaterThan(0);

    // one JSON file: each Metric line once; samples of both instances, tagged instance_id
    const lines = readFileSync(jsonFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(jsonFile);
    const metricNames = lines.filter((l) => l.type === 'Metric').map((l) => l.metric);
    expect(new Set(metricNames).size).toBe(metricNames.length);
    const values = lines.filter((l) => l.type === 'Point' && l.metric === 'iter_value');
    expect(values.map((l) => l.data.value).sort((a, b) => a - b)).toEqual(ALL);
    expect(new Set(values.map((l) => l.data.tags.instance_id))).toEqual(new Set(['1', '2']));
    const slots = lines.filter((l) => l.type === 'Point' && l.metric === 'arrival_iters').map((l) => Number(l.data.tags.slot));
    expect(new Set(slots).size).toBe(slots.length); // iterationInTest is unique across instances
  }, 30_000);
});

describe('blocking-style scripts spread as one instance', () => {
  const threaded = serverThread();

  /** A one-instance split of a fixture against the threaded server, with its log lines. */
  async function spread(script: string, processes: number) {
    const logs: string[] = [];
    const r = await runSplit({
      script: fixture(script),
      env: { BASE: threaded().base },
      processes,
      oneInstance: true,
      noSummary: true,
      logSink: (_l, level, msg) => void logs.push(`${level}: ${msg}`),
    });
    return { r, logs };
  }

  it('VUs block independently, setup and teardown run once, vus_max counts every VU', async () => {
    const { r } = await spread('blocking-vus.js', 3);
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    expect(m.iterations!.values.count).toBe(6);
    expect(m.http_reqs!.values.count).toBe(6);
    // 3 VUs x 2 one-second iterations: about 2 s side by side, 6 s one after another
    expect(r.summaryData!.state.testRunDurationMs).toBeLessThan(4500);
    expect(m.setup_runs!.values.count).toBe(1);
    expect(m.teardown_runs!.values.count).toBe(1);
    expect(m.setup_token!.values.min).toBe(m.setup_token!.values.max);
    expect(m.vus_max!.values.max).toBe(3);
  }, 120_000);

  it('an arrival-rate scenario drops nothing a single k6 would not, and config warnings are not repeated per process', async () => {
    const { r, logs } = await spread('blocking-arrival.js', 4);
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    expect(m.iterations!.values.count).toBe(20);
    expect(m.dropped_iterations).toBeUndefined();
    expect(logs.filter((l) => l.startsWith('warning'))).toEqual([]);
  }, 120_000);

  it('exec.test.abort() in one process stops them all, with exit 108 and one error', async () => {
    const { r, logs } = await spread('blocking-abort.js', 3);
    expect(r.exitCode).toBe(108);
    expect(r.summaryData!.state.testRunDurationMs).toBeLessThan(5000);
    expect(logs.filter((l) => l.startsWith('error'))).toEqual(['error: test aborted: enough']);
  }, 120_000);
});
