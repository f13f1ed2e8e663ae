// Service-level objectives: the line between "coping" and "broken" that the
// breaking point and the verdict are drawn against. Defaults are what an admin
// would sign off on for a wave; an override file may change or switch off any.
//
// Why these defaults:
// - API p95 < 500 ms, p99 < 1 s: Mastodon's web UI fires several API calls per
//   screen; past half a second per call a timeline visibly stalls, and the slow
//   tail (p99) past a second is where clients start retrying.
// - server errors (5xx) < 1 %: one failed request in a hundred already shows up
//   as broken screens for most users during a session. 4xx answers are the
//   instance working (a 404 lookup, a 422 for a taken username); 429s are
//   Mastodon's rack_attack throttles, reported separately, not capacity.
// - signup end-to-end p95 < 30 s, from app registration to the confirmation
//   mail arriving: the newcomer is looking at "check your e-mail" and, after
//   about half a minute, presses "resend" or leaves. Both hurt in a wave
//   (resends add load to the `mailers` queue that is already late).
// - Sidekiq queue latency < 60 s for default/push/ingress: fan-out into home
//   feeds, notifications and federation a minute late is noticed ("my post
//   didn't show up"); < 5 min for mailers, a backstop for all mail (the
//   signup objective above already covers confirmations).
import { z } from 'zod';
import { parseConfig } from './config-errors.js';
import { duration as fmtDuration, at, percent } from './format.js';
import { clip, combine, peak, spanOf, stretches } from './series.js';
import type { Point, RunData } from './types.js';

export interface Slos {
  /** Seconds; null switches the objective off. */
  apiP95Sec: number | null;
  apiP99Sec: number | null;
  /** Fraction of requests, 0..1. */
  errorRate: number | null;
  signupP95Sec: number | null;
  /** Queue name → seconds its oldest job may wait. */
  queueLatencySec: Record<string, number>;
}

export const DEFAULT_SLOS: Slos = Object.freeze({
  apiP95Sec: 0.5,
  apiP99Sec: 1,
  errorRate: 0.01,
  signupP95Sec: 30,
  queueLatencySec: Object.freeze({ default: 60, push: 60, ingress: 60, mailers: 300 }) as Record<string, number>,
}) as Slos;

const DURATION = "a duration like '500ms' or '2m', a positive number of seconds, or null to switch it off";

// Numbers are seconds and strings are durations, as in wave files; a bare
// numeric string is refused because k6 would read it as milliseconds.
const seconds = z
  .unknown()
  .transform((value, ctx): number | null => {
    if (value === null) return null;
    let s = NaN;
    if (typeof value === 'number') s = value;
    else if (typeof value === 'string' && !/^\s*[\d.]+\s*$/.test(value)) s = parseDuration(value);
    if (Number.isFinite(s) && s > 0) return s;
    ctx.issues.push({ code: 'custom', input: value, message: `must be ${DURATION}` });
    return z.NEVER;
  })
  .optional();

const fraction = z
  .number({ error: 'must be a fraction between 0 and 1 such as 0.01 (1 %), or null to switch it off' })
  .gt(0, { error: 'must be a fraction between 0 and 1 such as 0.01 (1 %), or null to switch it off' })
  .max(1, { error: 'must be a fraction between 0 and 1 such as 0.01 (1 %), or null to switch it off' })
  .nullable()
  .optional();

/** The override file as written (JSON or YAML, parsed by the caller). Every field is optional. */
export const sloConfigSchema = z.strictObject({
  api: z.strictObject({ p95: seconds, p99: seconds }).optional(),
  errors: z.strictObject({ rate: fraction }).optional(),
  signup: z.strictObject({ p95: seconds }).optional(),
  queues: z
    .record(z.string().regex(/^[a-z0-9_-]+$/, { error: 'queue names are lowercase letters, digits, - and _' }), seconds)
    .optional(),
});

export type SloConfig = z.output<typeof sloConfigSchema>;

/** Defaults with the file's overrides applied; throws a one-line ReportConfigError. */
export function parseSloConfig(data: unknown, source = 'SLO config'): Slos {
  const cfg = parseConfig(sloConfigSchema, data, source);
  const pick = <T>(override: T | undefined, fallback: T): T => (override === undefined ? fallback : override);
  const queues: Record<string, number> = { ...DEFAULT_SLOS.queueLatencySec };
  for (const [q, s] of Object.entries(cfg.queues ?? {})) {
    if (s === null) delete queues[q];
    else if (s !== undefined) queues[q] = s;
  }
  return {
    apiP95Sec: pick(cfg.api?.p95, DEFAULT_SLOS.apiP95Sec),
    apiP99Sec: pick(cfg.api?.p99, DEFAULT_SLOS.apiP99Sec),
    errorRate: pick(cfg.errors?.rate, DEFAULT_SLOS.errorRate),
    signupP95Sec: pick(cfg.signup?.p95, DEFAULT_SLOS.signupP95Sec),
    queueLatencySec: queues,
  };
}

/** One objective resolved against a run: its threshold and the series it is judged on. */
export interface SloCheck {
  id: string;
  name: string;
  /** "API p95 < 500 ms". */
  objective: string;
  threshold: number;
  unit: 'seconds' | 'ratio';
  /** null: the run has no series for it (not measured, neither pass nor fail). */
  points: Point[] | null;
}

/** Met while value < threshold. */
export function violates(check: Pick<SloCheck, 'threshold'>, value: number): boolean {
  return value >= check.threshold;
}

/**
 * The checks for a run. Several series for one objective (per process or per
 * scenario) are combined by their maximum: the objective holds only if it
 * holds everywhere.
 */
export function sloChecks(data: RunData, slos: Slos): SloCheck[] {
  const s = data.series;
  const series = (list: RunData['series']['latencyP95'] | undefined) => (list && list.length ? combine(list, 'max') : null);
  const checks: SloCheck[] = [];
  const add = (id: string, name: string, threshold: number | null, unit: SloCheck['unit'], points: Point[] | null) => {
    if (threshold === null) return;
    const shown = unit === 'ratio' ? percent(threshold) : fmtDuration(threshold);
    checks.push({ id, name, objective: `${name} < ${shown}`, threshold, unit, points });
  };
  add('api-p95', 'API p95', slos.apiP95Sec, 'seconds', series(s.latencyP95));
  add('api-p99', 'API p99', slos.apiP99Sec, 'seconds', series(s.latencyP99));
  add('errors', 'Server errors (5xx)', slos.errorRate, 'ratio', series(s.errorRate));
  add('signup-p95', 'Signup end-to-end p95', slos.signupP95Sec, 'seconds', series(s.signupLatencyP95));
  for (const [queue, limit] of Object.entries(slos.queueLatencySec)) {
    const list = (s.sidekiqLatency ?? []).filter((x) => x.labels.queue === queue);
    add(`queue-${queue}`, `Sidekiq ${queue} queue latency`, limit, 'seconds', series(list));
  }
  return checks;
}

export interface SloVerdict {
  id: string;
  name: string;
  objective: string;
  threshold: number;
  unit: 'seconds' | 'ratio';
  /** Worst value in the window; null when not measured. */
  observed: number | null;
  /** null when not measured. */
  pass: boolean | null;
  evidence: {
    from: number;
    to: number;
    worstAt: number | null;
    firstViolationAt: number | null;
    /** Seconds spent over the objective. */
    violatedSec: number;
    text: string;
  };
}

export interface SloEvaluation {
  window: { from: number; to: number; basis: string };
  verdicts: SloVerdict[];
  /** Every measured objective held (false if nothing was measured: nothing was shown to hold). */
  pass: boolean;
  unmeasured: string[];
}

/**
 * The window objectives are judged over: the wave, activity (and soak) phases,
 * because the breakpoint phase is meant to break them. Without such phases, the whole run.
 */
export function defaultSloWindow(data: RunData): { from: number; to: number; basis: string } {
  const judged = data.phases.filter((p) => p.kind === 'wave' || p.kind === 'activity' || p.kind === 'soak');
  if (judged.length) {
    const to = Math.max(...judged.map((p) => p.endSec));
    // The first rate window after the start still averages in the phase before
    // (a breakpoint's overload step, a cohort's signups): not this phase's doing.
    const from = Math.min(...judged.map((p) => p.startSec)) + (data.rateWindowSec ?? 0);
    return {
      from: Math.min(from, to),
      to,
      basis: `the ${judged.map((p) => p.name).join(' and ')} phase${judged.length > 1 ? 's' : ''}`,
    };
  }
  const span = spanOf(Object.values(data.series)) ?? { start: 0, end: 0 };
  // Only a breakpoint ran: judged anyway, but said plainly, since it was meant to break them.
  const basis = data.phases.some((p) => p.kind === 'breakpoint') ? 'the whole run, breakpoint included' : 'the whole run';
  return { from: span.start, to: span.end, basis };
}

export function evaluateSlos(data: RunData, slos: Slos, window = defaultSloWindow(data)): SloEvaluation {
  const verdicts = sloChecks(data, slos).map((c) => verdictFor(c, window.from, window.to));
  const measured = verdicts.filter((v) => v.pass !== null);
  return {
    window,
    verdicts,
    pass: measured.length > 0 && measured.every((v) => v.pass),
    unmeasured: verdicts.filter((v) => v.pass === null).map((v) => v.id),
  };
}

function verdictFor(check: SloCheck, from: number, to: number): SloVerdict {
  const base = { id: check.id, name: check.name, objective: check.objective, threshold: check.threshold, unit: check.unit };
  const points = check.points ? clip(check.points, from, to) : [];
  const worst = peak(points);
  if (!worst) {
    const why = check.points ? 'no samples in the judged window' : `no ${check.name} series in this run`;
    return {
      ...base,
      observed: null,
      pass: null,
      evidence: { from, to, worstAt: null, firstViolationAt: null, violatedSec: 0, text: `not measured: ${why}` },
    };
  }
  const show = (v: number) => (check.unit === 'ratio' ? percent(v) : fmtDuration(v));
  const over = stretches(points, (v) => violates(check, v));
  const violatedSec = over.reduce((s, x) => s + x.durationSec, 0);
  const firstViolationAt = over[0]?.start ?? null;
  const text =
    over.length === 0
      ? `worst ${show(worst.value)} at ${at(worst.t)} (t=${Math.round(from)}–${Math.round(to)} s)`
      : `worst ${show(worst.value)} at ${at(worst.t)}; at or over ${show(check.threshold)} for ${fmtDuration(violatedSec)} from ${at(firstViolationAt!)}`;
  return {
    ...base,
    observed: worst.value,
    pass: over.length === 0,
    evidence: { from, to, worstAt: worst.t, firstViolationAt, violatedSec, text },
  };
}

// Same grammar as k6/Go durations ('1m30s', '500ms'); local so the report
// model stays independent of the scenario code.
const UNIT_SECONDS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

function parseDuration(text: string): number {
  const t = text.trim();
  const part = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  if (!t) return NaN;
  while (pos < t.length) {
    part.lastIndex = pos;
    const m = part.exec(t);
    if (!m) return NaN;
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    pos = part.lastIndex;
  }
  return total;
}
