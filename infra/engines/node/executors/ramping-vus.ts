// ramping-vus (k6 lib/executor/ramping_vus.go): looping VUs whose number
// follows linear stages. The schedule is a list of execution steps.

import { formatDuration, msToNs, nsToMs } from '../duration.js';
import { type ExecutionTuple, SegmentedIndex } from '../segments.js';
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
import { getEndOffset, getMaxPlannedVUs, getStagesUnscaledMaxTarget, sumStagesDuration, validateStages } from './helpers.js';

export const RAMPING_VUS = 'ramping-vus';
/** Sanity cap k6 applies to startVUs and targets. */
export const MAX_CONCURRENT_VUS = 100_000_000;

export const rampingVUsSchema = executorSchema({
  startVUs: nullInt.optional(),
  stages: stages.optional(),
  gracefulRampDown: nullDuration.optional(),
});

export interface RampingVUsConfig extends BaseConfig {
  executor: typeof RAMPING_VUS;
  /** default 1 */
  startVUs: number;
  /** required, at least one */
  stages: Stage[];
  /** ms; default 30s */
  gracefulRampDown: number;
}

export function newRampingVUsConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(rampingVUsSchema, raw);
  if (!r.ok) return r;
  const value: RampingVUsConfig = {
    ...baseFrom(name, RAMPING_VUS, r.value),
    startVUs: r.value.startVUs ?? 1,
    stages: r.value.stages ?? [],
    gracefulRampDown: r.value.gracefulRampDown ?? 30_000,
  };
  return { ok: true as const, value };
}

export function validateRampingVUs(c: RampingVUsConfig): string[] {
  const errors = validateBase(c);
  if (c.startVUs < 0) errors.push("the number of start VUs can't be negative");
  if (getStagesUnscaledMaxTarget(c.startVUs, c.stages) <= 0) {
    errors.push("either startVUs or one of the stages' target values must be greater than 0");
  }
  errors.push(...validateStages(c.stages));
  if (c.startVUs > MAX_CONCURRENT_VUS) errors.push(`the startVUs exceed max limit of ${MAX_CONCURRENT_VUS}`);
  c.stages.forEach((s, i) => {
    if ((s.target ?? 0) > MAX_CONCURRENT_VUS) {
      errors.push(`target for stage ${i + 1} exceeds max limit of ${MAX_CONCURRENT_VUS}`);
    }
  });
  return errors;
}

// int64(stageDuration) * a / b with Go's truncating division; BigInt because
// ns × VUs overflows 2^53 quickly.
function mulDiv(durNs: number, a: number, b: number): number {
  return Number((BigInt(durNs) * BigInt(a)) / BigInt(b));
}

interface NsStep {
  t: number;
  vus: number;
}

/**
 * getRawExecutionSteps: VUs this segment should run at every moment, before
 * graceful ramp-down and end-of-executor handling. Within a stage the global
 * target is linear; on the way up global VU n starts when the line reaches n
 * (floor), on the way down it stops when the line reaches n−1 (ceil); a
 * 0-duration stage jumps. The segment follows the global line through its own
 * striped VU numbers, so the per-segment steps sum to the global ones.
 */
function rawStepsNs(c: RampingVUsConfig, et: ExecutionTuple, zeroEnd: boolean): NsStep[] {
  const index = new SegmentedIndex(et);
  let fromVUs = c.startVUs;
  let timeTillEnd = 0;
  let [scaled, unscaled] = index.goTo(fromVUs);
  const steps: NsStep[] = [{ t: 0, vus: scaled }];
  const add = (t: number, vus: number) => {
    if (steps[steps.length - 1]!.vus !== vus) steps.push({ t, vus });
  };
  for (const stage of c.stages) {
    const endVUs = stage.target ?? 0;
    const dur = msToNs(stage.duration ?? 0);
    timeTillEnd += dur;
    const diff = endVUs - fromVUs;
    if (diff === 0) continue;
    if (dur === 0) {
      [scaled, unscaled] = index.goTo(endVUs);
      add(timeTillEnd, scaled);
      fromVUs = endVUs;
      continue;
    }
    if (unscaled > endVUs) {
      // Ramp down: global VU `unscaled` stops when the line reaches unscaled-1.
      for (; unscaled > endVUs; [scaled, unscaled] = index.prev()) {
        add(timeTillEnd - mulDiv(dur, endVUs - unscaled + 1, diff), scaled - 1);
      }
    } else {
      for (; unscaled <= endVUs; [scaled, unscaled] = index.next()) {
        add(timeTillEnd - mulDiv(dur, endVUs - unscaled, diff), scaled);
      }
    }
    fromVUs = endVUs;
  }
  if (zeroEnd && steps[steps.length - 1]!.vus !== 0) steps.push({ t: timeTillEnd, vus: 0 });
  return steps;
}

/**
 * reserveVUsForGracefulRampDowns: when VUs are ramped down they may finish
 * their iteration for up to gracefulRampDown, so keep them reserved for that
 * long unless the plan climbs back to that level within the window. Never
 * adds steps at or after the executor end offset.
 */
function reserveForGracefulRampDowns(c: RampingVUsConfig, raw: NsStep[], endNs: number): NsStep[] {
  const period = msToNs(c.gracefulRampDown);
  const out: NsStep[] = [];
  let lastPlanned = 0;
  let lastDownwardSlopeStep = 0;
  for (let n = 0; n < raw.length; n++) {
    const r = raw[n]!;
    if (n === 0 || r.vus > lastPlanned) {
      out.push(r);
      lastPlanned = r.vus;
      continue;
    }
    if (r.vus === lastPlanned) continue;
    let skipped = false;
    const withTimeout = r.t + period;
    let wasRampingDown = true;
    for (let adv = Math.max(lastDownwardSlopeStep, n + 1); adv < raw.length; adv++) {
      const a = raw[adv]!;
      if (a.t > withTimeout) break;
      if (a.vus >= lastPlanned) {
        n = adv - 1;
        skipped = true;
        break;
      }
      if (wasRampingDown) {
        if (raw[adv - 1]!.vus > a.vus) lastDownwardSlopeStep = adv;
        else wasRampingDown = false;
      }
    }
    if (skipped) continue;
    if (withTimeout >= endNs) break;
    out.push({ t: withTimeout, vus: r.vus });
    lastPlanned = r.vus;
  }
  return out;
}

const toSteps = (s: NsStep[]): ExecutionStep[] => s.map((x) => step(nsToMs(x.t), x.vus));

/** Raw execution steps (ms offsets); `zeroEnd` appends the drop to 0 VUs at the end of the stages. */
export function rampingVUsRawExecutionSteps(c: RampingVUsConfig, et: ExecutionTuple, zeroEnd: boolean): ExecutionStep[] {
  return toSteps(rawStepsNs(c, et, zeroEnd));
}

/**
 * GetExecutionRequirements: raw steps plus graceful ramp-down reservations,
 * ending with 0 VUs at sum(stages) + gracefulStop. gracefulStop may cut
 * ramp-down reservations short; a longer gracefulRampDown only matters if
 * the last stage does not end at 0 VUs.
 */
function requirementsNs(c: RampingVUsConfig, et: ExecutionTuple): NsStep[] {
  let steps = rawStepsNs(c, et, false);
  const endNs = msToNs(sumStagesDuration(c.stages)) + msToNs(c.gracefulStop);
  if (c.gracefulRampDown > 0) steps = reserveForGracefulRampDowns(c, steps, endNs);
  if (steps[steps.length - 1]!.vus !== 0) steps.push({ t: endNs, vus: 0 });
  return steps;
}

/**
 * How the executor runs: new iterations may start until `regular` (the end of
 * the raw steps, which can come before the end of the stages when this
 * segment's share drops to 0 early) and running ones are cut at `max`.
 */
export function rampingVUsDurations(c: RampingVUsConfig, et: ExecutionTuple): { regular: number; max: number } {
  return {
    regular: getEndOffset(rampingVUsRawExecutionSteps(c, et, true)).offset,
    max: getEndOffset(toSteps(requirementsNs(c, et))).offset,
  };
}

export const rampingVUs: ExecutorDefinition<RampingVUsConfig> = {
  type: RAMPING_VUS,
  decode: newRampingVUsConfig,
  validate: validateRampingVUs,
  getExecutionRequirements: (c, et) => toSteps(requirementsNs(c, et)),
  hasWork: (c, et) => getMaxPlannedVUs(toSteps(requirementsNs(c, et))) > 0,
  getDescription(c, et) {
    const maxVUs = et.scaleInt64(getStagesUnscaledMaxTarget(c.startVUs, c.stages));
    return (
      `Up to ${maxVUs} looping VUs for ${formatDuration(sumStagesDuration(c.stages))} over ${c.stages.length} stages` +
      getBaseInfo(c, `gracefulRampDown: ${formatDuration(c.gracefulRampDown)}`)
    );
  },
};
