// ramping-arrival-rate (k6 lib/executor/ramping_arrival_rate.go): the start
// rate moves linearly to each stage's target over the stage's duration.

import { formatDuration, msToNs } from '../duration.js';
import type { ExecutionTuple } from '../segments.js';
import { type ArrivalSlot, arrivalTuple, arrivalVURequirements, withinRegularDuration } from './arrival.js';
import {
  baseFrom,
  type BaseConfig,
  type ExecutionStep,
  type ExecutorDefinition,
  executorSchema,
  getBaseInfo,
  step,
  validateBase,
} from './base.js';
import { decodeStrict, nullDuration, nullInt, type Stage, stages } from './fields.js';
import {
  floatToDurationNs,
  getArrivalRatePerSec,
  getScaledArrivalRate,
  getStagesUnscaledMaxTarget,
  sumStagesDuration,
  validateStages,
} from './helpers.js';

export const RAMPING_ARRIVAL_RATE = 'ramping-arrival-rate';

export const rampingArrivalRateSchema = executorSchema({
  startRate: nullInt.optional(),
  timeUnit: nullDuration.optional(),
  stages: stages.optional(),
  preAllocatedVUs: nullInt.optional(),
  maxVUs: nullInt.optional(),
});

export interface RampingArrivalRateConfig extends BaseConfig {
  executor: typeof RAMPING_ARRIVAL_RATE;
  /** default 0 */
  startRate: number;
  /** ms; default 1s */
  timeUnit: number;
  /** required, at least one */
  stages: Stage[];
  /** required */
  preAllocatedVUs: number | undefined;
  /** undefined = same as preAllocatedVUs */
  maxVUs: number | undefined;
}

export function newRampingArrivalRateConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(rampingArrivalRateSchema, raw);
  if (!r.ok) return r;
  const value: RampingArrivalRateConfig = {
    ...baseFrom(name, RAMPING_ARRIVAL_RATE, r.value),
    startRate: r.value.startRate ?? 0,
    timeUnit: r.value.timeUnit ?? 1_000,
    stages: r.value.stages ?? [],
    preAllocatedVUs: r.value.preAllocatedVUs,
    maxVUs: r.value.maxVUs,
  };
  return { ok: true as const, value };
}

export function rarMaxVUs(c: RampingArrivalRateConfig): number {
  return c.maxVUs ?? c.preAllocatedVUs ?? 0;
}

export function validateRampingArrivalRate(c: RampingArrivalRateConfig): string[] {
  const errors = validateBase(c);
  if (c.startRate < 0) errors.push("the startRate value can't be negative");
  if (c.timeUnit <= 0) errors.push('the timeUnit must be more than 0');
  errors.push(...validateStages(c.stages));
  if (c.preAllocatedVUs === undefined) errors.push("the number of preAllocatedVUs isn't specified");
  else if (c.preAllocatedVUs < 0) errors.push("the number of preAllocatedVUs can't be negative");
  if (c.maxVUs !== undefined && c.maxVUs < (c.preAllocatedVUs ?? 0)) {
    errors.push("maxVUs can't be less than preAllocatedVUs");
  }
  return errors;
}

export function rampingArrivalRateDurations(c: RampingArrivalRateConfig): { regular: number; max: number } {
  const regular = sumStagesDuration(c.stages);
  return { regular, max: regular + c.gracefulStop };
}

// Go's noNegativeSqrt: a tiny negative from float noise must not become NaN.
function noNegativeSqrt(f: number): number {
  return f < 0 || Object.is(f, -0) ? 0 : Math.sqrt(f);
}

/**
 * k6's cal(): iteration n (1-based) starts when the area under the rate
 * curve reaches n. Within a ramp from rate a to b over D, the area by x is
 * a·x + (b−a)·x²/(2D); solving for x gives the formula below. A stage's
 * fractional remainder of area carries into the next one. Rates are per ns
 * and the whole computation is float64, in the same operation order as k6,
 * so the resulting times are bit-identical (on platforms without FMA fusion,
 * i.e. k6's amd64 builds). The segment's slots are its striped subset of n.
 */
export function* rampingArrivalRateSlots(c: RampingArrivalRateConfig, tuple: ExecutionTuple): Generator<ArrivalSlot> {
  const { start, offsets } = tuple.getStripedOffsets();
  let li = -1;
  const next = (): number => offsets[++li % offsets.length]!;
  const timeUnit = msToNs(c.timeUnit);
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  let from = c.startRate / timeUnit;
  let i = start + 1;
  for (const stage of c.stages) {
    const to = (stage.target ?? 0) / timeUnit;
    const dur = msToNs(stage.duration ?? 0);
    if (from !== to) {
      endCount += dur * ((to - from) / 2 + from);
      for (; i <= endCount; i += next()) {
        const x = (from * dur - noNegativeSqrt(dur * (from * from * dur + 2 * (i - doneSoFar) * (to - from)))) / (from - to);
        const atNs = floatToDurationNs(x) + stageStart;
        yield { at: atNs / 1e6, atNs, slot: i - 1 };
      }
    } else {
      endCount += dur * to;
      for (; i <= endCount; i += next()) {
        const atNs = floatToDurationNs((i - doneSoFar) / to) + stageStart;
        yield { at: atNs / 1e6, atNs, slot: i - 1 };
      }
    }
    doneSoFar = endCount;
    from = to;
    stageStart += dur;
  }
}

/** The iterations this segment starts, in order, before the stages end. */
export function rampingArrivalRateSchedule(c: RampingArrivalRateConfig, et: ExecutionTuple): Iterable<ArrivalSlot> {
  const tuple = arrivalTuple(rarMaxVUs(c), et);
  if (!tuple) return [];
  return withinRegularDuration(rampingArrivalRateSlots(c, tuple), msToNs(sumStagesDuration(c.stages)));
}

/** The tuple whose SegmentedIndex numbers this executor's iterations. */
export function rampingArrivalRateTuple(c: RampingArrivalRateConfig, et: ExecutionTuple) {
  return arrivalTuple(rarMaxVUs(c), et);
}

export const rampingArrivalRate: ExecutorDefinition<RampingArrivalRateConfig> = {
  type: RAMPING_ARRIVAL_RATE,
  decode: newRampingArrivalRateConfig,
  validate: validateRampingArrivalRate,
  getExecutionRequirements(c, et): ExecutionStep[] {
    const { planned, maxUnplanned } = arrivalVURequirements(c.preAllocatedVUs ?? 0, rarMaxVUs(c), et);
    return [step(0, planned, maxUnplanned), step(rampingArrivalRateDurations(c).max, 0, 0)];
  },
  hasWork: (c, et) => et.scaleInt64(rarMaxVUs(c)) > 0,
  getDescription(c, et) {
    let range = `maxVUs: ${et.scaleInt64(c.preAllocatedVUs ?? 0)}`;
    if (rarMaxVUs(c) > (c.preAllocatedVUs ?? 0)) range += `-${et.scaleInt64(rarMaxVUs(c))}`;
    const maxRate = getStagesUnscaledMaxTarget(c.startRate, c.stages);
    const perSec = getArrivalRatePerSec(getScaledArrivalRate(et.segment, maxRate, c.timeUnit)).toNumber();
    return (
      `Up to ${perSec.toFixed(2)} iterations/s for ${formatDuration(sumStagesDuration(c.stages))} ` +
      `over ${c.stages.length} stages${getBaseInfo(c, range)}`
    );
  },
};
