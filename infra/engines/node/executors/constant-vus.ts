// constant-vus (k6 lib/executor/constant_vus.go): a fixed number of looping
// VUs for a fixed duration.

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

export const CONSTANT_VUS = 'constant-vus';

export const constantVUsSchema = executorSchema({
  vus: nullInt.optional(),
  duration: nullDuration.optional(),
});

export interface ConstantVUsConfig extends BaseConfig {
  executor: typeof CONSTANT_VUS;
  /** default 1 */
  vus: number;
  /** ms; required */
  duration: number | undefined;
}

export function newConstantVUsConfig(name: string, raw: Record<string, unknown> = {}) {
  const r = decodeStrict(constantVUsSchema, raw);
  if (!r.ok) return r;
  const value: ConstantVUsConfig = {
    ...baseFrom(name, CONSTANT_VUS, r.value),
    vus: r.value.vus ?? 1,
    duration: r.value.duration,
  };
  return { ok: true as const, value };
}

export function validateConstantVUs(c: ConstantVUsConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push('the number of VUs must be more than 0');
  if (c.duration === undefined) errors.push('the duration is unspecified');
  else if (c.duration < MIN_DURATION_MS) {
    errors.push(`the duration must be at least ${formatDuration(MIN_DURATION_MS)}, but is ${formatDuration(c.duration)}`);
  }
  return errors;
}

export function constantVUsPlannedVUs(c: ConstantVUsConfig, et: ExecutionTuple): number {
  return et.scaleInt64(c.vus);
}

/** Iterations may start until `regular`; running ones are interrupted at `max`. */
export function constantVUsDurations(c: ConstantVUsConfig): { regular: number; max: number } {
  const regular = c.duration ?? 0;
  return { regular, max: regular + c.gracefulStop };
}

export const constantVUs: ExecutorDefinition<ConstantVUsConfig> = {
  type: CONSTANT_VUS,
  decode: newConstantVUsConfig,
  validate: validateConstantVUs,
  getExecutionRequirements(c, et): ExecutionStep[] {
    return [step(0, constantVUsPlannedVUs(c, et)), step(constantVUsDurations(c).max, 0)];
  },
  hasWork: (c, et) => constantVUsPlannedVUs(c, et) > 0,
  getDescription: (c, et) =>
    `${constantVUsPlannedVUs(c, et)} looping VUs for ${formatDuration(c.duration ?? 0)}${getBaseInfo(c)}`,
};
