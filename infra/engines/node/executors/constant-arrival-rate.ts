// constant-arrival-rate (k6 lib/executor/constant_arrival_rate.go): start
// `rate` iterations per `timeUnit`, regardless of how long they take.

import { formatDuration, msToNs } from '../duration.js';
import { Rat } from '../rational.js';
import type { ExecutionTuple } from '../segments.js';
import { type ArrivalSlot, arrivalTuple, arrivalVURequirements, withinRegularDuration } from './arrival.js';
import {
  baseFrom,
  type BaseConfig,
  type ExecutionStep,
  type ExecutorDefinition,
  executorSchema,
  getBaseInfo,
  MIN_DURATION_MS,
  step,
  validateBase,
} from './base.js';
import { decodeStrict, nullDuration, nullInt } from './fields.js';
import { getArrivalRatePerSec, getTickerPeriodNs } from './helpers.js';

export const CONSTANT_ARRIVAL_RATE = 'constant-arrival-rate';

export const constantArrivalRateSchema = executorSchema({
  rate: nullInt.optional(),
  timeUnit: nullDuration.optional(),
  duration: nullDuration.optional(),
  preAllocatedVUs: nullInt.optional(),
  maxVUs: nullInt.optional(),
});

export interface ConstantArrivalRateConfig extends BaseConfig {
  executor: typeof CONSTANT_ARRIVAL_RATE;
  /** required */
  rate: number | undefined;
  /** ms; default 1s */
  timeUnit: number;
  /** ms; required */
  duration: number | undefined;
  /** required */
  preAllocatedVUs: number | undefined;
  /** undefined = same as preAllocatedVUs */
  maxVUs: number | undefined;
}

export function newConstantArrivalRateConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(constantArrivalRateSchema, raw);
  if (!r.ok) return r;
  const value: ConstantArrivalRateConfig = {
    ...baseFrom(name, CONSTANT_ARRIVAL_RATE, r.value),
    rate: r.value.rate,
    timeUnit: r.value.timeUnit ?? 1_000,
    duration: r.value.duration,
    preAllocatedVUs: r.value.preAllocatedVUs,
    maxVUs: r.value.maxVUs,
  };
  return { ok: true as const, value };
}

/** maxVUs defaults to preAllocatedVUs (k6 fills it in during Validate). */
export function carMaxVUs(c: ConstantArrivalRateConfig): number {
  return c.maxVUs ?? c.preAllocatedVUs ?? 0;
}

export function validateConstantArrivalRate(c: ConstantArrivalRateConfig): string[] {
  const errors = validateBase(c);
  if (c.rate === undefined) errors.push("the iteration rate isn't specified");
  else if (c.rate <= 0) errors.push('the iteration rate must be more than 0');
  if (c.timeUnit <= 0) errors.push('the timeUnit must be more than 0');
  if (c.duration === undefined) errors.push('the duration is unspecified');
  else if (c.duration < MIN_DURATION_MS) {
    errors.push(`the duration must be at least ${formatDuration(MIN_DURATION_MS)}, but is ${formatDuration(c.duration)}`);
  }
  if (c.preAllocatedVUs === undefined) errors.push("the number of preAllocatedVUs isn't specified");
  else if (c.preAllocatedVUs < 0) errors.push("the number of preAllocatedVUs can't be negative");
  if (c.maxVUs !== undefined && c.maxVUs < (c.preAllocatedVUs ?? 0)) {
    errors.push("maxVUs can't be less than preAllocatedVUs");
  }
  return errors;
}

export function constantArrivalRateDurations(c: ConstantArrivalRateConfig): { regular: number; max: number } {
  const regular = c.duration ?? 0;
  return { regular, max: regular + c.gracefulStop };
}

/**
 * The unsegmented ticker period, truncated to whole ns as k6 does
 * (time.Duration(float64(timeUnit/rate))).
 */
export function constantArrivalRatePeriodNs(c: ConstantArrivalRateConfig): number {
  return getTickerPeriodNs(new Rat(BigInt(c.rate ?? 0), BigInt(msToNs(c.timeUnit)))) ?? 0;
}

/**
 * Every slot this segment owns, unbounded: slot k is due at k·period with
 * the first at 0, and the segment takes the striped subset of k.
 */
export function* constantArrivalRateSlots(c: ConstantArrivalRateConfig, tuple: ExecutionTuple): Generator<ArrivalSlot> {
  const { start, offsets } = tuple.getStripedOffsets();
  const periodNs = constantArrivalRatePeriodNs(c);
  for (let li = 0, gi = start; ; gi += offsets[li % offsets.length]!, li++) {
    const atNs = periodNs * gi;
    yield { at: atNs / 1e6, atNs, slot: gi };
  }
}

/** The iterations this segment starts, in order, before the duration ends. */
export function constantArrivalRateSchedule(c: ConstantArrivalRateConfig, et: ExecutionTuple): Iterable<ArrivalSlot> {
  const tuple = arrivalTuple(carMaxVUs(c), et);
  if (!tuple) return [];
  return withinRegularDuration(constantArrivalRateSlots(c, tuple), msToNs(c.duration ?? 0));
}

/** The tuple whose SegmentedIndex numbers this executor's iterations. */
export function constantArrivalRateTuple(c: ConstantArrivalRateConfig, et: ExecutionTuple) {
  return arrivalTuple(carMaxVUs(c), et);
}

export const constantArrivalRate: ExecutorDefinition<ConstantArrivalRateConfig> = {
  type: CONSTANT_ARRIVAL_RATE,
  decode: newConstantArrivalRateConfig,
  validate: validateConstantArrivalRate,
  getExecutionRequirements(c, et): ExecutionStep[] {
    const { planned, maxUnplanned } = arrivalVURequirements(c.preAllocatedVUs ?? 0, carMaxVUs(c), et);
    return [step(0, planned, maxUnplanned), step(constantArrivalRateDurations(c).max, 0, 0)];
  },
  hasWork: (c, et) => et.scaleInt64(carMaxVUs(c)) > 0,
  getDescription(c, et) {
    const pre = et.scaleInt64(c.preAllocatedVUs ?? 0);
    const max = et.scaleInt64(carMaxVUs(c));
    let range = `maxVUs: ${pre}`;
    if (max > pre) range += `-${max}`;
    let perSec = 0;
    if (max !== 0) {
      // k6 scales the displayed rate by the share of maxVUs this instance got.
      const rate = new Rat(BigInt(c.rate ?? 0), BigInt(msToNs(c.timeUnit))).mul(new Rat(BigInt(max), BigInt(carMaxVUs(c))));
      perSec = getArrivalRatePerSec(rate).toNumber();
    }
    return `${perSec.toFixed(2)} iterations/s for ${formatDuration(c.duration ?? 0)}${getBaseInfo(c, range)}`;
  },
};
