import { getExecutionPlanSummary } from '../executors/index.js';
import { Logger } from './log.js';
import { MetricsEngine } from './metrics.js';
import { initScriptVU, prepareTest, type RunOverrides } from './run.js';
import type { ExecHooks } from './vu.js';

// What `k6 inspect --execution-requirements` tells: the consolidated scenarios,
// thresholds, the most VUs any moment needs and the longest the test can last.
// Runs only the script's init code, so it sends nothing (a dry run).

export interface Inspection {
  scenarios: Record<string, unknown>;
  thresholds: string[];
  maxVUs: number;
  maxDurationMs: number;
  warnings: string[];
  /** Some exported function is a plain (not async) one: k6's blocking style (http.get, sleep). */
  blockingStyle: boolean;
}

const idle: ExecHooks = {
  abort() {},
  markFailed() {},
  testRunDurationMs: () => 0,
  fullIterations: () => 0,
  interruptedIterations: () => 0,
  activeVUs: () => 0,
  initializedVUs: () => 0,
  optionsObject: () => ({}),
};

export function inspectTest(opts: { script: string; env?: Record<string, string>; overrides?: RunOverrides }): Inspection {
  const { cons, blockingStyle } = prepareTest(opts, new Logger(() => {}, 'error'), new MetricsEngine(), idle);
  const plan = getExecutionPlanSummary(cons.scenarios, cons.tuple);
  return {
    scenarios: cons.scenarios as unknown as Record<string, unknown>,
    thresholds: Object.keys(cons.thresholds),
    maxVUs: plan.maxVUs,
    maxDurationMs: plan.maxDuration,
    warnings: cons.warnings,
    blockingStyle,
  };
}

/**
 * What the init of VU `vu` exports (0: the init k6 reads options from): its
 * `options` before k6 consolidates them, and the exported names; throws the
 * script's own error when its init code fails.
 */
export function scriptExports(opts: { script: string; env?: Record<string, string>; vu?: number }): { options: unknown; names: string[] } {
  const { vu } = initScriptVU(opts, new Logger(() => {}, 'error'), new MetricsEngine(), idle, opts.vu ?? 0);
  return { options: vu.exports.options, names: Object.keys(vu.exports).sort() };
}
