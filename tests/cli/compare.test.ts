import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRunReport } from '../../reports/build.js';
import { writeSyntheticRun } from '../reports/synthetic-run.js';
import { surge } from '../support/surge-cli.js';

// `surge compare` as CI calls it: Markdown on stdout, and the exit code is the
// verdict (1 regression, 0 none, 2 bad input).


describe('surge compare', () => {
  const root = mkdtempSync(join(tmpdir(), 'surge-compare-'));
  const at = (name: string) => join(root, name);
  beforeAll(async () => {
    await writeSyntheticRun(at('healthy'));
    await writeSyntheticRun(at('healthy-again'), { noise: 0.02, seed: 42 });
    await writeSyntheticRun(at('crippled'), { breakAt: 4, latencyFactor: 2 });
    // Repeated runs: baseline as a folder of runs, current as a comma-separated list.
    for (const [i, k] of [0.9, 1, 1.1].entries()) await writeSyntheticRun(at(`baseline-runs/run-${i}`), { latencyFactor: k });
    for (const [i, k] of [1.05, 1.15, 1.25].entries()) await writeSyntheticRun(at(`current-${i}`), { latencyFactor: k });
    // A report.json on its own.
    await buildRunReport(at('crippled'));
    mkdirSync(at('empty'));
    mkdirSync(at('broken'));
    writeFileSync(at('broken/report.json'), '{"schemaVersion": "9"}');
  });

  it('healthy against crippled (breaking point halved, p95 doubled): exit 1 and regression rows', async () => {
    const r = await surge(['compare', at('healthy'), join(at('crippled'), 'report.json')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^\| metric \| baseline \| current \| change \| allowed \| verdict \|$/m);
    expect(r.stdout).toMatch(/^\| breaking point \|.*\*\*REGRESSION\*\* \|$/m);
    expect(r.stdout).toMatch(/^\| API p95 latency \|.*\*\*REGRESSION\*\* \|$/m);
  });

  it('healthy against healthy with small noise: exit 0', async () => {
    const r = await surge(['compare', at('healthy'), at('healthy-again')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No regression');
    expect(r.stdout).not.toContain('REGRESSION');
  });

  it('repeated runs: a change beyond tolerance but inside the noise band is no regression; one run each, it is', async () => {
    const list = [0, 1, 2].map((i) => at(`current-${i}`)).join(',');
    const r = await surge(['compare', at('baseline-runs'), list]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| API p95 latency \| .*3 runs.* \| within noise \|$/m);
    const single = await surge(['compare', at('baseline-runs/run-1'), at('current-1')]);
    expect(single.code, single.stderr).toBe(1);
    const tolerant = await surge(['compare', at('baseline-runs/run-1'), at('current-1'), '--tolerance', 'p95=20']);
    expect(tolerant.code, tolerant.stderr).toBe(0);
  });

  it.each([
    ['a missing folder', [root + '/nope', 'healthy'], /^surge compare: .*nope: not found$/],
    ['an invalid report.json', ['broken', 'healthy'], /^surge compare: .*broken\/report\.json: /],
    ['a folder with no runs', ['empty', 'healthy'], /^surge compare: .*empty: not a run folder, a report\.json or a folder of run folders$/],
    ['a bad tolerance', ['healthy', 'healthy', '--tolerance', 'cpu=5'], /^surge compare: --tolerance: /],
    ['a missing argument', ['healthy'], /missing required argument/],
  ])('bad input (%s): exit 2 with one line', async (_what, args, message) => {
    const r = await surge(['compare', ...args.map((a) => (a.startsWith('/') || a.startsWith('-') || /=/.test(a) ? a : join(root, a)))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
