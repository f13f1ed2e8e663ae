import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../reports/model/report-model.js';
import { writeSyntheticRun } from '../reports/synthetic-run.js';
import { surge as cli } from '../support/surge-cli.js';

// `surge report <run-dir>` rebuilds a run's reports offline: no Prometheus,
// no stand-in, only run.json, series.json and the summaries.


// No PROMETHEUS_URL or anything else: the command must not need a service.
const surge = (args: string[]) => cli(args, { env: { PATH: process.env.PATH, HOME: process.env.HOME } });

describe('surge report', () => {
  it('re-renders a run folder offline and prints the verdict and the paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-cli-'));
    await writeSyntheticRun(dir);
    const r = await surge(['report', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['report.html', 'report.md', 'report.json']) {
      expect(existsSync(join(dir, f))).toBe(true);
      expect(r.stdout).toContain(join(dir, f));
    }
    const report = parseReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(r.stdout.startsWith(report.verdict)).toBe(true);
    expect(report.slos.pass).toBe(true);

    // Stricter SLOs: the same series now fail; the folder is re-rendered in place.
    writeFileSync(join(dir, 'slo.json'), JSON.stringify({ api: { p95: 0.2 } }));
    rmSync(join(dir, 'report.html'));
    const strict = await surge(['report', dir, '--slo', join(dir, 'slo.json')]);
    expect(strict.code, strict.stderr).toBe(0);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const again = parseReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(again.slos.pass).toBe(false);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/\| API p95 \| API p95 \\< 200 ms \| .* \| \*\*FAIL\*\* \|/);
  });

  it('a folder that is not a run: one line naming run.json', async () => {
    const r = await surge(['report', tmpdir() + '/surge-no-such-run']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/run\.json: not found: is this a run folder\?/);
  });

  it('a bad --slo file: one line naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-cli-'));
    await writeSyntheticRun(dir);
    writeFileSync(join(dir, 'slo.yaml'), 'api:\n  p96: 1\n');
    const r = await surge(['report', dir, '--slo', join(dir, 'slo.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/slo\.yaml: .*p96/);
  });

  it('flags that only go with --prometheus-url are refused without it, and a Prometheus URL with a password is refused without echoing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-cli-'));
    await writeSyntheticRun(dir);
    // Silently ignored before: the report still said the run folder's WEB_CONCURRENCY.
    const sizing = await surge(['report', dir, '--web-concurrency', '4', '--testid', 'w1']);
    expect(sizing.code).toBe(1);
    expect(sizing.stderr.trim()).toBe('surge: --testid, --web-concurrency only go with --prometheus-url (collecting a surge k8s run); a rehearsal\'s run folder already records its sizing');
    const secret = await surge(['report', dir, '--prometheus-url', 'http://reader:hunter2@127.0.0.1:9']);
    expect(secret.code).toBe(1);
    expect(secret.stderr.trim().split('\n')).toHaveLength(1);
    expect(secret.stderr).toMatch(/--prometheus-url must not carry a user or password/);
    expect(secret.stderr).not.toContain('hunter2');
  });

  it('a partial run folder is re-rendered as partial, with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-cli-'));
    await writeSyntheticRun(dir, { partialReason: 'interrupted by SIGINT' });
    const r = await surge(['report', dir]);
    expect(r.code, r.stderr).toBe(0);
    const report = parseReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.partial).toBe(true);
    expect(r.stdout).toContain('This run was interrupted (interrupted by SIGINT)');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^> \*\*Partial report\*\*: interrupted by SIGINT$/m);
  });
});
