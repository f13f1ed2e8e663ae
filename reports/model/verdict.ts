// The one paragraph an admin reads first: where it broke, what broke first and
// what to change, in that order, with the numbers that back each claim. Built
// only from the other sections, so it can never say something they do not.
import type { BottleneckAnalysis } from './bottleneck.js';
import type { BreakingPoint } from './breaking-point.js';
import { duration, num, rate } from './format.js';
import type { Projection } from './projection.js';
import type { SloEvaluation } from './slo.js';
import type { Sizing, Target } from './types.js';

export interface VerdictInput {
  target: Target;
  sizing: Sizing;
  slos: SloEvaluation;
  breakingPoint: BreakingPoint;
  bottleneck: BottleneckAnalysis;
  projection: Projection | null;
  /** Why the numbers may be depressed by other programs on the machine, if they were. */
  interference?: string | null;
  partialReason: string | null;
}

export function writeVerdict(v: VerdictInput): string {
  const s = v.sizing;
  const parts: string[] = [];
  const where = v.target.kind === 'standin' ? 'On the stand-in (not a real Mastodon; its costs are modelled on Mastodon 4.5)' : `On ${v.target.label}`;
  const sizing = `WEB_CONCURRENCY=${s.webConcurrency}, MAX_THREADS=${s.maxThreads}, SIDEKIQ_CONCURRENCY=${s.sidekiqConcurrency}${s.dbPool !== undefined ? `, DB_POOL=${s.dbPool}` : ''}`;
  const bp = v.breakingPoint;
  const unit = bp.rateUnit;
  if (bp.status === 'broke') {
    parts.push(
      `${where} with ${sizing}, every objective held up to ${rate(bp.sustainedRate!, unit)} and the instance broke at ${rate(bp.brokeAt!.rate, unit)}, where ${bp.brokeAt!.names[0]} failed first.`,
    );
  } else if (bp.status === 'did-not-break') {
    parts.push(`${where} with ${sizing}, the instance did not break up to ${rate(bp.maxOfferedRate!, unit)}, the highest load tried; its breaking point is higher.`);
  } else if (bp.status === 'broke-at-start') {
    parts.push(`${where} with ${sizing}, the instance broke at the lowest load tried (${rate(bp.brokeAt!.rate, unit)}, ${bp.brokeAt!.names[0]}); rerun the breakpoint from a lower rate.`);
  } else {
    parts.push(`${where} with ${sizing}, the breaking point is unknown: ${bp.summary[0]!.toLowerCase()}${bp.summary.slice(1)}`);
  }
  if (bp.knee) parts.push(`Latency started climbing steeply at about ${rate(bp.knee.throughput, unit)} (p95 ${duration(bp.knee.latencyP95)}).`);

  const first = v.bottleneck.first;
  if (first) {
    const load = first.offeredRate !== null ? ` at ${rate(first.offeredRate, unit)}` : '';
    parts.push(`The first bottleneck was ${lower(first.name)}, from t=${num(Math.round(first.firstAt), 6)} s${load}: ${first.advice[0]!.toLowerCase()}${first.advice.slice(1)}`);
  } else {
    parts.push('No resource showed saturation in the signals collected.');
  }
  if (v.bottleneck.findings.some((f) => f.kind === 'limit')) {
    parts.push("Some requests were throttled (429): that is Mastodon's rack_attack, not a lack of capacity.");
  }

  const failed = v.slos.verdicts.filter((x) => x.pass === false).map((x) => x.name);
  if (failed.length) parts.push(`During ${v.slos.window.basis}, these objectives failed: ${failed.join(', ')}.`);
  else if (v.slos.pass) parts.push(`During ${v.slos.window.basis}, every measured objective held.`);

  const p = v.projection;
  if (p) {
    const todo = p.changes.length ? `change ${p.changes.join('; ')}` : 'keep the current sizing';
    parts.push(
      `For a wave like ${p.wave.name} (${num(p.wave.signupsPerDay)} signups a day, peak ${num(p.wave.peakSignupRate)}/s), ${todo}. ${p.anchor.text}`,
    );
  }
  if (v.interference) parts.push(v.interference);
  if (v.partialReason) parts.push(`This run was interrupted (${v.partialReason}): the figures cover only what ran.`);
  return parts.join(' ');
}

function lower(name: string): string {
  // "Database pool (web)" → "the database pool (web)"; keep acronyms such as "PostgreSQL".
  return /^[A-Z][a-z]/.test(name) ? `the ${name[0]!.toLowerCase()}${name.slice(1)}` : `the ${name}`;
}
