import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `surge run` as a user runs it: the smoke scenario against a stand-in it
// starts, through the Node runner, with k6's summary, files and exit codes.

const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));

async function surge(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SURGE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** A k6 script written into a fresh folder: its path and the folder. */
function scriptFile(source: string): { dir: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'surge-run-'));
  const script = join(dir, 'script.js');
  writeFileSync(script, source);
  return { dir, script };
}

/** A loopback server answering every request with 'ok'; onHit sees the running count. */
async function okServer(onHit: (hits: number) => void = () => undefined): Promise<{ url: string; close(): void }> {
  let hits = 0;
  const server = createHttpServer((_req, res) => {
    onHit(++hits);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

describe('surge run', () => {
  it('runs the smoke scenario on the stand-in and writes k6 summary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-run-'));
    const r = await surge(['run', 'smoke', '--engine', 'node', '--web-concurrency', '1', '--summary-export', join(dir, 'summary.json'), '--out', `json=${join(dir, 'k6.jsonl')}`, '--tag', 'testid=ci']);
    expect(r.stderr + r.stdout).toContain('signups_completed');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.metrics.checks.value).toBe(1);
    expect(summary.metrics.checks.fails).toBe(0);
    expect(summary.metrics.signups_completed.count).toBe(3);
    const lines = readFileSync(join(dir, 'k6.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const point = lines.find((l) => l.type === 'Point' && l.metric === 'http_reqs');
    expect(point.data.tags.testid).toBe('ci');
    expect(point.data.tags.name).toMatch(/^(GET|POST) \//);
  }, 120_000);

  it('a dry run against a URL prints the plan and opens no connection', async () => {
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await surge(['run', 'signup-wave', '--engine', 'node', '--target', `http://127.0.0.1:${port}`, '--compress', '144', '--dry-run']);
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout);
      expect(plan.engine).toBe('node');
      expect(plan.env).toMatchObject({ BASE_URL: `http://127.0.0.1:${port}`, COMPRESS: '144' });
      expect(plan.execution.scenarios.signups.executor).toBe('ramping-arrival-rate');
      expect(plan.execution.maxVUs).toBeGreaterThan(0);
    } finally {
      server.close();
    }
    expect(connections).toBe(0);
  }, 60_000);

  it("runs k6's first documented script (http.get + sleep(1)) with --vus/--duration as k6 does", async () => {
    const { dir, script } = scriptFile("import http from 'k6/http';\nimport { sleep } from 'k6';\nexport default function () {\n  http.get(__ENV.URL);\n  sleep(1);\n}\n");
    const server = await okServer();
    const url = server.url;
    try {
      const r = await surge(['run', script, '--engine', 'node', '--target', url, '-e', `URL=${url}/`, '--vus', '3', '--duration', '3s', '--quiet', '--summary-export', join(dir, 'summary.json')]);
      expect(r.code).toBe(0);
      const m = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).metrics;
      // 3 VUs, each a one-second iteration after another for 3 s: 9 in k6 (VUs do not wait for each other)
      expect(m.iterations.count).toBeGreaterThanOrEqual(8);
      expect(m.iterations.count).toBeLessThanOrEqual(9);
      expect(m.http_reqs.count).toBe(m.iterations.count);
      expect(m.iteration_duration.min).toBeGreaterThanOrEqual(1000);
      expect(m.vus_max.max).toBe(3);
      // k6's default, 1 VU x 1 iteration: the runner's own process blocks, nothing else keeps it alive
      const one = await surge(['run', script, '--engine', 'node', '--target', url, '-e', `URL=${url}/`, '--quiet', '--summary-export', join(dir, 'one.json')]);
      expect(one.code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')).metrics.http_reqs.count).toBe(1);
    } finally {
      server.close();
    }
  }, 180_000);

  it('Ctrl-C stops a blocking-style run spread over processes as k6 does: teardown, summary, exit 105', async () => {
    const { dir, script } = scriptFile(
      "import http from 'k6/http';\nimport { sleep } from 'k6';\nexport const options = { vus: 2, duration: '60s' };\n" +
        "export default function () {\n  http.get(__ENV.URL);\n  sleep(0.2);\n}\nexport function teardown() {\n  console.log('teardown ran');\n}\n",
    );
    let busy: () => void = () => undefined;
    const running = new Promise<void>((r) => (busy = r));
    const server = await okServer((hits) => hits === 6 && busy());
    const url = server.url;
    try {
      const child = spawn(process.execPath, [SURGE, 'run', script, '--engine', 'node', '--target', url, '-e', `URL=${url}/`, '-q', '--summary-export', join(dir, 's.json')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      // Interrupt the parent only, once both VUs are iterating.
      await running;
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(105);
      expect(out).toContain('teardown ran');
      expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).metrics.iterations.count).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  }, 120_000);

  it("takes k6's short flags (-u, -i, -s) and --summary-trend-stats as k6 does", async () => {
    const { script } = scriptFile('export default async function () {}\n');
    const target = ['--engine', 'node', '--target', 'http://127.0.0.1:9', '--dry-run'];
    const shared = JSON.parse((await surge(['run', script, ...target, '-u', '3', '-i', '6'])).stdout);
    expect(shared.execution.scenarios.default).toMatchObject({ executor: 'shared-iterations', vus: 3, iterations: 6 });
    const ramp = JSON.parse((await surge(['run', script, ...target, '-s', '2s:3', '-s', '1s:0'])).stdout);
    expect(ramp.execution.scenarios.default).toMatchObject({ executor: 'ramping-vus', stages: [{ duration: 2000, target: 3 }, { duration: 1000, target: 0 }] });
    expect(ramp.execution.maxVUs).toBe(3);
    const bad = await surge(['run', script, '--engine', 'node', '--target', 'http://127.0.0.1:9', '--summary-trend-stats', 'avg,p(99x)']);
    expect(bad.stderr).toContain("invalid percentile trend stat value 'p(99x)'");
  }, 120_000);

  it('refuses a target the user has not claimed, in one line, before starting anything', async () => {
    const r = await surge(['run', 'smoke', '--target', 'https://social.example']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--i-own-this-instance/);
  });
});
