// Top-level shortcut options (`vus`, `duration`, `iterations`, `stages`) and
// how they become scenarios (k6 v1.x execution_config_shortcuts.go, and the
// tier precedence of lib.Options.Apply).

import type { z } from 'zod';
import { nsToMs, parseGoDuration } from '../duration.js';
import { parseGoInt } from '../gofmt.js';
import { nullDuration, nullInt, type Stage } from './fields.js';
import { ConfigError, parseScenarios, type ScenarioConfigs } from './index.js';
import { newConstantVUsConfig } from './constant-vus.js';
import { newPerVUIterationsConfig } from './per-vu-iterations.js';
import { newRampingVUsConfig } from './ramping-vus.js';
import { newSharedIterationsConfig } from './shared-iterations.js';

export const DEFAULT_SCENARIO_NAME = 'default';

/** The execution-related options of one config tier, decoded. */
export interface ExecutionOptions {
  vus?: number | undefined;
  /** ms */
  duration?: number | undefined;
  iterations?: number | undefined;
  /** undefined = not set; [] = explicitly set to empty. */
  stages?: Stage[] | undefined;
  /** Raw scenario objects; undefined = not set; {} = explicitly empty. */
  scenarios?: Record<string, unknown> | undefined;
}

/** ExecutionConflictError: always an invalid config (exit 104). */
export class ExecutionConflictError extends ConfigError {}

function decodeField<S extends z.ZodType>(schema: S, v: unknown): z.output<S> {
  const r = schema.safeParse(v);
  if (!r.success) throw new ConfigError(r.error.issues[0]?.message ?? 'invalid option');
  return r.data;
}

/**
 * lib.Stage from an options object (decoded leniently: unknown keys are
 * ignored there) or from the CLI's `30s:10` form (plain Go durations).
 */
export function parseTopLevelStage(raw: unknown): Stage {
  if (typeof raw === 'string') {
    const colon = raw.indexOf(':');
    const durStr = colon < 0 ? raw : raw.slice(0, colon);
    const targetStr = colon < 0 ? '' : raw.slice(colon + 1);
    const stage: Stage = { duration: undefined, target: undefined };
    try {
      if (durStr !== '') stage.duration = nsToMs(Number(parseGoDuration(durStr)));
      if (targetStr !== '') stage.target = parseGoInt(targetStr);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    return stage;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('json: cannot unmarshal stage: expected an object');
  }
  const o = raw as Record<string, unknown>;
  return { duration: decodeField(nullDuration, o.duration), target: decodeField(nullInt, o.target) };
}

/** Decode the raw execution options of a tier (script `options`, env, CLI...). */
export function decodeExecutionOptions(raw: Record<string, unknown>): ExecutionOptions {
  const out: ExecutionOptions = {};
  if ('vus' in raw) out.vus = decodeField(nullInt, raw.vus);
  if ('duration' in raw) out.duration = decodeField(nullDuration, raw.duration);
  if ('iterations' in raw) out.iterations = decodeField(nullInt, raw.iterations);
  if ('stages' in raw && raw.stages !== null && raw.stages !== undefined) {
    if (!Array.isArray(raw.stages)) throw new ConfigError('json: cannot unmarshal stages: expected an array');
    out.stages = raw.stages.map(parseTopLevelStage);
  }
  if ('scenarios' in raw && raw.scenarios !== null && raw.scenarios !== undefined) {
    if (typeof raw.scenarios !== 'object' || Array.isArray(raw.scenarios)) {
      throw new ConfigError('json: cannot unmarshal scenarios: expected an object');
    }
    out.scenarios = raw.scenarios as Record<string, unknown>;
  }
  return out;
}

/**
 * Options.Apply for the execution keys: `higher` wins key by key, but if it
 * sets any of duration/iterations/stages/scenarios, all four are first wiped
 * from `lower`. Stages without a duration are dropped.
 */
export function applyExecutionOptions(lower: ExecutionOptions, higher: ExecutionOptions): ExecutionOptions {
  const o: ExecutionOptions = { ...lower };
  if (higher.vus !== undefined) o.vus = higher.vus;
  if (
    higher.duration !== undefined ||
    higher.iterations !== undefined ||
    higher.stages !== undefined ||
    higher.scenarios !== undefined
  ) {
    o.duration = undefined;
    o.iterations = undefined;
    o.stages = undefined;
    o.scenarios = undefined;
  }
  if (higher.duration !== undefined) o.duration = higher.duration;
  if (higher.iterations !== undefined) o.iterations = higher.iterations;
  if (higher.stages !== undefined) o.stages = higher.stages.filter((s) => s.duration !== undefined);
  if (higher.scenarios !== undefined) o.scenarios = higher.scenarios;
  return o;
}

/** warnOnShortHandOverride's message, when a tier replaces earlier scenarios. */
export function shortcutOverrideWarning(lower: ExecutionOptions, higher: ExecutionOptions, tierName: string) {
  if (
    lower.scenarios !== undefined &&
    (higher.duration !== undefined ||
      higher.iterations !== undefined ||
      higher.stages !== undefined ||
      higher.scenarios !== undefined)
  ) {
    return `${JSON.stringify(tierName)} level configuration overrode scenarios configuration entirely`;
  }
  return undefined;
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new ConfigError(r.error);
  return r.value;
}

/**
 * DeriveScenariosFromShortcuts (k6 v1.x): turn the consolidated options into
 * scenarios, or fail on conflicting combinations. Bare `vus` alone is ignored
 * with a warning (v2.1+ behaves differently; not modelled).
 */
export function deriveScenariosFromShortcuts(opts: ExecutionOptions): {
  scenarios: ScenarioConfigs;
  warnings: string[];
} {
  const warnings: string[] = [];
  const conflict = (a: string, b: string) =>
    new ExecutionConflictError(`using \`${a}\` and \`${b}\` options simultaneously is not allowed`);
  const hasStages = (opts.stages?.length ?? 0) > 0;
  // The CLI default for --vus is 1 (not "set"), which is what shortcuts get.
  const vus = opts.vus ?? 1;

  if (opts.iterations !== undefined) {
    if (hasStages) throw conflict('iterations', 'stages');
    if (opts.scenarios !== undefined) throw conflict('iterations', 'scenarios');
    const raw: Record<string, unknown> = { executor: 'shared-iterations', vus, iterations: opts.iterations };
    if (opts.duration !== undefined) raw.maxDuration = opts.duration;
    return { scenarios: { [DEFAULT_SCENARIO_NAME]: must(newSharedIterationsConfig(DEFAULT_SCENARIO_NAME, raw)) }, warnings };
  }
  if (opts.duration !== undefined) {
    if (hasStages) throw conflict('duration', 'stages');
    if (opts.scenarios !== undefined) throw conflict('duration', 'scenarios');
    if (opts.duration <= 0) {
      throw new ExecutionConflictError(
        '`duration` option should be more than 0, for infinite duration use the externally-controlled executor',
      );
    }
    const c = must(newConstantVUsConfig(DEFAULT_SCENARIO_NAME, { executor: 'constant-vus', vus, duration: opts.duration }));
    return { scenarios: { [DEFAULT_SCENARIO_NAME]: c }, warnings };
  }
  if (hasStages) {
    if (opts.scenarios !== undefined) throw conflict('stages', 'scenarios');
    const c = must(newRampingVUsConfig(DEFAULT_SCENARIO_NAME, { executor: 'ramping-vus', startVUs: vus }));
    c.stages = opts.stages!.filter((s) => s.duration !== undefined).map((s) => ({ ...s }));
    return { scenarios: { [DEFAULT_SCENARIO_NAME]: c }, warnings };
  }
  if (opts.scenarios !== undefined && Object.keys(opts.scenarios).length > 0) {
    return { scenarios: parseScenarios(opts.scenarios)!, warnings };
  }
  if (opts.vus !== undefined && opts.vus !== 1) {
    warnings.push(
      `\`vus=${opts.vus}\` option will be ignored, it only works in conjunction with \`iterations\`, \`duration\`, or \`stages\``,
    );
  }
  if (opts.stages !== undefined && opts.stages.length === 0) {
    warnings.push('`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU');
  }
  if (opts.scenarios !== undefined && Object.keys(opts.scenarios).length === 0) {
    warnings.push('`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU');
  }
  return { scenarios: { [DEFAULT_SCENARIO_NAME]: must(newPerVUIterationsConfig(DEFAULT_SCENARIO_NAME)) }, warnings };
}
