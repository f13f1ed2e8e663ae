// Scenario registry: decoding `scenarios`, validating them, and combining
// their VU requirements (k6 lib/executors.go).

import { ExitCodeError, ExitCodes } from '../exitcodes.js';
import type { ExecutionTuple } from '../segments.js';
import type { BaseConfig, ExecutionStep, ExecutorDefinition } from './base.js';
import { type ConstantArrivalRateConfig, constantArrivalRate } from './constant-arrival-rate.js';
import { type ConstantVUsConfig, constantVUs } from './constant-vus.js';
import { getEndOffset, getMaxPossibleVUs } from './helpers.js';
import { type PerVUIterationsConfig, perVUIterations } from './per-vu-iterations.js';
import { type RampingArrivalRateConfig, rampingArrivalRate } from './ramping-arrival-rate.js';
import { type RampingVUsConfig, rampingVUs } from './ramping-vus.js';
import { type SharedIterationsConfig, sharedIterations } from './shared-iterations.js';

export type ScenarioConfig =
  | SharedIterationsConfig
  | PerVUIterationsConfig
  | ConstantVUsConfig
  | RampingVUsConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig;

export type ScenarioConfigs = Record<string, ScenarioConfig>;

const definitions = {
  'shared-iterations': sharedIterations,
  'per-vu-iterations': perVUIterations,
  'constant-vus': constantVUs,
  'ramping-vus': rampingVUs,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
} as const;

/** The executor module for a config, typed loosely for generic callers. */
export function definitionOf(c: ScenarioConfig): ExecutorDefinition<ScenarioConfig> {
  return definitions[c.executor] as unknown as ExecutorDefinition<ScenarioConfig>;
}

/** Invalid configuration: k6 exits with 104. */
export class ConfigError extends ExitCodeError {
  constructor(message: string) {
    super(message, ExitCodes.InvalidConfig);
  }
}

/**
 * GetParsedExecutorConfig: decode one scenario strictly.
 * Throws ConfigError for unknown executors or undecodable input.
 */
export function parseScenarioConfig(name: string, raw: unknown): ScenarioConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`json: cannot unmarshal scenario '${name}'`);
  }
  const type = (raw as { executor?: unknown }).executor;
  if (type === undefined || type === null || type === '') {
    throw new ConfigError(`scenario '${name}' doesn't have a specified executor type`);
  }
  if (typeof type !== 'string') {
    throw new ConfigError(`json: cannot unmarshal ${typeof type} into Go struct field .executor of type string`);
  }
  const def = (definitions as Record<string, ExecutorDefinition<ScenarioConfig>>)[type];
  if (!def) throw new ConfigError(`unknown executor type '${type}'`);
  const res = def.decode(name, raw as Record<string, unknown>);
  if (!res.ok) throw new ConfigError(res.error);
  return res.value;
}

/** ScenarioConfigs.UnmarshalJSON. `null`/undefined means "not set". */
export function parseScenarios(raw: unknown): ScenarioConfigs | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('json: cannot unmarshal scenarios: expected an object');
  }
  const out: ScenarioConfigs = {};
  for (const [name, v] of Object.entries(raw)) out[name] = parseScenarioConfig(name, v);
  return out;
}

/** ScenarioConfigs.Validate: one line per broken scenario. */
export function validateScenarios(scenarios: ScenarioConfigs): string[] {
  const errors: string[] = [];
  for (const [name, c] of Object.entries(scenarios)) {
    const errs = definitionOf(c).validate(c);
    if (errs.length > 0) errors.push(`scenario ${name} has configuration errors: ${errs.join(', ')}`);
  }
  return errors;
}

/** consolidateErrorMessage, as printed when config validation fails. */
export function formatConfigErrors(errors: string[]): string {
  return ['There were problems with the specified script configuration:', ...errors.map((e) => `\t- ${e}`)].join(
    '\n',
  );
}

/** Validate and throw a 104 ConfigError with k6's combined message. */
export function assertValidScenarios(scenarios: ScenarioConfigs): void {
  const errors = validateScenarios(scenarios);
  if (errors.length > 0) throw new ConfigError(formatConfigErrors(errors));
}

/** GetSortedConfigs: by startTime, then name. */
export function getSortedConfigs(scenarios: ScenarioConfigs): ScenarioConfig[] {
  return Object.values(scenarios).sort((a, b) =>
    a.startTime !== b.startTime ? a.startTime - b.startTime : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

/**
 * GetFullExecutionRequirements: every executor's steps shifted by its
 * startTime, merged into one timeline of summed VU needs.
 */
export function getFullExecutionRequirements(scenarios: ScenarioConfigs, et: ExecutionTuple): ExecutionStep[] {
  const sorted = getSortedConfigs(scenarios);
  const tracked: { s: ExecutionStep; id: number }[] = [];
  sorted.forEach((c, id) => {
    for (const s of definitionOf(c).getExecutionRequirements(c, et)) {
      tracked.push({ s: { ...s, timeOffset: s.timeOffset + c.startTime }, id });
    }
  });
  tracked.sort((a, b) => (a.s.timeOffset === b.s.timeOffset ? a.id - b.id : a.s.timeOffset - b.s.timeOffset));
  const planned = new Array<number>(sorted.length).fill(0);
  const unplanned = new Array<number>(sorted.length).fill(0);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const out: ExecutionStep[] = [];
  for (const { s, id } of tracked) {
    planned[id] = s.plannedVUs;
    unplanned[id] = s.maxUnplannedVUs;
    const p = sum(planned);
    const u = sum(unplanned);
    const last = out[out.length - 1];
    if (!last || last.plannedVUs !== p || last.maxUnplannedVUs !== u) {
      out.push({ timeOffset: s.timeOffset, plannedVUs: p, maxUnplannedVUs: u });
    }
  }
  return out;
}

/** Test-wide limits: how many VUs to be able to hold and the longest possible run (ms). */
export function getExecutionPlanSummary(scenarios: ScenarioConfigs, et: ExecutionTuple) {
  const steps = getFullExecutionRequirements(scenarios, et);
  return { steps, maxVUs: getMaxPossibleVUs(steps), maxDuration: getEndOffset(steps).offset };
}

export type { BaseConfig, ExecutionStep, ExecutorDefinition };
