import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { runSplit } from '../../infra/engines/node/runtime/split.js';
import { fmt, table } from './stats.js';

// The Node runner against baselines measured in the same run: requests/s of a
// one-GET scenario next to autocannon with the same number of connections,
// start lag at a fixed arrival rate, and heap per idle VU.

const CONNECTIONS = 50;
const SECONDS = 10;
const RATE = 1000;

async function targetServer(): Promise<{ url: string; stop(): void }> {
  // A separate process, so the runner and autocannon are measured against the same server.
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: `http://127.0.0.1:${line.trim()}/`, stop: () => child.kill('SIGKILL') };
}

async function withScript<T>(source: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'surge-bench-'));
  const file = join(dir, 'script.js');
  writeFileSync(file, source);
  try {
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quiet = { quiet: true, noSummary: true, stdout: { write: () => true }, stderr: { write: () => true } } as const;

function metric(summary: unknown, name: string): Record<string, number> {
  return ((summary as { metrics: Record<string, { values: Record<string, number> }> }).metrics[name]?.values ?? {}) as Record<string, number>;
}

export interface RunnerBench {
  autocannon: number;
  runner: number;
  split: number;
  lag: Record<string, number>;
  dropped: number;
  perVuBytes: number | undefined;
}

export async function runnerBench(log: (s: string) => void): Promise<RunnerBench> {
  const server = await targetServer();
  try {
    log(`autocannon: ${CONNECTIONS} connections for ${SECONDS} s`);
    const ac = await autocannon({ url: server.url, connections: CONNECTIONS, duration: SECONDS });
    // One VU makes one request at a time over its own connection pool, so
    // 50 VUs keep exactly 50 connections busy, as autocannon's 50 do.
    const oneGet = `import http from 'k6/http';
export const options = { scenarios: { get: { executor: 'constant-vus', vus: ${CONNECTIONS}, duration: '${SECONDS}s' } } };
export default async function () { await http.asyncRequest('GET', __ENV.URL); }
`;
    log(`runner: ${CONNECTIONS} VUs for ${SECONDS} s, one process`);
    const single = await withScript(oneGet, (script) => runTest({ script, env: { URL: server.url }, ...quiet }));
    log('runner: the same split across 2 processes');
    const split = await withScript(oneGet, (script) => runSplit({ script, env: { URL: server.url }, processes: 2, ...quiet }));
    log(`start lag: constant-arrival-rate ${RATE}/s for ${SECONDS} s`);
    const lagScript = `import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
const lag = new Trend('start_lag', true);
export const options = { scenarios: { paced: { executor: 'constant-arrival-rate', rate: ${RATE}, timeUnit: '1s', duration: '${SECONDS}s', preAllocatedVUs: 200 } },
  summaryTrendStats: ['med', 'p(95)', 'p(99)', 'max'] };
// k6 starts iteration k at startTime + k·timeUnit/rate.
export default function () { lag.add(Date.now() - (exec.scenario.startTime + exec.scenario.iterationInTest * ${1000 / RATE})); }
`;
    const paced = await withScript(lagScript, (script) => runTest({ script, ...quiet }));
    log('heap per idle VU: 100 and 2,000 idle VUs');
    const heap = async (vus: number) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./vu-memory.ts', import.meta.url)), String(vus)]);
      return (JSON.parse(stdout.trim().split('\n').pop()!) as { heapUsed: number | null }).heapUsed;
    };
    const [small, large] = [await heap(100), await heap(2000)];
    return {
      autocannon: ac.requests.average,
      runner: metric(single.summaryData, 'http_reqs').rate ?? 0,
      split: metric(split.summaryData, 'http_reqs').rate ?? 0,
      lag: metric(paced.summaryData, 'start_lag'),
      dropped: metric(paced.summaryData, 'dropped_iterations').count ?? 0,
      perVuBytes: small !== null && large !== null ? (large - small) / 1900 : undefined,
    };
  } finally {
    server.stop();
  }
}

export function runnerReport(r: RunnerBench): string {
  const v = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const ratio = r.runner / r.autocannon;
  const p99 = r.lag['p(99)'] ?? NaN;
  const kb = r.perVuBytes === undefined ? NaN : r.perVuBytes / 1024;
  return [
    `3. The Node runner (one GET per iteration, ${CONNECTIONS} connections, ${SECONDS} s; 127.0.0.1 server in its own process)`,
    table([
      ['measurement', 'value', 'baseline', 'ratio'],
      ['autocannon req/s (baseline)', fmt.int(r.autocannon), fmt.int(r.autocannon), '1.00'],
      ['runner req/s, 1 process', fmt.int(r.runner), fmt.int(r.autocannon), fmt.ratio(ratio)],
      ['runner req/s, 2 processes (split)', fmt.int(r.split), fmt.int(r.autocannon), fmt.ratio(r.split / r.autocannon)],
    ]),
    '',
    table([
      ['target', 'measured', 'goal', 'result'],
      ['runner req/s ÷ autocannon', fmt.ratio(ratio), '≥ 0.80 (goal 0.90)', v(ratio >= 0.8)],
      [`start lag p99 at ${RATE}/s (med ${fmt.ms(r.lag.med ?? NaN)}, max ${fmt.ms(r.lag.max ?? NaN)}, dropped ${r.dropped})`, fmt.ms(p99), '≤ 5 ms', v(p99 <= 5)],
      ['heap per idle VU (2,000 vs 100 VUs)', `${kb.toFixed(1)} KB`, '≤ 50 KB', v(kb <= 50)],
    ]),
  ].join('\n');
}
