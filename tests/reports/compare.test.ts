import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportForRunFolder } from '../../reports/build.js';
import { compareReports, CompareInputError, parseTolerance, renderComparisonMd } from '../../reports/compare.js';
import type { Report } from '../../reports/model/report-schema.js';
import { writeSyntheticRun, type SyntheticRun } from './synthetic-run.js';

// The regression gate's arithmetic: tolerance per metric, and the spread of
// repeated runs as a noise band a change must also exceed.

async function report(o: SyntheticRun): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'surge-cmp-'));
  await writeSyntheticRun(dir, o);
  return (await reportForRunFolder(dir, { generatedAt: '2026-11-27T12:00:00.000Z' })).report;
}

describe('compareReports', () => {
  let base: Report;
  let crippled: Report;
  let slower: Report;
  beforeAll(async () => {
    [base, crippled, slower] = await Promise.all([report({}), report({ breakAt: 4, latencyFactor: 2 }), report({ latencyFactor: 1.15 })]);
  });

  it('flags a halved breaking point and doubled latency', () => {
    const c = compareReports([base], [crippled]);
    expect(c.regression).toBe(true);
    const row = (id: string) => c.rows.find((r) => r.metric === id)!;
    expect(row('breaking-point').verdict).toBe('regression');
    expect(row('breaking-point').change).toBeLessThan(0);
    expect(row('p95').verdict).toBe('regression');
    expect(row('error-rate').verdict).toBe('regression');
    const md = renderComparisonMd(c);
    expect(md).toMatch(/^\| metric \| baseline \| current \| change \| allowed \| verdict \|$/m);
    expect(md).toMatch(/^\| breaking point \| 7\/s \| 3\/s \| .* \| \*\*REGRESSION\*\* \|$/m);
  });

  it('the same run is no regression; the reverse is an improvement', () => {
    expect(compareReports([base], [base]).rows.every((r) => r.verdict === 'ok')).toBe(true);
    const back = compareReports([crippled], [base]);
    expect(back.regression).toBe(false);
    expect(back.rows.find((r) => r.metric === 'p95')!.verdict).toBe('improved');
  });

  it('a 15 % slower p95 fails the default 10 %, passes --tolerance p95=20', () => {
    expect(compareReports([base], [slower]).rows.find((r) => r.metric === 'p95')!.verdict).toBe('regression');
    expect(compareReports([base], [slower], { p95: 0.2 }).regression).toBe(false);
  });

  it('a change inside the spread of repeated runs is within noise', async () => {
    const baseline = await Promise.all([0.9, 1, 1.1].map((k) => report({ latencyFactor: k })));
    const current = await Promise.all([1.05, 1.15, 1.25].map((k) => report({ latencyFactor: k })));
    const c = compareReports(baseline, current);
    const p95 = c.rows.find((r) => r.metric === 'p95')!;
    expect(p95.baseline.n).toBe(3);
    expect(p95.change! / p95.baseline.mean!).toBeGreaterThan(0.1);
    expect(p95.noise).toBeGreaterThan(p95.change!);
    expect(p95.verdict).toBe('within noise');
    expect(c.regression).toBe(false);
    expect(renderComparisonMd(c)).toContain('(noise band)');
  });

  it('refuses to pass a run that measured nothing, and says when runs are partial or rehearsed different things', () => {
    // What a rehearsal stopped before any load writes: every figure unmeasured.
    const empty: Report = {
      ...base,
      partial: true,
      partialReason: 'interrupted by SIGINT before any load was sent',
      slos: { ...base.slos, verdicts: base.slos.verdicts.map((v) => ({ ...v, observed: null, pass: null })) },
      breakingPoint: { ...base.breakingPoint, status: 'not-measured', sustainedRate: null },
    };
    expect(() => compareReports([base], [empty])).toThrow(CompareInputError);
    expect(() => compareReports([base], [empty])).toThrow(/^nothing to compare: no metric was measured on both sides: the current measured nothing \(interrupted by SIGINT before any load was sent\); give runs that sent load$/);

    const cut: Report = { ...crippled, partial: true, partialReason: 'interrupted by SIGINT', wave: { ...crippled.wave, name: 'peak-hour' } };
    const c = compareReports([base], [cut]);
    expect(c.notes).toEqual([
      "1 of the current's 1 run is partial (interrupted by SIGINT): its figures cover only what ran.",
      `The sides rehearsed different waves: ${base.wave.name} (baseline) and peak-hour (current).`,
    ]);
    expect(renderComparisonMd(c)).toContain('\n\n> 1 of the current');
    expect(compareReports([base], [base]).notes).toEqual([]);
  });

  it('parses tolerances: percent, percentage points for errors, aliases; rejects the rest in one line', () => {
    expect(parseTolerance('p95=15')).toEqual(['p95', 0.15]);
    expect(parseTolerance('errors=1pp')).toEqual(['error-rate', 0.01]);
    expect(parseTolerance('breakpoint=5%')).toEqual(['breaking-point', 0.05]);
    expect(() => parseTolerance('cpu=5')).toThrow(CompareInputError);
    expect(() => parseTolerance('p95')).toThrow(/--tolerance: expected METRIC=PERCENT/);
  });
});
