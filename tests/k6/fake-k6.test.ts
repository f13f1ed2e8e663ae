import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../reports/model/report-model.js';
import { surge } from '../support/surge-cli.js';

// `surge rehearse --engine k6` end to end, with a fake k6 on PATH (a test
// double: tests/k6/fake-k6.mjs, not k6) that records what it was asked to do
// and remote-writes k6-named series: the argv and env real k6 would get, the
// series arriving in the run's own Prometheus under the report's queries,
// and the summary export turned into the report's summary.

const FAKE = fileURLToPath(new URL('./fake-k6.mjs', import.meta.url));


describe('surge rehearse --engine k6', () => {
  it('runs each phase on k6 with remote write and a summary export, and builds the report from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-fake-k6-'));
    writeFileSync(join(dir, 'k6'), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
    chmodSync(join(dir, 'k6'), 0o755);
    const log = join(dir, 'k6.log');
    const out = join(dir, 'run');
    const r = await surge(
      ['rehearse', '--engine', 'k6', '--target', 'standin', '--phases', 'breakpoint,wave', '--bp-steps', '2', '--bp-step-duration', '2s', '--duration', '4s', '--web-concurrency', '1', '--sidekiq-concurrency', '2', '--out', out],
      { env: { ...process.env, CI: 'true', PATH: `${dir}:${process.env.PATH}`, FAKE_K6_LOG: log, FAKE_K6_SECONDS: '4' } },
    );
    expect(r.code, r.stderr.slice(-3000)).toBe(0);

    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
    expect(calls.map((c) => basename(c.argv.at(-1)!))).toEqual(['breakpoint.js', 'signup-wave.js']);
    for (const [i, phase] of ['breakpoint', 'wave'].entries()) {
      const { argv, env } = calls[i]!;
      expect(argv[0]).toBe('run');
      expect(argv.join(' ')).toContain('--out experimental-prometheus-rw');
      expect(argv.join(' ')).toContain(`--tag testid=${basename(out)} --tag job=runner`);
      expect(argv.join(' ')).toContain(`--summary-export ${join(out, `k6-summary-${phase}.json`)}`);
      expect(argv.find((a) => a.startsWith('BASE_URL='))).toMatch(/^BASE_URL=http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.K6_PROMETHEUS_RW_SERVER_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write$/);
      expect(env.K6_PROMETHEUS_RW_TREND_STATS!.split(',')).toEqual(expect.arrayContaining(['p(50)', 'p(95)', 'p(99)']));
    }
    expect(calls[0]!.argv).toContain('BP_STEPS=2');

    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(runJson.engine).toBe('k6');
    // The pushed k6_iterations_total (4 it/s) reached the run's Prometheus and the report's throughput query.
    const series = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8'));
    const throughput = series.queries.find((q: { name: string }) => q.name === 'throughput');
    const values = throughput.result.flatMap((s: { values: [number, number | string][] }) => s.values.map(([, v]) => Number(v))).filter(Number.isFinite);
    expect(Math.max(...values)).toBeGreaterThan(2);
    expect(JSON.parse(readFileSync(join(out, 'summary-wave.json'), 'utf8')).metrics.signup_duration.values['p(95)']).toBe(1800);
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(JSON.stringify(report.slos.verdicts.find((v) => JSON.stringify(v).includes('signup-p95')))).toContain('1.8');
  }, 300_000);

  it('surge run --engine k6 runs the binary from PATH with the run\'s flags, and passes its exit code on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-fake-k6-'));
    writeFileSync(join(dir, 'k6'), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
    chmodSync(join(dir, 'k6'), 0o755);
    const log = join(dir, 'k6.log');
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_K6_LOG: log, FAKE_K6_SECONDS: '0' };
    const r = await surge(['run', 'smoke', '--engine', 'k6', '--target', 'http://127.0.0.1:9', '--vus', '2', '--tag', 'testid=ci', '--prometheus-rw', 'http://127.0.0.1:9/api/v1/write'], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [call] = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
    const runDir = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!);
    expect(call!.argv).toEqual([
      'run', '-e', 'BASE_URL=http://127.0.0.1:9', '--vus', '2', '--tag', 'testid=ci', '--summary-export', join(runDir, 'k6-summary.json'),
      '--out', 'experimental-prometheus-rw', call!.argv.at(-1),
    ]);
    expect(call!.argv.at(-1)).toMatch(/dist\/k6\/smoke\.js$/);
    expect(call!.env.K6_PROMETHEUS_RW_SERVER_URL).toBe('http://127.0.0.1:9/api/v1/write');
    expect(JSON.parse(readFileSync(join(runDir, 'accounts.json'), 'utf8')).target).toBe('http://127.0.0.1:9');
    const failed = await surge(['run', 'smoke', '--engine', 'k6', '--target', 'http://127.0.0.1:9'], { env: { ...env, FAKE_K6_EXIT: '99' }, cwd: dir });
    expect(failed.code).toBe(99);
  }, 120_000);
});
