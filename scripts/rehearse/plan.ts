import { join } from 'node:path';
import { activityRate } from '../../scenarios/waves/activity.js';
import { findPeak } from '../../scenarios/waves/curve.js';
import type { Wave } from '../../scenarios/waves/model.js';
import { parseK6Duration } from '../../scenarios/waves/duration.js';
import { chooseEngine, EngineError, type EngineChoice, type EngineFlag } from '../../infra/engines/k6/engine.js';
import { chooseContainerTarget } from '../../infra/targets/mastodon/select.js';
import { parseMastodonTag, StackPlanError } from '../../infra/targets/mastodon/version.js';
import { baseUrlOf, parseTarget, TargetError } from '../../infra/targets/target.js';
import { JOBS, type JobNames } from '../../reports/collect/queries.js';
import { UsageError } from '../run/plan.js';

// What `surge rehearse` will do, decided before anything starts (and printed
// as is by --dry-run): the target, the phases with the exact script env, and
// where the run folder goes.

export interface RehearseFlags {
  wave: string;
  target: string;
  /** Mastodon image tag for --target mastodon|auto. */
  tag?: string;
  engine?: EngineFlag;
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
  /** Peak requests/s of the activity phase. */
  activityRate: number;
  activityDuration: string;
  prometheusUrl?: string;
  prometheusJobs?: string;
  /** Stand-in only: its SMTP relay takes this long per message (k6 duration). */
  mailDelay?: string;
  /** Stand-in only: its SMTP relay refuses mail past this many a day. */
  mailQuota?: number;
  seed?: number;
}

export type PhaseName = 'breakpoint' | 'wave' | 'activity';

export interface PhasePlan {
  name: PhaseName;
  scenario: 'breakpoint' | 'signup-wave' | 'newcomer-activity';
  env: Record<string, string>;
  /** Planned length without graceful stops, seconds. */
  plannedSec: number;
}

export interface RehearsalPlan {
  target: { kind: 'standin' } | { kind: 'mastodon'; tag: string } | { kind: 'url'; baseUrl: string; loopback: boolean };
  engine: EngineChoice;
  notes: string[];
  wave: { name: string; total: number; realDurationSec: number; realPeakRate: number; compression: number; scale: number };
  phases: PhasePlan[];
  /** The stand-in's mail relay, slowed or capped to rehearse a struggling mail provider. */
  standinMail: { delayMs?: number; dailyQuota?: number };
  /** Where the target's series are read: the run's own Prometheus, or the user's with their job names. */
  metrics: { prometheusUrl?: string; jobs: Partial<JobNames> };
  outDir: string;
}

const JOB_ROLES = Object.keys(JOBS).filter((r) => r !== 'runner') as (keyof JobNames)[];

/** `web=mastodon-puma,worker=sidekiq`: the user's scrape job names by role. */
export function parseJobNames(text: string): Partial<JobNames> {
  const jobs: Partial<JobNames> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=([^\s"=,]+)$/.exec(pair);
    if (!m) throw new UsageError(`--prometheus-jobs: "${pair}" is not role=job (e.g. web=mastodon-web,worker=mastodon-sidekiq)`);
    if (!JOB_ROLES.includes(m[1] as keyof JobNames)) throw new UsageError(`--prometheus-jobs: unknown role "${m[1]}" (use ${JOB_ROLES.join(', ')})`);
    jobs[m[1] as keyof JobNames] = m[2]!;
  }
  return jobs;
}

// With the default 12 × 20 s breakpoint and a 2-minute activity phase, about 10 minutes in all.
const DEFAULT_WAVE_SECONDS = 4 * 60;
const MIN_WAVE_SECONDS = 2;
const PHASES: readonly PhaseName[] = ['breakpoint', 'wave', 'activity'];

/** The wave's busiest moment of everyday requests, in real time (requests/s). */
function peakActivityRate(wave: Wave): number {
  let peak = 0;
  for (let i = 0; i <= 2000; i++) peak = Math.max(peak, activityRate(wave, (wave.duration * i) / 2000));
  return peak;
}

export function planRehearsal(flags: RehearseFlags, wave: Wave, facts: { docker: boolean; now: Date; cwd: string; waveJson?: string; k6Path?: string }): RehearsalPlan {
  const notes: string[] = [];
  let target: RehearsalPlan['target'];
  try {
    const t = parseTarget(flags.target, { ownsInstance: flags.iOwnThisInstance });
    if (t.kind === 'url') target = { kind: 'url', baseUrl: baseUrlOf(t), loopback: t.loopback };
    else if (t.kind === 'mastodon' || t.kind === 'auto') {
      const choice = chooseContainerTarget(t.kind, facts.docker, flags.tag);
      if (choice.note) notes.push(choice.note);
      target = choice.target;
    } else target = { kind: 'standin' };
    if (flags.tag !== undefined) {
      // A typo in the tag is one wherever the rehearsal lands, not only where Docker runs.
      parseMastodonTag(flags.tag);
      if (t.kind !== 'mastodon' && t.kind !== 'auto') throw new UsageError(`--tag picks the containerised Mastodon's image; ${t.kind === 'url' ? 'a URL' : 'the stand-in'} target has none: drop it, or use --target mastodon`);
      if (target.kind === 'standin') notes.push(`--tag ${flags.tag} applies only to the containerised Mastodon`);
    }
  } catch (err) {
    throw err instanceof TargetError || err instanceof StackPlanError ? new UsageError(err.message) : err;
  }
  if (flags.mailApiUrl !== undefined && target.kind !== 'url') {
    throw new UsageError(`--mail-api-url is for a URL target; the ${target.kind} target has its own mail sink: drop it, or give --target URL`);
  }
  if (target.kind === 'url' && !flags.mailApiUrl) {
    notes.push('no --mail-api-url: newcomers are created but not confirmed by mail');
  }

  if (flags.compress !== undefined && flags.duration !== undefined) throw new UsageError('--compress and --duration both set how fast the wave plays: give one');
  const waveSeconds = flags.duration !== undefined ? parseK6Duration(flags.duration) : flags.compress !== undefined ? wave.duration / flags.compress : Math.min(wave.duration, DEFAULT_WAVE_SECONDS);
  if (!(waveSeconds > 0)) throw new UsageError(`--duration "${flags.duration}" is not a duration like 5m`);
  // The wave scenario plays whole seconds (as the breakpoint's steps, at least 2).
  if (waveSeconds < MIN_WAVE_SECONDS) {
    const given = flags.duration !== undefined ? `--duration ${flags.duration}` : `--compress ${flags.compress}`;
    throw new UsageError(`${given} plays the ${wave.name} wave in ${Number(waveSeconds.toPrecision(3))} s; give at least ${MIN_WAVE_SECONDS} s (e.g. --duration 1m; a bare number is milliseconds, as in k6)`);
  }
  const compression = wave.duration / waveSeconds;
  const peak = findPeak(wave).rate;
  const topStep = flags.bpStartRate + (flags.bpSteps - 1) * flags.bpStepRate;
  // Default scale: the compressed peak lands mid-way up the breakpoint's range,
  // so the wave replays at a load the rehearsal also measures step by step. A
  // compressed day at full size would only show that 360× a day's rate breaks.
  const scale = flags.scale ?? Math.min(1, (topStep / 2) / (peak * compression));

  if (flags.phases !== undefined && flags.breakpoint !== undefined) {
    throw new UsageError(`--phases and --${flags.breakpoint ? '' : 'no-'}breakpoint both choose the phases: give one (e.g. --phases ${flags.breakpoint ? 'breakpoint' : 'wave,activity'})`);
  }
  let names: string[] = flags.phases !== undefined
    ? flags.phases.split(',').map((p) => p.trim())
    : flags.breakpoint === false ? ['wave', 'activity'] : flags.breakpoint === true ? ['breakpoint'] : [...PHASES];
  for (const n of names) if (!PHASES.includes(n as PhaseName)) throw new UsageError(`--phases: unknown phase "${n}" (use ${PHASES.join(', ')})`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`--phases: "${twice}" is listed twice; each phase runs once (e.g. --phases ${PHASES.join(',')})`);
  if (target.kind === 'url' && !flags.mailApiUrl && names.includes('activity')) {
    // newcomer-activity signs its cohort up and confirms it by mail before the load starts.
    if (flags.phases) throw new UsageError('--phases activity needs --mail-api-url: the newcomers it drives must confirm their accounts by mail');
    names = names.filter((n) => n !== 'activity');
    notes.push('no --mail-api-url: the activity phase is skipped (its newcomers must confirm by mail), so everyday requests are costed like signup requests');
  }
  if (flags.scale === undefined && scale < 1 && names.includes('wave')) {
    notes.push(`wave scaled ×${scale.toPrecision(3)} so its compressed peak is ${(topStep / 2).toFixed(1)}/s; the projection scales back to the full wave`);
  }
  const activitySec = parseK6Duration(flags.activityDuration);
  if (!(activitySec >= 10)) throw new UsageError(`--activity-duration "${flags.activityDuration}" must be a duration of 10s or more`);
  // The activity phase replays the wave's everyday requests over its own length,
  // scaled so their peak is --activity-rate: a load the target should carry, so
  // what each request costs is measured on a healthy instance.
  const activityPeak = peakActivityRate(wave) * (wave.duration / activitySec);
  const activityScale = activityPeak > 0 ? flags.activityRate / activityPeak : 1;

  const common: Record<string, string> = { SEED: String(flags.seed ?? Math.floor(facts.now.getTime() / 1000) % 1_000_000) };
  if (target.kind === 'url') common.BASE_URL = target.baseUrl;
  if (flags.mailApiUrl) common.MAIL_API_URL = checkMailApiUrl(flags.mailApiUrl);
  const stepSec = parseK6Duration(flags.bpStepDuration);
  if (!(stepSec >= 2)) throw new UsageError(`--bp-step-duration "${flags.bpStepDuration}" must be a duration of 2s or more`);
  // The wave and activity phases replay the same wave, each over its own length and scale.
  const replay = (seconds: number, waveScale: number) => ({
    ...common,
    ...(facts.waveJson ? { WAVE_JSON: facts.waveJson } : { WAVE: wave.name }),
    DURATION: `${Math.round(seconds)}s`,
    SCALE: String(Number(waveScale.toPrecision(6))),
  });
  const phases: PhasePlan[] = names.map((n): PhasePlan =>
    n === 'activity'
      ? { name: 'activity', scenario: 'newcomer-activity', plannedSec: activitySec, env: replay(activitySec, activityScale) }
      : n === 'breakpoint'
        ? {
            name: 'breakpoint',
            scenario: 'breakpoint',
            plannedSec: flags.bpSteps * stepSec,
            env: { ...common, BP_START_RATE: String(flags.bpStartRate), BP_STEP_RATE: String(flags.bpStepRate), BP_STEPS: String(flags.bpSteps), BP_STEP_DURATION: flags.bpStepDuration },
          }
        : { name: 'wave', scenario: 'signup-wave', plannedSec: waveSeconds, env: replay(waveSeconds, scale) },
  );
  const stamp = facts.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  let engine: EngineChoice;
  try {
    engine = chooseEngine(flags.engine, { k6Path: facts.k6Path, docker: facts.docker });
  } catch (err) {
    throw err instanceof EngineError ? new UsageError(err.message) : err;
  }
  return {
    target,
    engine,
    notes,
    wave: { name: wave.name, total: wave.signups.total, realDurationSec: wave.duration, realPeakRate: peak, compression, scale },
    phases,
    standinMail: planStandinMail(flags, target),
    metrics: planMetrics(flags, target),
    outDir: flags.out ?? join(facts.cwd, 'runs', `${stamp}-${wave.name}`),
  };
}

function planMetrics(flags: RehearseFlags, target: RehearsalPlan['target']): RehearsalPlan['metrics'] {
  if (flags.prometheusJobs !== undefined && !flags.prometheusUrl) throw new UsageError('--prometheus-jobs names the jobs of your Prometheus: give --prometheus-url too');
  if (!flags.prometheusUrl) return { jobs: {} };
  if (target.kind !== 'url') {
    throw new UsageError(`--prometheus-url reads an instance your Prometheus already scrapes; the ${target.kind} target is started for the run and scraped by the rehearsal's own Prometheus: drop --prometheus-url, or give --target URL`);
  }
  return { prometheusUrl: checkPrometheusUrl(flags.prometheusUrl), jobs: parseJobNames(flags.prometheusJobs ?? '') };
}

/** The user's Prometheus, as printed in plans and kept in run folders and errors: no credentials in it. */
export function checkPrometheusUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--prometheus-url "${text}" is not a URL like http://127.0.0.1:9090`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--prometheus-url "${url.protocol}//…" must be http(s)`);
  if (url.username || url.password) throw new UsageError('--prometheus-url must not carry a user or password; put an authenticating proxy on loopback in front of it');
  return url.toString().replace(/\/+$/, '');
}

/** The plan is printed and kept in the run folder, and the URL goes into every phase's env: no credentials in it. */
function checkMailApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--mail-api-url "${text}" is not a URL like http://127.0.0.1:8025 (the Mailpit that receives the instance's mail)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--mail-api-url "${url.protocol}//…" must be http(s)`);
  if (url.username || url.password) throw new UsageError('--mail-api-url must not carry a user or password; put an authenticating proxy on loopback in front of Mailpit');
  return url.toString().replace(/\/+$/, '');
}

function planStandinMail(flags: RehearseFlags, target: RehearsalPlan['target']): RehearsalPlan['standinMail'] {
  if (flags.mailDelay === undefined && flags.mailQuota === undefined) return {};
  if (target.kind !== 'standin') {
    throw new UsageError(`--mail-delay and --mail-quota shape the stand-in's own mail relay; the ${target.kind} target sends through its own: drop them, or use --target standin`);
  }
  const delaySec = flags.mailDelay === undefined ? undefined : parseK6Duration(flags.mailDelay);
  if (delaySec !== undefined && !(delaySec >= 0)) throw new UsageError(`--mail-delay "${flags.mailDelay}" is not a duration like 2s or 500ms`);
  return {
    ...(delaySec ? { delayMs: Math.round(delaySec * 1000) } : {}),
    ...(flags.mailQuota !== undefined ? { dailyQuota: flags.mailQuota } : {}),
  };
}

/** A breakpoint phase's steps as planned, from its script env, on the run's clock. */
export function breakpointSteps(env: Record<string, string>, startSec: number): { startSec: number; endSec: number; rate: number }[] {
  const n = Number(env.BP_STEPS);
  const first = Number(env.BP_START_RATE);
  const inc = Number(env.BP_STEP_RATE);
  const len = parseK6Duration(env.BP_STEP_DURATION!);
  return Array.from({ length: n }, (_, i) => ({ startSec: startSec + i * len, endSec: startSec + (i + 1) * len, rate: first + i * inc }));
}
