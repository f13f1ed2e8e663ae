import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from '../../infra/engines/node/runtime/run.js';

// Child process of the runner bench: heap in use while N VUs sit idle in a
// sleep, after a forced GC, printed as JSON. Run with --expose-gc.

const vus = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'surge-vu-mem-'));
const script = join(dir, 'idle.js');
writeFileSync(
  script,
  `import http from 'k6/http';
import { check } from 'k6';
export const options = { scenarios: { idle: { executor: 'constant-vus', vus: ${vus}, duration: '6s' } } };
export default async function () {
  await new Promise((r) => setTimeout(r, 5000));
  check(null, { idle: () => true });
  void http;
}
`,
);
const gc = (globalThis as { gc?: () => void }).gc!;
let sampled: number | undefined;
await runTest({
  script,
  quiet: false,
  noSummary: true,
  stdout: { write: () => true },
  stderr: { write: () => true },
  progressIntervalMs: 500,
  progress: (p) => {
    if (sampled === undefined && p.phase === 'running' && p.elapsedMs > 3000 && p.vus === vus) {
      gc();
      gc();
      sampled = process.memoryUsage().heapUsed;
    }
  },
});
process.stdout.write(`${JSON.stringify({ vus, heapUsed: sampled ?? null })}\n`);
