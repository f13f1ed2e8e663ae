import { describe, expect, it } from 'vitest';
import { getWave } from '../../scenarios/waves/builtin.js';
import { planRehearsal, type RehearseFlags } from '../../scripts/rehearse/plan.js';
import { UsageError } from '../../scripts/run/plan.js';

const flags = (f: Partial<RehearseFlags> = {}): RehearseFlags => ({
  wave: 'exodus-day-one', target: 'auto', bpSteps: 12, bpStepDuration: '20s', bpStartRate: 1, bpStepRate: 1, ...f,
});
const facts = { docker: false, now: new Date('2026-11-27T01:00:00Z'), cwd: '/work' };

describe('rehearsal plans', () => {
  it('falls back from auto to the stand-in without Docker, and says so', () => {
    const plan = planRehearsal(flags(), getWave('exodus-day-one'), facts);
    expect(plan.target).toEqual({ kind: 'standin' });
    expect(plan.notes.join(' ')).toMatch(/no Docker engine here, so the stand-in is used/);
    expect(plan.outDir).toBe('/work/runs/20261127-010000Z-exodus-day-one');
  });

  it('runs a breakpoint then the wave, compressed into 5 minutes and scaled into the breakpoint range', () => {
    const plan = planRehearsal(flags(), getWave('exodus-day-one'), facts);
    expect(plan.phases.map((p) => p.name)).toEqual(['breakpoint', 'wave']);
    expect(plan.wave.compression).toBeCloseTo(288, 6);
    // Compressed peak (≈1.79/s × 288) brought down to half the top step (12/s).
    expect(plan.wave.realPeakRate * plan.wave.compression * plan.wave.scale).toBeCloseTo(6, 6);
    expect(plan.phases[1]!.env).toMatchObject({ WAVE: 'exodus-day-one', DURATION: '300s' });
    expect(plan.phases[0]!.env).toMatchObject({ BP_STEPS: '12', BP_STEP_DURATION: '20s', BP_START_RATE: '1' });
    expect(plan.phases[0]!.plannedSec + plan.phases[1]!.plannedSec).toBeLessThanOrEqual(10 * 60);
  });

  it('keeps a user scale and honours --compress, --breakpoint and --no-breakpoint', () => {
    const w = getWave('peak-hour');
    expect(planRehearsal(flags({ scale: 0.5, compress: 12 }), w, facts).wave).toMatchObject({ scale: 0.5, compression: 12 });
    expect(planRehearsal(flags({ breakpoint: true }), w, facts).phases.map((p) => p.name)).toEqual(['breakpoint']);
    expect(planRehearsal(flags({ breakpoint: false }), w, facts).phases.map((p) => p.name)).toEqual(['wave']);
  });

  it('refuses what it cannot do with one line naming the fix', () => {
    const w = getWave('peak-hour');
    expect(() => planRehearsal(flags({ target: 'mastodon' }), w, facts)).toThrow(/needs a running Docker engine.*--target standin/);
    expect(() => planRehearsal(flags({ target: 'https://social.example' }), w, facts)).toThrow(/--i-own-this-instance/);
    expect(() => planRehearsal(flags({ compress: 2, duration: '5m' }), w, facts)).toThrow(UsageError);
    expect(() => planRehearsal(flags({ phases: 'wave,soak' }), w, facts)).toThrow(/unknown phase "soak"/);
  });
});
