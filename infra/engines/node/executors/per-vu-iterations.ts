// per-vu-iterations (k6 lib/executor/per_vu_iterations.go): every VU runs
// the same number of iterations. Segmenting scales only the VUs; scaling the
// per-VU count too would shrink the work quadratically.

import { formatDuration } from '../duration.js';
import type { ExecutionTuple } from '../segments.js';
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

export const PER_VU_ITERATIONS = 'per-vu-iterations';

export const perVUIterationsSchema = executorSchema({
  vus: nullInt.optional(),
  iterations: nullInt.optional(),
  maxDuration: nullDuration.optional(),
});

export interface PerVUIterationsConfig extends BaseConfig {
  executor: typeof PER_VU_ITERATIONS;
  /** default 1 */
  vus: number;
  /** per VU, unscaled; default 1 */
  iterations: number;
  /** ms; default 10m */
  maxDuration: number;
}

export function newPerVUIterationsConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(perVUIterationsSchema, raw);
  if (!r.ok) return r;
  const value: PerVUIterationsConfig = {
    ...baseFrom(name, PER_VU_ITERATIONS, r.value),
    vus: r.value.vus ?? 1,
    iterations: r.value.iterations ?? 1,
    maxDuration: r.value.maxDuration ?? 600_000,
  };
  return { ok: true as const, value };
}

export function validatePerVUIterations(c: PerVUIterationsConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push('the number of VUs must be more than 0');
  if (c.iterations <= 0) errors.push('the number of iterations must be more than 0');
  if (c.maxDuration < MIN_DURATION_MS) {
    errors.push(
      `the maxDuration must be at least ${formatDuration(MIN_DURATION_MS)}, but is ${formatDuration(c.maxDuration)}`,
    );
  }
  return errors;
}

/** This segment's VUs and the (unscaled) iterations each of them runs. */
export function perVUIterationsPlan(c: PerVUIterationsConfig, et: ExecutionTuple) {
  return { vus: et.scaleInt64(c.vus), iterationsPerVU: c.iterations };
}

/**
 * When maxDuration ends, k6 emits one dropped_iterations sample per VU with
 * the iterations that VU had not started.
 */
export function perVUIterationsDropped(c: PerVUIterationsConfig, startedByVU: number): number {
  return Math.max(0, c.iterations - startedByVU);
}

export function perVUIterationsDurations(c: PerVUIterationsConfig): { regular: number; max: number } {
  return { regular: c.maxDuration, max: c.maxDuration + c.gracefulStop };
}

export const perVUIterations: ExecutorDefinition<PerVUIterationsConfig> = {
  type: PER_VU_ITERATIONS,
  decode: newPerVUIterationsConfig,
  validate: validatePerVUIterations,
  getExecutionRequirements(c, et): ExecutionStep[] {
    return [step(0, perVUIterationsPlan(c, et).vus), step(perVUIterationsDurations(c).max, 0)];
  },
  hasWork: (c, et) => et.scaleInt64(c.vus) > 0 && c.iterations > 0,
  getDescription: (c, et) =>
    `${c.iterations} iterations for each of ${et.scaleInt64(c.vus)} VUs` +
    getBaseInfo(c, `maxDuration: ${formatDuration(c.maxDuration)}`),
};
