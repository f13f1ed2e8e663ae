import { join } from 'node:path';
import { findPeak } from '../../scenarios/waves/curve.js';
import type { Wave } from '../../scenarios/waves/model.js';
import { parseK6Duration } from '../../scenarios/waves/duration.js';
import { baseUrlOf, parseTarget, TargetError } from '../../infra/targets/target.js';
import { UsageError } from '../run/plan.js';

// What `surge rehearse` will do, decided before anything starts (and printed
// as is by --dry-run): the target, the phases with the exact script env, and
// where the run folder goes.

export interface RehearseFlags {
  wave: string;
  target: string;
  iOwnThisInstance?: boolean;
  mailApiUrl?: string;
  compress?: number;
  scale?: number;
  duration?: string;
  breakpoint?: boolean;
  phases?: string;
  out?: string;
  bpSteps: number;
  bpStepDuration: string;
  bpStartRate: number;
  bpStepRate: number;
  seed?: number;
}

export interface PhasePlan {
  name: 'breakpoint' | 'wave';
  scenario: 'breakpoint' | 'signup-wave';
  env: Record<string, string>;
  /** Planned length without graceful stops, seconds. */
  plannedSec: number;
}

export interface RehearsalPlan {
  target: { kind: 'standin' } | { kind: 'url'; baseUrl: string; loopback: boolean };
  notes: string[];
  wave: { name: string; total: number; realDurationSec: number; realPeakRate: number; compression: number; scale: number };
  phases: PhasePlan[];
  outDir: string;
}

const DEFAULT_WAVE_SECONDS = 5 * 60;

export function planRehearsal(flags: RehearseFlags, wave: Wave, facts: { docker: boolean; now: Date; cwd: string; waveJson?: string }): RehearsalPlan {
  const notes: string[] = [];
  let target: RehearsalPlan['target'];
  try {
    const t = parseTarget(flags.target, { ownsInstance: flags.iOwnThisInstance });
    if (t.kind === 'url') target = { kind: 'url', baseUrl: baseUrlOf(t), loopback: t.loopback };
    else if (t.kind === 'mastodon') {
      throw new UsageError(
        facts.docker
          ? '--target mastodon: the containerised Mastodon target is not built yet; use --target standin or the URL of an instance you run'
          : '--target mastodon needs a running Docker engine (none found); use --target standin, or the URL of an instance you run with --i-own-this-instance',
      );
    } else {
      if (t.kind === 'auto') notes.push(facts.docker ? 'target auto: the containerised Mastodon target is not built yet, so the stand-in is used' : 'target auto: no Docker engine here, so the stand-in is used');
      target = { kind: 'standin' };
    }
  } catch (err) {
    throw err instanceof TargetError ? new UsageError(err.message) : err;
  }
  if (target.kind === 'url' && !flags.mailApiUrl) {
    notes.push('no --mail-api-url: newcomers are created but not confirmed by mail');
  }

  if (flags.compress !== undefined && flags.duration !== undefined) throw new UsageError('--compress and --duration both set how fast the wave plays: give one');
  const waveSeconds = flags.duration !== undefined ? parseK6Duration(flags.duration) : flags.compress !== undefined ? wave.duration / flags.compress : Math.min(wave.duration, DEFAULT_WAVE_SECONDS);
  if (!(waveSeconds > 0)) throw new UsageError(`--duration "${flags.duration}" is not a duration like 5m`);
  const compression = wave.duration / waveSeconds;
  const peak = findPeak(wave).rate;
  const topStep = flags.bpStartRate + (flags.bpSteps - 1) * flags.bpStepRate;
  // Default scale: the compressed peak lands mid-way up the breakpoint's range,
  // so the wave replays at a load the rehearsal also measures step by step. A
  // compressed day at full size would only show that 288× a day's rate breaks.
  const scale = flags.scale ?? Math.min(1, (topStep / 2) / (peak * compression));
  if (flags.scale === undefined && scale < 1) {
    notes.push(`wave scaled ×${scale.toPrecision(3)} so its compressed peak is ${(topStep / 2).toFixed(1)}/s; the projection scales back to the full wave`);
  }

  const names = flags.phases ? flags.phases.split(',').map((p) => p.trim()) : flags.breakpoint === false ? ['wave'] : flags.breakpoint === true ? ['breakpoint'] : ['breakpoint', 'wave'];
  for (const n of names) if (n !== 'wave' && n !== 'breakpoint') throw new UsageError(`--phases: unknown phase "${n}" (use wave, breakpoint)`);

  const common: Record<string, string> = { SEED: String(flags.seed ?? Math.floor(facts.now.getTime() / 1000) % 1_000_000) };
  if (target.kind === 'url') common.BASE_URL = target.baseUrl;
  if (flags.mailApiUrl) common.MAIL_API_URL = flags.mailApiUrl.replace(/\/+$/, '');
  const stepSec = parseK6Duration(flags.bpStepDuration);
  if (!(stepSec >= 2)) throw new UsageError(`--bp-step-duration "${flags.bpStepDuration}" must be a duration of 2s or more`);
  const phases: PhasePlan[] = names.map((n) =>
    n === 'breakpoint'
      ? {
          name: 'breakpoint',
          scenario: 'breakpoint',
          plannedSec: flags.bpSteps * stepSec,
          env: { ...common, BP_START_RATE: String(flags.bpStartRate), BP_STEP_RATE: String(flags.bpStepRate), BP_STEPS: String(flags.bpSteps), BP_STEP_DURATION: flags.bpStepDuration },
        }
      : {
          name: 'wave',
          scenario: 'signup-wave',
          plannedSec: waveSeconds,
          env: {
            ...common,
            ...(facts.waveJson ? { WAVE_JSON: facts.waveJson } : { WAVE: wave.name }),
            DURATION: `${Math.round(waveSeconds)}s`,
            SCALE: String(Number(scale.toPrecision(6))),
          },
        },
  );
  const stamp = facts.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return {
    target,
    notes,
    wave: { name: wave.name, total: wave.signups.total, realDurationSec: wave.duration, realPeakRate: peak, compression, scale },
    phases,
    outDir: flags.out ?? join(facts.cwd, 'runs', `${stamp}-${wave.name}`),
  };
}
