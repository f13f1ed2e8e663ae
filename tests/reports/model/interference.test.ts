import { describe, expect, it } from 'vitest';
import { assessInterference } from '../../../reports/model/interference.js';
import { buildReport, reportSchema } from '../../../reports/model/report-model.js';
import { phase, runData } from './fixtures.js';

const standin = { kind: 'standin' as const, label: 'stand-in' };
const url = { kind: 'url' as const, label: 'https://social.example' };
const busy = (p: ReturnType<typeof phase>, share: number) => ({ ...p, neighbourCpuShare: share });

describe('assessInterference', () => {
  it('says nothing when no phase was measured or the machine was otherwise quiet', () => {
    expect(assessInterference([phase('breakpoint', 0, 100, 'stepped')], standin)).toEqual({ phases: [], warning: null });
    const quiet = assessInterference([busy(phase('breakpoint', 0, 100, 'stepped'), 0.04), busy(phase('wave', 100, 200), 0.1)], standin);
    expect(quiet.phases).toEqual([{ name: 'breakpoint', neighbourCpuShare: 0.04 }, { name: 'wave', neighbourCpuShare: 0.1 }]);
    expect(quiet.warning).toBeNull();
  });

  it('names the busiest phases first and what the neighbours did to the numbers', () => {
    const a = assessInterference([busy(phase('breakpoint', 0, 100, 'stepped'), 0.12), busy(phase('wave', 100, 200), 0.31), busy(phase('activity', 200, 300), 0.02)], standin);
    expect(a.warning).toMatch(/^Other programs on this machine took 31 % of its CPU during the wave phase and 12 % during the breakpoint phase; /);
    expect(a.warning).toContain('the breaking point is understated');
    expect(a.warning).not.toContain('activity');
    expect(assessInterference([busy(phase('wave', 0, 100), 0.5)], url).warning).toContain('the load generator shared');
  });
});

describe('a report from a rehearsal that shared its machine', () => {
  it('carries the shares in report.json and says so in the verdict', () => {
    const data = runData({ phases: [busy(phase('breakpoint', 0, 100, 'stepped'), 0.35), busy(phase('wave', 100, 200), 0.02)] });
    const report = buildReport(data);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.interference.phases.map((p) => p.name)).toEqual(['breakpoint', 'wave']);
    expect(report.verdict).toContain(report.interference.warning!);
    expect(report.verdict).toContain('took 35 % of its CPU during the breakpoint phase');
    expect(buildReport(runData({ phases: [phase('breakpoint', 0, 100, 'stepped')] })).interference.warning).toBeNull();
  });
});
