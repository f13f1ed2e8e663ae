import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../reports/model/report-model.js';
import { surge } from '../support/surge-cli.js';

// `surge rehearse` as a user runs it, shortened: a 2-step breakpoint and a
// 20-second wave and a 20-second activity phase against the stand-in, then the report; and the same run
// interrupted with Ctrl-C, which must still leave a partial report.

const SHORT = ['rehearse', '--bp-steps', '2', '--bp-step-duration', '10s', '--duration', '20s', '--activity-duration', '20s', '--activity-rate', '20', '--web-concurrency', '1', '--sidekiq-concurrency', '2'];


/**
 * The short rehearsal, sent Ctrl-C `delayMs` after `line` appears on its
 * stderr, to its whole process group as a terminal does. Its services get a
 * TMPDIR where nothing else writes (postgres, another user, must reach it), so
 * `left` is what they left behind; tsx keeps its compile cache there on purpose.
 */
async function ctrlC(line: string, delayMs: number) {
  const tmp = mkdtempSync(join(tmpdir(), 'surge-reh-int-'));
  chmodSync(tmp, 0o755);
  const services = join(tmp, 'services');
  mkdirSync(services, { mode: 0o755 });
  const out = join(tmp, 'run');
  let sent = false;
  const r = await surge([...SHORT, '--out', out], {
    ownGroup: true,
    env: { ...process.env, CI: 'true', TMPDIR: services },
    onStderr: (text, child) => {
      if (!sent && text.includes(line)) {
        sent = true;
        setTimeout(() => process.kill(-child.pid!, 'SIGINT'), delayMs);
      }
    },
  });
  return { r, out, left: readdirSync(services).filter((f) => !f.startsWith('tsx-')) };
}

describe('surge rehearse', () => {
  it('rehearses a wave on the stand-in and leaves a report with a verdict, a breaking point and charts', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-reh-')), 'run');
    const r = await surge([...SHORT, '--out', out]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/no Docker engine here, so the stand-in is used/);
    expect(r.stdout).toContain(join(out, 'report.html'));
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.partial).toBe(false);
    expect(report.target.label).toMatch(/stand-in/);
    // Which it is depends on the machine; what matters is that the breakpoint was measured.
    expect(report.breakingPoint.status).not.toBe('not-measured');
    expect(report.breakingPoint.windows.length).toBeGreaterThan(0);
    expect(report.projection).not.toBeNull();
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(6);
    const runJson = readFileSync(join(out, 'run.json'), 'utf8');
    expect(runJson).not.toMatch(/token|password/i);
    // The activity cohort's access tokens (its setup() data) stay out of every file: run folders are shared.
    for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8'), file).not.toMatch(/"(access_)?token"\s*:/);
    expect(readFileSync(join(out, 'accounts.json'), 'utf8')).toMatch(/"phase": "activity"/);
    const phases = JSON.parse(runJson).phases as { name: string; neighbourCpuShare?: number }[];
    expect(phases.map((p) => p.name)).toEqual(['breakpoint', 'wave', 'activity']);
    // How much of the machine other programs took, per phase, for the report's caveat.
    for (const p of phases) expect(p.neighbourCpuShare).toBeGreaterThanOrEqual(0);
    expect(report.interference.phases.map((p) => p.name)).toEqual(['breakpoint', 'wave', 'activity']);
    // Everyday requests are costed from the activity phase, not at a signup request's price.
    expect(report.projection!.web.basis).toMatch(/an everyday request costs [\d.]+ ms of web CPU against [\d.]+ ms for a signup request/);
  }, 240_000);

  it('writes a partial report when interrupted with Ctrl-C', async () => {
    const { r, out, left } = await ctrlC('phase breakpoint', 4000);
    // The partial report is written, and the exit code still says the run was cut short (128 + SIGINT).
    expect(r.code, r.stderr.slice(-3000)).toBe(130);
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.partial).toBe(true);
    expect(report.partialReason).toMatch(/SIGINT/);
    expect(left).toEqual([]);
  }, 240_000);

  it('Ctrl-C while the services start (it reaches initdb too): a partial report of no load, and nothing left running', async () => {
    const { r, out, left } = await ctrlC('starting the stand-in', 1500);
    expect(r.code, r.stderr.slice(-3000)).toBe(130);
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.partial).toBe(true);
    expect(report.partialReason).toBe('interrupted by SIGINT before any load was sent');
    expect(report.projection).toBeNull();
    expect(left).toEqual([]);
  }, 120_000);

  it('refuses bad input in exactly one line before anything starts, even where notes would be printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-reh-bad-'));
    const slo = join(dir, 'slo.yaml');
    writeFileSync(slo, 'api_p95: fast\n');
    const cases: [string[], RegExp][] = [
      // Without the check, a typo in --slo failed only when the report was written, after the whole load.
      [['--slo', join(dir, 'missing.yaml')], /^surge: --slo .*missing\.yaml: cannot read it \(ENOENT\)$/],
      [['--slo', slo], /^surge: --slo .*slo\.yaml: unknown key 'api_p95'; allowed here: api, errors, signup, queues$/],
      [['--breakpoint', '--no-breakpoint'], /^surge: --breakpoint .* and --no-breakpoint .* contradict each other: give one$/],
      // A URL target prints notes (no mail API, activity skipped) before it runs; a refusal still comes alone.
      [['--target', 'http://127.0.0.1:9', '--admin-token', 'literal-token-value'], /^surge: --admin-token takes env:NAME or file:PATH, never the token itself/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'run');
      const r = await surge(['rehearse', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toContain('literal-token-value');
      expect(existsSync(out), args.join(' ')).toBe(false);
    }
    // An earlier run's summaries would mix into this run's report.
    const earlier = join(dir, 'earlier');
    mkdirSync(earlier);
    writeFileSync(join(earlier, 'run.json'), '{}');
    const reused = await surge(['rehearse', '--out', earlier]);
    expect(reused.code).toBe(1);
    expect(reused.stderr.trim()).toBe(`surge: --out ${earlier} already holds a run (run.json): give a new folder, or remove that one first`);
    expect(readdirSync(earlier)).toEqual(['run.json']);
  });

  it('prints the plan for a dry run and refuses a public instance in one line', async () => {
    const dry = await surge(['rehearse', '--dry-run']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.phases.map((p: { name: string }) => p.name)).toEqual(['breakpoint', 'wave', 'activity']);
    const refused = await surge(['rehearse', '--target', 'https://mastodon.social', '--i-own-this-instance']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/large public instance/);
  });
});
