// Shared executor maths (k6 lib/executor/helpers.go, lib/helpers.go).

import { msToNs } from '../duration.js';
import { Rat } from '../rational.js';
import type { ExecutionSegment } from '../segments.js';
import type { ExecutionStep } from './base.js';
import type { Stage } from './fields.js';

/** Sum of stage durations, ms. */
export function sumStagesDuration(stages: readonly Stage[]): number {
  // Summed in integer ns so e.g. 0.1s+0.2s is exactly 300ms, as in Go.
  return stages.reduce((acc, s) => acc + msToNs(s.duration ?? 0), 0) / 1e6;
}

export function getStagesUnscaledMaxTarget(start: number, stages: readonly Stage[]): number {
  return stages.reduce((m, s) => Math.max(m, s.target ?? 0), start);
}

/** validateStages, shared by ramping-vus and ramping-arrival-rate. */
export function validateStages(stages: readonly Stage[] | undefined): string[] {
  if (!stages || stages.length === 0) return ['at least one stage has to be specified'];
  const errors: string[] = [];
  stages.forEach((s, i) => {
    const n = i + 1;
    if (s.duration === undefined) errors.push(`stage ${n} doesn't have a duration`);
    else if (s.duration < 0) errors.push(`the duration for stage ${n} can't be negative`);
    if (s.target === undefined) errors.push(`stage ${n} doesn't have a target`);
    else if (s.target < 0) errors.push(`the target for stage ${n} can't be negative`);
  });
  return errors;
}

export function getMaxPlannedVUs(steps: readonly ExecutionStep[]): number {
  return steps.reduce((m, s) => Math.max(m, s.plannedVUs), 0);
}

/** Planned plus unplanned (mid-test initialized) VUs at the busiest step. */
export function getMaxPossibleVUs(steps: readonly ExecutionStep[]): number {
  return steps.reduce((m, s) => Math.max(m, s.plannedVUs + s.maxUnplannedVUs), 0);
}

/** Offset of the last step and whether it is final (no VUs needed any more). */
export function getEndOffset(steps: readonly ExecutionStep[]): { offset: number; isFinal: boolean } {
  const last = steps[steps.length - 1];
  if (!last) return { offset: 0, isFinal: true };
  return { offset: last.timeOffset, isFinal: last.plannedVUs === 0 && last.maxUnplannedVUs === 0 };
}

/**
 * getScaledArrivalRate: iterations per nanosecond for this segment, exact.
 * Only used for display and per-second figures: the actual iteration times
 * come from striping the unscaled schedule (see the arrival-rate executors).
 */
export function getScaledArrivalRate(segment: ExecutionSegment | undefined, rate: number, periodMs: number): Rat {
  const r = new Rat(BigInt(rate), BigInt(msToNs(periodMs)));
  return segment ? segment.scaleRat(r) : r;
}

/**
 * getTickerPeriod: 1/rate as a float64, truncated to integer ns like
 * time.Duration(float). Undefined for a zero rate.
 */
export function getTickerPeriodNs(ratePerNs: Rat): number | undefined {
  if (ratePerNs.sign() === 0) return undefined;
  return Math.trunc(ratePerNs.inv().toNumber());
}

/** getArrivalRatePerSec. */
export function getArrivalRatePerSec(ratePerNs: Rat): Rat {
  return ratePerNs.mul(new Rat(1_000_000_000n));
}

/**
 * time.Duration(x) for a float64 nanosecond value: truncation toward zero.
 */
export function floatToDurationNs(x: number): number {
  return Math.trunc(x);
}
