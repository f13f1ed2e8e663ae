// shared-iterations (k6 lib/executor/shared_iterations.go): a total number of
// iterations pulled by a pool of VUs until done or maxDuration.

import { formatDuration } from '../duration.js';
import { type ExecutionTuple, SegmentError } from '../segments.js';
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

export const SHARED_ITERATIONS = 'shared-iterations';

export const sharedIterationsSchema = executorSchema({
  vus: nullInt.optional(),
  iterations: nullInt.optional(),
  maxDuration: nullDuration.optional(),
});

export interface SharedIterationsConfig extends BaseConfig {
  executor: typeof SHARED_ITERATIONS;
  /** default 1 */
  vus: number;
  /** total; default 1 */
  iterations: number;
  /** ms; default 10m */
  maxDuration: number;
}

export function newSharedIterationsConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(sharedIterationsSchema, raw);
  if (!r.ok) return r;
  const value: SharedIterationsConfig = {
    ...baseFrom(name, SHARED_ITERATIONS, r.value),
    vus: r.value.vus ?? 1,
    iterations: r.value.iterations ?? 1,
    maxDuration: r.value.maxDuration ?? 600_000,
  };
  return { ok: true as const, value };
}

export function validateSharedIterations(c: SharedIterationsConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push('the number of VUs must be more than 0');
  if (c.iterations < c.vus) {
    errors.push(`the number of iterations (${c.iterations}) can't be less than the number of VUs (${c.vus})`);
  }
  if (c.maxDuration < MIN_DURATION_MS) {
    errors.push(
      `the maxDuration must be at least ${formatDuration(MIN_DURATION_MS)}, but is ${formatDuration(c.maxDuration)}`,
    );
  }
  return errors;
}

/**
 * The tuple this executor stripes its iterations with: the sequence is first
 * re-segmented by the VU count, so an instance that gets no VUs gets no
 * iterations either. Undefined when this segment has no share.
 */
export function sharedIterationsTuple(c: SharedIterationsConfig, et: ExecutionTuple): ExecutionTuple | undefined {
  try {
    return et.getNewExecutionTupleFromValue(c.vus);
  } catch (e) {
    if (e instanceof SegmentError) return undefined;
    throw e;
  }
}

/** This segment's VUs and total iterations (GetVUs / GetIterations). */
export function sharedIterationsPlan(c: SharedIterationsConfig, et: ExecutionTuple) {
  const tuple = sharedIterationsTuple(c, et);
  return { vus: et.scaleInt64(c.vus), iterations: tuple ? tuple.scaleInt64(c.iterations) : 0 };
}

/** At maxDuration k6 emits a single dropped_iterations sample of total − attempted. */
export function sharedIterationsDropped(totalIterations: number, attempted: number): number {
  return Math.max(0, totalIterations - attempted);
}

export function sharedIterationsDurations(c: SharedIterationsConfig): { regular: number; max: number } {
  return { regular: c.maxDuration, max: c.maxDuration + c.gracefulStop };
}

export const sharedIterations: ExecutorDefinition<SharedIterationsConfig> = {
  type: SHARED_ITERATIONS,
  decode: newSharedIterationsConfig,
  validate: validateSharedIterations,
  getExecutionRequirements(c, et): ExecutionStep[] {
    const vus = et.scaleInt64(c.vus);
    if (vus === 0) return [step(0, 0)];
    return [step(0, vus), step(sharedIterationsDurations(c).max, 0)];
  },
  hasWork(c, et) {
    const p = sharedIterationsPlan(c, et);
    return p.vus > 0 && p.iterations > 0;
  },
  getDescription(c, et) {
    const p = sharedIterationsPlan(c, et);
    return (
      `${p.iterations} iterations shared among ${p.vus} VUs` +
      getBaseInfo(c, `maxDuration: ${formatDuration(c.maxDuration)}`)
    );
  },
};
