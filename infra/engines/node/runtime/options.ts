// Option consolidation (k6 cmd/config.go + lib/options.go): the script's
// exported `options` (JSON round-tripped) under CLI-style overrides, the
// execution shortcuts turned into scenarios, and validation with k6's exit
// code 104 for invalid configurations.

import { parseDuration } from '../duration.js';
import { ExitCodeError, ExitCodes } from '../exitcodes.js';
import { ExecutionSegment, ExecutionSegmentSequence, ExecutionTuple, SegmentError } from '../segments.js';
import { DEFAULT_SUMMARY_TREND_STATS, validateTrendStats } from '../stats/trend-stats.js';
import { parseThresholdsOption, type ThresholdConfig } from '../thresholds.js';
import { ConfigError, getSortedConfigs, assertValidScenarios, type ScenarioConfigs } from '../executors/index.js';
import { getExec } from '../executors/base.js';
import {
  applyExecutionOptions,
  decodeExecutionOptions,
  deriveScenariosFromShortcuts,
  shortcutOverrideWarning,
} from '../executors/shortcuts.js';
import type { ModuleOptions } from './vu.js';

/** What a caller (the CLI) may override, like k6's command-line flags. */
export interface RunOverrides {
  vus?: number;
  /** k6 duration string or ms */
  duration?: string | number;
  iterations?: number;
  /** `{duration, target}` objects or CLI `30s:10` strings */
  stages?: unknown[];
  scenarios?: Record<string, unknown>;
  thresholds?: Record<string, unknown>;
  /** --tag: test-wide tags */
  tags?: Record<string, string>;
  summaryTrendStats?: string[];
  summaryTimeUnit?: string;
  noThresholds?: boolean;
  noSetup?: boolean;
  noTeardown?: boolean;
  executionSegment?: string;
  executionSegmentSequence?: string;
  maxRedirects?: number;
  userAgent?: string;
  discardResponseBodies?: boolean;
  throw?: boolean;
  noConnectionReuse?: boolean;
  noVUConnectionReuse?: boolean;
  insecureSkipTLSVerify?: boolean;
  setupTimeout?: string | number;
  teardownTimeout?: string | number;
  handleSummaryTimeout?: string | number;
  minIterationDuration?: string | number;
}

export interface ConsolidatedOptions {
  scenarios: ScenarioConfigs;
  thresholds: Record<string, ThresholdConfig[]>;
  noThresholds: boolean;
  tags: Record<string, string>;
  summaryTrendStats: string[];
  summaryTimeUnit: string;
  noSetup: boolean;
  noTeardown: boolean;
  tuple: ExecutionTuple;
  executionSegment: string | undefined;
  executionSegmentSequence: string | undefined;
  module: ModuleOptions;
  /** ms */
  setupTimeout: number;
  teardownTimeout: number;
  handleSummaryTimeout: number;
  minIterationDuration: number;
  /** The merged raw options (JSON), as exec.test.options shows them. */
  raw: Record<string, unknown>;
  warnings: string[];
}

/** lib.Options JSON keys; anything else is an unknown field (a warning, as in k6). */
export const KNOWN_OPTION_KEYS = new Set([
  'batch', 'batchPerHost', 'blacklistIPs', 'blockHostnames', 'cloud', 'discardResponseBodies', 'dns', 'duration',
  'executionSegment', 'executionSegmentSequence', 'ext', 'features', 'handleSummaryTimeout', 'hosts', 'httpDebug',
  'insecureSkipTLSVerify', 'iterations', 'localIPs', 'maxRedirects', 'minIterationDuration', 'noConnectionReuse',
  'noCookiesReset', 'noSetup', 'noTeardown', 'noVUConnectionReuse', 'paused', 'rps', 'scenarios', 'setupTimeout',
  'stages', 'summaryTimeUnit', 'summaryTrendStats', 'systemTags', 'tags', 'teardownTimeout', 'thresholds', 'throw',
  'tlsAuth', 'tlsCipherSuites', 'tlsVersion', 'userAgent', 'vus', 'consoleOutput', 'linger', 'noUsageReport',
]);

export const DEFAULT_USER_AGENT = 'Grafana k6/1.8.1';

function typeErr(key: string, v: unknown, goType: string): ConfigError {
  const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  return new ConfigError(`json: cannot unmarshal ${kind} into Go struct field Options.${key} of type ${goType}`);
}

function bool(raw: Record<string, unknown>, key: string): boolean | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeErr(key, v, 'bool');
  return v;
}

function int(raw: Record<string, unknown>, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeErr(key, v, 'int64');
  return v;
}

function str(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeErr(key, v, 'string');
  return v;
}

function dur(raw: Record<string, unknown>, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

function stringMap(raw: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeErr(key, v, 'map[string]string');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw typeErr(key, x, 'string');
    out[k] = x;
  }
  return out;
}

/** Options.Apply for the non-execution keys: any key set in `higher` wins. */
function applyPlain(lower: Record<string, unknown>, higher: Record<string, unknown>): Record<string, unknown> {
  const out = { ...lower };
  for (const [k, v] of Object.entries(higher)) {
    if (v === undefined) continue;
    out[k] = v;
  }
  return out;
}

const EXEC_KEYS = ['vus', 'duration', 'iterations', 'stages', 'scenarios'];

/**
 * Consolidate the script's options with overrides. `exports` is used to
 * check every scenario's exec function exists. Throws ConfigError (104).
 */
export function consolidateOptions(
  scriptOptions: Record<string, unknown> | undefined,
  overrides: RunOverrides = {},
  exportedFunctions: ReadonlySet<string> = new Set(['default']),
): ConsolidatedOptions {
  const warnings: string[] = [];
  const script = scriptOptions ?? {};
  if (typeof script !== 'object' || Array.isArray(script)) throw new ConfigError('json: cannot unmarshal options: expected an object');
  const unknown = Object.keys(script).filter((k) => !KNOWN_OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    warnings.push(`There were unknown fields in the options exported in the script: json: unknown field ${JSON.stringify(unknown[0])}`);
  }
  const cli: Record<string, unknown> = { ...overrides };

  // Execution: tiers, shortcuts, scenarios.
  const pick = (o: Record<string, unknown>) => Object.fromEntries(EXEC_KEYS.filter((k) => k in o && o[k] !== undefined).map((k) => [k, o[k]]));
  const scriptExec = decodeExecutionOptions(pick(script));
  const cliExec = decodeExecutionOptions(pick(cli));
  const w = shortcutOverrideWarning(scriptExec, cliExec, 'cli');
  if (w) warnings.push(w);
  const exec = applyExecutionOptions(scriptExec, cliExec);
  const derived = deriveScenariosFromShortcuts(exec);
  warnings.push(...derived.warnings);
  const scenarios = derived.scenarios;
  assertValidScenarios(scenarios);
  for (const c of getSortedConfigs(scenarios)) {
    const fn = getExec(c);
    if (!exportedFunctions.has(fn)) {
      throw new ConfigError(`There were problems with the specified script configuration:\n\t- executor ${c.name}: function '${fn}' not found in exports`);
    }
  }

  const merged = applyPlain(
    Object.fromEntries(Object.entries(script).filter(([k]) => !EXEC_KEYS.includes(k))),
    Object.fromEntries(Object.entries(cli).filter(([k]) => !EXEC_KEYS.includes(k))),
  );
  // Test-wide tags: CLI tags are merged over the script's (k6 replaces the map; merging is kinder and equal when only one sets them).
  const tags = { ...(stringMap(script, 'tags') ?? {}), ...(overrides.tags ?? {}) };

  let thresholds: Record<string, ThresholdConfig[]>;
  try {
    thresholds = parseThresholdsOption(merged.thresholds);
  } catch (e) {
    if (e instanceof ExitCodeError) throw e;
    throw new ConfigError((e as Error).message);
  }

  const trendStatsRaw = merged.summaryTrendStats;
  let summaryTrendStats = [...DEFAULT_SUMMARY_TREND_STATS];
  if (trendStatsRaw !== undefined && trendStatsRaw !== null) {
    if (!Array.isArray(trendStatsRaw) || trendStatsRaw.some((s) => typeof s !== 'string')) {
      throw typeErr('summaryTrendStats', trendStatsRaw, '[]string');
    }
    summaryTrendStats = trendStatsRaw as string[];
    try {
      validateTrendStats(summaryTrendStats);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }

  const segStr = str(merged, 'executionSegment');
  const seqStr = str(merged, 'executionSegmentSequence');
  let tuple: ExecutionTuple;
  try {
    const seg = segStr ? ExecutionSegment.parse(segStr) : undefined;
    const seq = seqStr !== undefined ? ExecutionSegmentSequence.parse(seqStr) : undefined;
    tuple = ExecutionTuple.create(seg, seq);
  } catch (e) {
    if (e instanceof SegmentError) throw new ConfigError(e.message);
    throw e;
  }

  const hosts = stringMap(merged, 'hosts') ?? {};
  const module: ModuleOptions = {
    maxRedirects: int(merged, 'maxRedirects') ?? 10,
    discardResponseBodies: bool(merged, 'discardResponseBodies') ?? false,
    userAgent: str(merged, 'userAgent') ?? DEFAULT_USER_AGENT,
    throw: bool(merged, 'throw') ?? false,
    noCookiesReset: bool(merged, 'noCookiesReset') ?? false,
    noConnectionReuse: bool(merged, 'noConnectionReuse') ?? false,
    noVUConnectionReuse: bool(merged, 'noVUConnectionReuse') ?? false,
    insecureSkipTLSVerify: bool(merged, 'insecureSkipTLSVerify') ?? false,
    hosts,
  };
  // Type checks for other keys the runner reads.
  bool(merged, 'noSetup');
  bool(merged, 'noTeardown');
  const summaryTimeUnit = str(merged, 'summaryTimeUnit') ?? '';
  if (!['', 's', 'ms', 'us'].includes(summaryTimeUnit)) {
    throw new ConfigError(`invalid summaryTimeUnit '${summaryTimeUnit}', only 's', 'ms' and 'us' are supported`);
  }

  // The shortcuts stay in k6's consolidated options next to the scenarios made of them:
  // vus from the highest tier setting it, the other four from the tier that won (Options.Apply).
  const scriptPicks = pick(script);
  const cliPicks = pick(cli);
  const winner = ['duration', 'iterations', 'stages', 'scenarios'].some((k) => k in cliPicks) ? cliPicks : scriptPicks;
  const shortcuts = Object.fromEntries(
    ['duration', 'iterations', 'stages'].filter((k) => k in winner).map((k) => [k, winner[k]]),
  );
  const vus = cliPicks.vus ?? scriptPicks.vus;
  const raw: Record<string, unknown> = {
    ...merged,
    ...(vus !== undefined ? { vus } : {}),
    ...shortcuts,
    scenarios: JSON.parse(JSON.stringify(scenariosAsOptions(scenarios))),
    thresholds: merged.thresholds ?? null,
    tags,
    summaryTrendStats,
    consoleOutput: null,
    localIPs: null,
  };

  return {
    scenarios,
    thresholds,
    noThresholds: overrides.noThresholds ?? false,
    tags,
    summaryTrendStats,
    summaryTimeUnit,
    noSetup: bool(merged, 'noSetup') ?? false,
    noTeardown: bool(merged, 'noTeardown') ?? false,
    tuple,
    executionSegment: segStr,
    executionSegmentSequence: seqStr,
    module,
    setupTimeout: dur(merged, 'setupTimeout') ?? 60_000,
    teardownTimeout: dur(merged, 'teardownTimeout') ?? 60_000,
    handleSummaryTimeout: dur(merged, 'handleSummaryTimeout') ?? 120_000,
    minIterationDuration: dur(merged, 'minIterationDuration') ?? 0,
    raw,
    warnings,
  };
}

/** Scenario configs in the JSON form k6 marshals them (durations as Go strings). */
function scenariosAsOptions(scenarios: ScenarioConfigs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(scenarios)) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
      if (k === 'name' || v === undefined) continue;
      o[k] = v;
    }
    out[name] = o;
  }
  return out;
}

export { ExitCodes };
