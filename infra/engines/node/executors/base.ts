// Common scenario keys and checks (k6 lib/executor/base_config.go) plus the
// shape every executor module exports, mirroring lib.ExecutorConfig.

import { z } from 'zod';
import { formatDuration } from '../duration.js';
import type { ExecutionTuple } from '../segments.js';
import { anyValue, type DecodeResult, nullDuration, nullString, stringMap } from './fields.js';

export const DEFAULT_GRACEFUL_STOP_MS = 30_000;
/** Smallest duration/maxDuration k6 accepts (stages may still be 0s). */
export const MIN_DURATION_MS = 1_000;
export const DEFAULT_EXEC = 'default';

export const SCENARIO_NAME_RE = /^[0-9a-zA-Z_-]+$/;
export const SCENARIO_NAME_ERR =
  'the scenario name should contain only numbers, latin letters, underscores, and dashes';

export type ExecutorType =
  | 'shared-iterations'
  | 'per-vu-iterations'
  | 'constant-vus'
  | 'ramping-vus'
  | 'constant-arrival-rate'
  | 'ramping-arrival-rate';

export interface BaseConfig {
  name: string;
  executor: ExecutorType;
  /** ms */
  startTime: number;
  /** ms */
  gracefulStop: number;
  env: Record<string, string> | undefined;
  /** undefined = not set (runs `default`); '' is a validation error. */
  exec: string | undefined;
  tags: Record<string, string> | undefined;
  /** Browser scenario options; passed through untouched. */
  options: unknown;
}

/** Keys shared by every executor's strict schema. */
export const baseFields = {
  executor: nullString.optional(),
  startTime: nullDuration.optional(),
  gracefulStop: nullDuration.optional(),
  env: stringMap.optional(),
  exec: nullString.optional(),
  tags: stringMap.optional(),
  options: anyValue.optional(),
};

type BaseDecoded = {
  startTime?: number | undefined;
  gracefulStop?: number | undefined;
  env?: Record<string, string> | undefined;
  exec?: string | undefined;
  tags?: Record<string, string> | undefined;
  options?: unknown;
};

/** NewBaseConfig defaults applied over decoded values. */
export function baseFrom<T extends ExecutorType>(name: string, executor: T, d: BaseDecoded): BaseConfig & { executor: T } {
  return {
    name,
    executor,
    startTime: d.startTime ?? 0,
    gracefulStop: d.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS,
    env: d.env,
    exec: d.exec,
    tags: d.tags,
    options: d.options,
  };
}

/** BaseConfig.Validate. */
export function validateBase(c: BaseConfig): string[] {
  const errors: string[] = [];
  if (c.name === '') errors.push("scenario name can't be empty");
  if (!SCENARIO_NAME_RE.test(c.name)) errors.push(SCENARIO_NAME_ERR);
  if (c.exec !== undefined && c.exec === '') errors.push('exec value cannot be empty');
  if ((c.executor as string) === '') errors.push('missing or empty type field');
  if (c.startTime < 0) errors.push("the startTime can't be negative");
  if (c.gracefulStop < 0) errors.push("the gracefulStop timeout can't be negative");
  return errors;
}

export function getExec(c: BaseConfig): string {
  return c.exec || DEFAULT_EXEC;
}

/** The " (exec: x, startTime: 1s, gracefulStop: 30s)" suffix of descriptions. */
export function getBaseInfo(c: BaseConfig, ...facts: string[]): string {
  const all = [...facts];
  if (c.exec !== undefined) all.push(`exec: ${c.exec}`);
  if (c.startTime > 0) all.push(`startTime: ${formatDuration(c.startTime)}`);
  if (c.gracefulStop > 0) all.push(`gracefulStop: ${formatDuration(c.gracefulStop)}`);
  return all.length === 0 ? '' : ` (${all.join(', ')})`;
}

/**
 * lib.ExecutionStep: from `timeOffset` (ms, relative to the executor start)
 * on, the executor needs `plannedVUs` initialized VUs plus up to
 * `maxUnplannedVUs` more that it may initialize mid-test.
 */
export interface ExecutionStep {
  timeOffset: number;
  plannedVUs: number;
  maxUnplannedVUs: number;
}

export function step(timeOffset: number, plannedVUs: number, maxUnplannedVUs = 0): ExecutionStep {
  return { timeOffset, plannedVUs, maxUnplannedVUs };
}

/** What each executor module exports, like k6's registered config types. */
export interface ExecutorDefinition<C extends BaseConfig = BaseConfig> {
  readonly type: C['executor'];
  /** Strict decoding with k6 defaults; unknown keys are errors. */
  decode(name: string, raw: Record<string, unknown>): DecodeResult<C>;
  /** k6's Validate(): every problem, in k6's order and wording. */
  validate(config: C): string[];
  /** VU reservations over time for this segment (startTime excluded). */
  getExecutionRequirements(config: C, et: ExecutionTuple): ExecutionStep[];
  hasWork(config: C, et: ExecutionTuple): boolean;
  getDescription(config: C, et: ExecutionTuple): string;
}

/** Builds a strict zod object of the base keys plus executor-specific ones. */
export function executorSchema<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject({ ...baseFields, ...shape });
}
