// runTest: one k6-compatible test run on Node (k6 cmd/run.go +
// internal/execution/scheduler.go). Load the bundle, extract and
// consolidate options in a service VU, validate (104), initialize the
// planned VUs (107 on init errors), then setup() → scenarios → teardown()
// with vus/vus_max every second and thresholds every two seconds, and finally
// the end-of-test summary (handleSummary or the text summary) and outputs.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCodeError, ExitCodes, exitCodeOf } from '../exitcodes.js';
import { getExecutionPlanSummary, getSortedConfigs, definitionOf } from '../executors/index.js';
import { ProgressWindow, type ProgressWindowStats } from './progress-window.js';
import { getMaxPlannedVUs } from '../executors/helpers.js';
import { buildSummaryData, legacySummaryExportJSON, type SummaryData } from '../summary.js';
import { buildSummaryReport, type SummaryMode } from '../summary-report.js';
import { defaultSummaryStdout } from '../summary-text.js';
import { thresholdsAbortError, thresholdsCrossedError, THRESHOLDS_EVALUATION_PERIOD_MS } from '../thresholds.js';
import { now } from './clock.js';
import { TestAbortError } from '../k6/execution.js';
import { startBlockingHelper } from '../k6/http-sync.js';
import { isAsyncFunction } from '../k6/util.js';
import {
  createExecutorRun,
  ExecutionState,
  type ExecutorRun,
  type ExecutorSnapshot,
  RunControl,
  setupDataFor,
  snapshotOf,
} from './execution.js';
import { GroupSummary, type SerializedGroup } from './group-summary.js';
import { errorText, Logger, type LogLevel, type LogSink } from './log.js';
import { MetricsEngine, type SerializedEngine } from './metrics.js';
import { consolidateOptions, type ConsolidatedOptions, DEFAULT_USER_AGENT, type RunOverrides } from './options.js';
import { JSONOutput } from './outputs/json.js';
import { PrometheusOutput } from './outputs/prometheus.js';
import { loadProgram, type Program } from './script.js';
import { type ExecHooks, type IterationResult, type RunShared, VU } from './vu.js';

export type { RunOverrides } from './options.js';

export interface ProgressSnapshot {
  phase: 'init' | 'setup' | 'running' | 'teardown' | 'summary' | 'done';
  elapsedMs: number;
  vus: number;
  vusMax: number;
  iterations: number;
  interruptedIterations: number;
  scenarios: ExecutorSnapshot[];
  /** HTTP requests, failures and p95 since the previous snapshot. */
  window: ProgressWindowStats;
}

export interface TextSink {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface RunTestOptions {
  /** Path of the bundled scenario (ESM with `k6`/`k6/*` external). */
  script: string;
  /** `-e KEY=VALUE` values (`__ENV`). */
  env?: Record<string, string>;
  overrides?: RunOverrides;
  /** `--summary-export` file (old JSON format). */
  summaryExport?: string;
  /** `--out json=FILE` */
  outJson?: string;
  /** Serve Prometheus `/metrics` on this port (0 = any free port). */
  metricsPort?: number;
  metricsHost?: string;
  /** Trend stats exported on /metrics (K6_PROMETHEUS_RW_TREND_STATS); default p(95),p(99). */
  metricsTrendStats?: string[];
  onMetricsListening?: (url: string) => void;
  /** No progress callbacks (k6 --quiet). */
  quiet?: boolean;
  progress?: (p: ProgressSnapshot) => void;
  progressIntervalMs?: number;
  /** Aborting it stops the test like Ctrl-C (exit 105; teardown and summary still run). */
  signal?: AbortSignal;
  /** Install SIGINT/SIGTERM handlers for the duration of the run. */
  handleSignals?: boolean;
  logSink?: LogSink;
  logLevel?: LogLevel;
  stdout?: TextSink;
  stderr?: TextSink;
  /** k6 --summary-mode=disabled: no end-of-test summary at all. */
  noSummary?: boolean;
  summaryMode?: SummaryMode;
  /** Base folder for relative handleSummary output paths (default: process.cwd()). */
  cwd?: string;
  /** Split workers: skip the summary and return the raw sinks. */
  collectRaw?: boolean;
  /** Awaited once the VUs are initialized, before the test starts (split children start together, like k6 --paused). */
  beforeStart?: () => Promise<void>;
  /** setup() already ran elsewhere (a split run's parent): what it returned, as JSON. Use with the noSetup override. */
  presetSetupData?: { json: string | undefined };
}

/** Everything a split worker sends back to be merged. */
export interface RawRunResult {
  engine: SerializedEngine;
  groups: SerializedGroup;
  setupDataJSON: string | undefined;
  testRunDurationMs: number;
  /** Exit code of a non-threshold error (abort, exception, signal), if any. */
  runErrorCode: number | undefined;
  runError: string | undefined;
  /** An abortOnFail threshold stopped this instance. */
  thresholdAbort: boolean;
  markedFailed: boolean;
  fullIterations: number;
  interruptedIterations: number;
}

export interface RunTestResult {
  exitCode: number;
  /** handleSummary's data shape (undefined when the run never started). */
  summaryData: SummaryData | undefined;
  /** The error that decided the exit code, if any. */
  error?: string;
  raw?: RawRunResult;
}

function jsonRoundTrip(v: unknown): unknown {
  if (v === undefined) return undefined;
  const s = JSON.stringify(v);
  return s === undefined ? undefined : JSON.parse(s);
}

function secondsText(ms: number): string {
  return String(Math.round(ms / 1000));
}

/** Run `fn` on a fresh service VU (id 0), with an optional timeout. */
export async function runServicePart(
  shared: RunShared,
  name: string,
  args: unknown[],
  timeoutMs: number,
  timeoutCode: number,
  current: { vu: VU | undefined },
): Promise<{ ran: boolean; result?: IterationResult; timedOut?: ExitCodeError }> {
  const vu = new VU(shared, 0, 0);
  vu.init();
  if (typeof vu.exports[name] !== 'function') return { ran: false };
  current.vu = vu;
  let timer: NodeJS.Timeout | undefined;
  let timedOut: ExitCodeError | undefined;
  try {
    const p = vu.run(name, args, { isDefault: false, group: `::${name}`, tags: { ...shared.runTags } });
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = new ExitCodeError(`${name}() execution timed out after ${secondsText(timeoutMs)} seconds`, timeoutCode as ExitCodeError['exitCode']);
        vu.interrupt(timedOut);
      }, timeoutMs);
    }
    const result = await p;
    return { ran: true, result, timedOut };
  } finally {
    if (timer) clearTimeout(timer);
    current.vu = undefined;
    vu.close();
  }
}

export class ScriptException extends ExitCodeError {
  constructor(message: string) {
    super(message, ExitCodes.ScriptException);
  }
}

export async function runTest(opts: RunTestOptions): Promise<RunTestResult> {
  const logger = new Logger(opts.logSink, opts.logLevel ?? 'info');
  const engine = new MetricsEngine();
  const groups = new GroupSummary();
  engine.onSample(groups.onSample, ['group_duration', 'checks']);
  const stdout: TextSink = opts.stdout ?? process.stdout;
  const stderr: TextSink = opts.stderr ?? process.stderr;
  const control = new RunControl();
  const cleanups: (() => void | Promise<void>)[] = [];
  const fail = (e: unknown): RunTestResult => {
    const text = e instanceof ExitCodeError ? e.message : errorText(e);
    logger.error(text);
    return { exitCode: exitCodeOf(e) === 255 ? ExitCodes.ScriptException : exitCodeOf(e), summaryData: undefined, error: text };
  };

  let es: ExecutionState | undefined;
  let markedFailed = false;
  let cons: ConsolidatedOptions | undefined;
  const currentService: { vu: VU | undefined } = { vu: undefined };
  const hooks: ExecHooks = {
    abort(reason) {
      control.abort(new ExitCodeError(reason, ExitCodes.ScriptAborted));
      currentService.vu?.interrupt(control.reason);
    },
    markFailed() {
      markedFailed = true;
    },
    testRunDurationMs: () => es?.testRunDurationMs() ?? 0,
    fullIterations: () => es?.fullIterations ?? 0,
    interruptedIterations: () => es?.interruptedIterations ?? 0,
    activeVUs: () => es?.activeVUs ?? 0,
    initializedVUs: () => es?.initializedVUs ?? 0,
    optionsObject: () => JSON.parse(JSON.stringify(cons?.raw ?? {})) as Record<string, unknown>,
  };

  // Uncaught rejections of floating promises in scripts must not kill the runner.
  const onUnhandled = (reason: unknown) => logger.error(`Uncaught (in promise) ${errorText(reason)}`);
  process.on('unhandledRejection', onUnhandled);
  cleanups.push(() => void process.off('unhandledRejection', onUnhandled));

  try {
    let shared: RunShared;
    let blockingStyle: boolean;
    try {
      ({ shared, cons, blockingStyle } = prepareTest(opts, logger, engine, hooks));
    } catch (e) {
      return fail(e);
    }
    // Blocking-style iterations need the helper thread from their first call; it takes a moment to load.
    if (blockingStyle) await startBlockingHelper();
    const thresholdsOn = !cons.noThresholds && engine.hasThresholds();

    // ---- outputs ----
    if (opts.outJson) {
      const out = new JSONOutput(opts.outJson, cons.thresholds);
      cleanups.push(engine.onSample(out.onSample), () => out.close());
    }
    if (opts.metricsPort !== undefined) {
      const prom = new PrometheusOutput(opts.metricsTrendStats);
      cleanups.push(engine.onSample(prom.onSample));
      const host = opts.metricsHost ?? '127.0.0.1';
      const port = await prom.listen(opts.metricsPort, host);
      cleanups.push(() => prom.close());
      opts.onMetricsListening?.(`http://${host}:${port}/metrics`);
    }

    // ---- plan and VUs ----
    const plan = getExecutionPlanSummary(cons.scenarios, cons.tuple);
    es = new ExecutionState(shared, cons.tuple, plan.maxVUs);
    const state = es;
    state.minIterationDurationMs = cons.minIterationDuration;
    cleanups.push(() => state.closeAll());
    const runs: ExecutorRun[] = getSortedConfigs(cons.scenarios)
      .filter((c) => definitionOf(c).hasWork(c, cons!.tuple))
      .map((c) => createExecutorRun(c, state, control));

    let phase: ProgressSnapshot['phase'] = 'init';
    const window = new ProgressWindow();
    if (opts.progress && !opts.quiet) cleanups.push(engine.onSample(window.onSample, window.metrics));
    const snapshot = (): ProgressSnapshot => ({
      phase,
      elapsedMs: state.testRunDurationMs(),
      vus: state.activeVUs,
      vusMax: state.initializedVUs,
      iterations: state.fullIterations,
      interruptedIterations: state.interruptedIterations,
      scenarios: runs.map(snapshotOf),
      window: window.take(),
    });

    // Signals / external abort: graceful stop with exit 105.
    const externalAbort = (sig: string) =>
      control.abort(new ExitCodeError(`test run was aborted because k6 received a '${sig}' signal`, ExitCodes.ExternalAbort));
    if (opts.signal) {
      // A reason that is an ExitCodeError says how the caller stopped the run (a split child stopped with its siblings).
      const onAbort = () => (opts.signal!.reason instanceof ExitCodeError ? control.abort(opts.signal!.reason) : externalAbort('interrupt'));
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => opts.signal!.removeEventListener('abort', onAbort));
    }
    if (opts.handleSignals) {
      let count = 0;
      const onSig = (sig: NodeJS.Signals) => {
        count++;
        if (count > 1) {
          logger.error('Aborting k6 in response to signal', { sig });
          process.exit(ExitCodes.ExternalAbort);
        }
        externalAbort(sig === 'SIGINT' ? 'interrupt' : 'terminated');
      };
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
      cleanups.push(() => {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
      });
    }

    // vus / vus_max every second, thresholds every two seconds (from init on, as k6).
    const vusMetric = engine.mustGet('vus');
    const vusMaxMetric = engine.mustGet('vus_max');
    const runTagsSnapshot = { ...shared.runTags };
    const vusTimer = setInterval(() => {
      const t = now();
      engine.add({ metric: vusMetric, tags: { ...runTagsSnapshot }, value: state.activeVUs, time: t });
      engine.add({ metric: vusMaxMetric, tags: { ...runTagsSnapshot }, value: state.initializedVUs, time: t });
    }, 1000);
    cleanups.push(() => clearInterval(vusTimer));
    let thresholdAbort = false;
    if (thresholdsOn) {
      const thTimer = setInterval(() => {
        const { breached, shouldAbort } = engine.evaluate(state.testRunDurationMs(), true);
        if (shouldAbort && !control.aborted) {
          thresholdAbort = true;
          control.abort(thresholdsAbortError(breached));
        }
      }, THRESHOLDS_EVALUATION_PERIOD_MS);
      cleanups.push(() => clearInterval(thTimer));
    }
    if (opts.progress && !opts.quiet) {
      const cb = opts.progress;
      const pt = setInterval(() => cb(snapshot()), opts.progressIntervalMs ?? 1000);
      cleanups.push(() => clearInterval(pt));
    }

    control.signal.addEventListener('abort', () => {
      if (phase === 'setup') currentService.vu?.interrupt(control.reason);
    });

    const planned = getMaxPlannedVUs(plan.steps);
    try {
      state.initPlanned(planned);
    } catch (e) {
      return fail(new ScriptException(errorText(e)));
    }
    await opts.beforeStart?.();

    // ---- the run ----
    let runError: ExitCodeError | undefined;
    state.startedAt = performance.now();
    let setupOk = true;
    if (opts.presetSetupData) state.setupDataJSON = opts.presetSetupData.json;
    if (!cons.noSetup && !control.aborted) {
      phase = 'setup';
      try {
        const r = await runServicePart(shared, 'setup', [], cons.setupTimeout, ExitCodes.SetupTimeout, currentService);
        if (r.ran && r.result) {
          if (r.timedOut) {
            runError = r.timedOut;
            setupOk = false;
          } else if (!r.result.full || control.aborted) {
            runError = asExitError(control.reason) ?? new ExitCodeError('setup() was interrupted', ExitCodes.ScriptAborted);
            setupOk = false;
          } else if (r.result.error !== undefined) {
            runError = new ScriptException(errorText(r.result.error));
            setupOk = false;
          } else {
            const json = r.result.value === undefined ? undefined : JSON.stringify(r.result.value);
            state.setupDataJSON = json;
          }
        }
      } catch (e) {
        runError = new ScriptException(errorText(e));
        setupOk = false;
      }
    }

    if (setupOk) {
      phase = 'running';
      const execStart = performance.now();
      await Promise.all(
        runs.map(async (r) => {
          if (r.config.startTime > 0) {
            const ok = await sleepAbortable(execStart + r.config.startTime - performance.now(), control.signal);
            if (!ok) return;
          }
          await r.run();
        }),
      );
      if (!cons.noTeardown) {
        phase = 'teardown';
        try {
          const data = state.setupDataJSON === undefined ? undefined : JSON.parse(state.setupDataJSON);
          const r = await runServicePart(shared, 'teardown', [data], cons.teardownTimeout, ExitCodes.TeardownTimeout, currentService);
          if (r.ran && r.result && !runError) {
            if (r.timedOut) runError = r.timedOut;
            else if (!r.result.full && control.reason instanceof ExitCodeError && control.reason.exitCode === ExitCodes.ScriptAborted) {
              runError = control.reason;
            } else if (r.result.error !== undefined && !(r.result.error instanceof TestAbortError)) {
              runError = new ScriptException(errorText(r.result.error));
            }
          }
        } catch (e) {
          if (!runError) runError = new ScriptException(errorText(e));
        }
      }
    }
    // An abort (signal, test.abort(), abortOnFail) is the run's error.
    if (control.aborted) {
      const reason = asExitError(control.reason);
      if (reason && (!runError || runError.exitCode === ExitCodes.ScriptAborted)) runError = reason;
    }
    state.endedAt = performance.now();
    phase = 'summary';
    clearInterval(vusTimer);

    // (A split run's parent says so once for all its children.)
    if (!runError && state.fullIterations === 0 && !opts.collectRaw) {
      logger.warn('No script iterations fully finished, consider making the test duration longer');
    }

    // Final threshold evaluation (empty sinks included).
    // (Split workers leave the verdict to the parent, which sees the merged sinks.)
    let breached: string[] = [];
    if (thresholdsOn && !opts.collectRaw) breached = engine.evaluate(state.testRunDurationMs(), false).breached;

    let exitCode: number = ExitCodes.Ok;
    let errorMsg: string | undefined;
    if (runError) {
      exitCode = runError.exitCode;
      errorMsg = runError.message;
    } else if (markedFailed) {
      exitCode = ExitCodes.MarkedAsFailed;
      errorMsg = 'test run was marked as failed';
    } else if (breached.length > 0) {
      const e = thresholdsCrossedError(breached);
      exitCode = e.exitCode;
      errorMsg = e.message;
    }

    const testRunDurationMs = state.testRunDurationMs();
    const summaryData = buildSummaryData({
      rootGroup: groups.root,
      metrics: engine.observedMetrics(),
      testRunDurationMs,
      summaryTrendStats: cons.summaryTrendStats,
      summaryTimeUnit: cons.summaryTimeUnit,
      isStdOutTTY: Boolean(stdout.isTTY),
      isStdErrTTY: Boolean(stderr.isTTY),
      setupData: state.setupDataJSON === undefined ? undefined : JSON.parse(state.setupDataJSON),
    });

    const raw: RawRunResult | undefined = opts.collectRaw
      ? {
          engine: engine.serialize(),
          groups: groups.serialize(),
          setupDataJSON: state.setupDataJSON,
          testRunDurationMs,
          runErrorCode: runError && !thresholdAbort ? runError.exitCode : undefined,
          runError: runError && !thresholdAbort ? runError.message : undefined,
          thresholdAbort,
          markedFailed,
          fullIterations: state.fullIterations,
          interruptedIterations: state.interruptedIterations,
        }
      : undefined;

    if (!opts.collectRaw) {
      await produceSummary({
        shared,
        data: summaryData,
        engine,
        cons,
        opts,
        stdout,
        stderr,
        current: currentService,
        testRunDurationMs,
      });
    }
    phase = 'done';
    if (opts.progress && !opts.quiet) opts.progress(snapshot());
    // (A split run's parent reports the run's error.)
    if (errorMsg && !opts.collectRaw) logger.error(errorMsg);
    return { exitCode, summaryData, ...(errorMsg ? { error: errorMsg } : {}), ...(raw ? { raw } : {}) };
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        logger.warn(`cleanup failed: ${errorText(e)}`);
      }
    }
  }
}

/**
 * A VU of the script with its init code run, as k6 runs it: VU 0 is the init
 * k6 reads options from; VUs 1… are the test's own.
 */
export function initScriptVU(
  opts: Pick<RunTestOptions, 'script' | 'env'>,
  logger: Logger,
  engine: MetricsEngine,
  hooks: ExecHooks,
  id = 0,
): { shared: RunShared; vu: VU } {
  const shared: RunShared = {
    program: loadProgram(opts.script),
    engine,
    logger,
    options: {
      maxRedirects: 10,
      discardResponseBodies: false,
      userAgent: DEFAULT_USER_AGENT,
      throw: false,
      noCookiesReset: false,
      noConnectionReuse: false,
      noVUConnectionReuse: false,
      insecureSkipTLSVerify: false,
      hosts: {},
    },
    runTags: {},
    baseEnv: { ...(opts.env ?? {}) },
    sharedArrays: new Map(),
    exec: hooks,
  };
  const vu = new VU(shared, id, 0);
  try {
    vu.init();
  } catch (e) {
    throw new ScriptException(errorText(e));
  }
  return { shared, vu };
}

/**
 * Load the bundle, run the init code in a service VU to read `options`,
 * consolidate them with the overrides and attach the thresholds. Throws an
 * ExitCodeError (104 config, 107 script) on failure.
 */
export function prepareTest(
  opts: Pick<RunTestOptions, 'script' | 'env' | 'overrides' | 'collectRaw'>,
  logger: Logger,
  engine: MetricsEngine,
  hooks: ExecHooks,
): { shared: RunShared; cons: ConsolidatedOptions; blockingStyle: boolean } {
  const { shared, vu: optionsVU } = initScriptVU(opts, logger, engine, hooks);
  const exportsObj = optionsVU.exports;
  for (const fn of ['setup', 'teardown', 'handleSummary']) {
    if (exportsObj[fn] !== undefined && typeof exportsObj[fn] !== 'function') {
      throw new ScriptException(`exported '${fn}' must be a function`);
    }
  }
  const functions = new Set(Object.keys(exportsObj).filter((k) => typeof exportsObj[k] === 'function' && k !== 'options'));
  if (functions.size === 0) throw new ScriptException('no exported functions in script');
  let scriptOptions: Record<string, unknown> | undefined;
  try {
    scriptOptions = jsonRoundTrip(exportsObj.options) as Record<string, unknown> | undefined;
  } catch (e) {
    throw new ExitCodeError(`error parsing script options: ${(e as Error).message}`, ExitCodes.InvalidConfig);
  }
  const cons = consolidateOptions(scriptOptions, opts.overrides ?? {}, functions);
  // A split run's children leave the warnings to the parent, which read the same options.
  if (!opts.collectRaw) for (const w of cons.warnings) logger.warn(w);
  shared.options = cons.module;
  shared.runTags = { ...cons.tags };
  engine.initThresholds(cons.thresholds, !cons.noThresholds);
  // Plain (not async) iteration functions are k6's blocking style: they will likely call http.get or sleep().
  const blockingStyle = Object.values(cons.scenarios).some((s) => !isAsyncFunction(exportsObj[s.exec ?? 'default']));
  return { shared, cons, blockingStyle };
}

function asExitError(reason: unknown): ExitCodeError | undefined {
  return reason instanceof ExitCodeError ? reason : undefined;
}

function sleepAbortable(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SummaryContext {
  shared: RunShared;
  data: SummaryData;
  engine: MetricsEngine;
  cons: ConsolidatedOptions;
  opts: Pick<RunTestOptions, 'summaryExport' | 'noSummary' | 'summaryMode' | 'cwd'>;
  stdout: TextSink;
  stderr: TextSink;
  current: { vu: VU | undefined };
  testRunDurationMs: number;
}

/** handleSummary(data) or the default text summary, plus --summary-export. */
export async function produceSummary(ctx: SummaryContext): Promise<void> {
  const { shared, data, cons, opts, stdout, stderr } = ctx;
  const logger = shared.logger;
  const cwd = opts.cwd ?? process.cwd();
  const writeOut = (key: string, value: unknown) => {
    const content = typeof value === 'string' ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : String(value);
    if (key === 'stdout') stdout.write(content);
    else if (key === 'stderr') stderr.write(content);
    else {
      const file = path.resolve(cwd, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  };
  if (opts.summaryExport) {
    try {
      writeOut(opts.summaryExport, legacySummaryExportJSON(data));
    } catch (e) {
      logger.error(`failed to write the summary export: ${errorText(e)}`);
    }
  }
  if (opts.noSummary) return;
  const printDefault = () => {
    try {
      const report = buildSummaryReport({
        mode: opts.summaryMode ?? 'compact',
        testRunDurationMs: ctx.testRunDurationMs,
        summaryTrendStats: cons.summaryTrendStats,
        metrics: ctx.engine.observedMetrics(),
        checks: flattenChecks(data),
      });
      stdout.write(defaultSummaryStdout(report, { summaryTrendStats: cons.summaryTrendStats, summaryTimeUnit: cons.summaryTimeUnit || null }));
    } catch (e) {
      logger.error(`failed to render the end-of-test summary: ${errorText(e)}`);
    }
  };
  let result: IterationResult | undefined;
  let ran = false;
  try {
    const r = await runServicePart(shared, 'handleSummary', [data], cons.handleSummaryTimeout, ExitCodes.GenericTimeout, ctx.current);
    ran = r.ran;
    result = r.result;
    if (r.timedOut) throw r.timedOut;
  } catch (e) {
    logger.error(`failed to handle the end-of-test summary: ${errorText(e)}`);
    printDefault();
    return;
  }
  if (!ran) {
    printDefault();
    return;
  }
  if (!result || result.error !== undefined || !result.full) {
    logger.error(`failed to handle the end-of-test summary: ${errorText(result?.error)}`);
    printDefault();
    return;
  }
  const value = result.value;
  if (value === undefined || value === null) return;
  if (typeof value !== 'object') {
    logger.error('failed to handle the end-of-test summary: handleSummary() must return an object');
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    try {
      writeOut(k, v);
    } catch (e) {
      logger.error(`failed to handle the end-of-test summary: ${errorText(e)}`);
    }
  }
}

/** Root-level checks in first-use order, over all groups (for the text summary). */
function flattenChecks(data: SummaryData): { name: string; passes: number; fails: number }[] {
  const out: { name: string; passes: number; fails: number }[] = [];
  const walk = (g: SummaryData['root_group']) => {
    for (const c of g.checks) out.push({ name: c.name, passes: c.passes, fails: c.fails });
    for (const sub of g.groups) walk(sub);
  };
  walk(data.root_group);
  return out;
}

export { setupDataFor };
