import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from '../../infra/engines/node/runtime/run.js';

// Child process of the runner bench (run with --expose-gc --import tsx):
// `vu-memory.ts <vus> <sleep|get> [url]`. Runs <vus> constant VUs that each
// (in `get` mode, after one GET to <url> over their own connection) go to
// sleep for longer than the test, waits until every VU is asleep, forces a
// GC twice, samples process.memoryUsage() from inside this (the runner's)
// process, aborts the run and prints one JSON line.

export interface VuMemorySample {
  vus: number;
  mode: 'sleep' | 'get';
  /** VUs that reached their sleep before the sample (should equal vus). */
  asleep: number;
  heapUsed: number | null;
  rss: number | null;
  external: number | null;
  arrayBuffers: number | null;
}

const vus = Number(process.argv[2]);
const mode = process.argv[3] === 'get' ? 'get' : 'sleep';
const url = process.argv[4] ?? '';
if (!Number.isInteger(vus) || vus <= 0 || (mode === 'get' && url === '')) {
  process.stderr.write('usage: vu-memory.ts <vus> <sleep|get> [url]\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'surge-vu-mem-'));
const script = join(dir, 'idle.js');
// Each VU has its own global (as in k6), so a VU says it is asleep on the
// console, which this process reads through the runner's log sink.
writeFileSync(
  script,
  `import http from 'k6/http';
export const options = { scenarios: { idle: { executor: 'constant-vus', vus: ${vus}, duration: '60s', gracefulStop: '0s' } } };
export default async function () {
  if (__ENV.MODE === 'get') await http.asyncRequest('GET', __ENV.URL);
  console.log('surge-bench-asleep');
  await new Promise((r) => setTimeout(r, 120000));
}
`,
);

const g = globalThis as { gc?: () => void };
let asleepVUs = 0;
const controller = new AbortController();
const sample: VuMemorySample = { vus, mode, asleep: 0, heapUsed: null, rss: null, external: null, arrayBuffers: null };
const deadline = Date.now() + 30_000;
const poll = setInterval(() => {
  const asleep = asleepVUs;
  if (asleep < vus && Date.now() < deadline) return;
  clearInterval(poll);
  sample.asleep = asleep;
  if (asleep === vus) {
    g.gc?.();
    g.gc?.();
    const m = process.memoryUsage();
    Object.assign(sample, { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers });
  }
  controller.abort();
}, 100);

try {
  await runTest({
    script,
    env: { MODE: mode, URL: url },
    signal: controller.signal,
    quiet: true,
    noSummary: true,
    logSink: (_line, _level, msg) => {
      if (msg === 'surge-bench-asleep') asleepVUs++;
    },
    stdout: { write: () => true },
    stderr: { write: () => true },
  });
} finally {
  clearInterval(poll);
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(sample)}\n`);
process.exit(0);
