// runSplit: one test split across N child processes by execution segments
// (i/N:(i+1)/N of the sequence 0,1/N,…,1), as k6-operator splits a TestRun
// across runners. Each child runs its own setup() and teardown() (as k6
// instances do) and sends back its raw sinks; the parent merges them exactly
// (all trend values, counters, rates, gauges), re-evaluates the thresholds
// on the merged sinks and produces one summary and exit code.

import { fork, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ExitCodeError, ExitCodes } from '../exitcodes.js';
import { buildSummaryData } from '../summary.js';
import { thresholdsCrossedError } from '../thresholds.js';
import type { ExecutorSnapshot } from './execution.js';
import type { ConsolidatedOptions } from './options.js';
import { GroupSummary } from './group-summary.js';
import { errorText, Logger, type LogLevel } from './log.js';
import { MetricsEngine } from './metrics.js';
import {
  prepareTest,
  produceSummary,
  type ProgressSnapshot,
  type RawRunResult,
  runServicePart,
  ScriptException,
  type RunTestOptions,
  type RunTestResult,
  type TextSink,
} from './run.js';
import type { ExecHooks, RunShared, VU } from './vu.js';
import { now } from './clock.js';
import { TestAbortError } from '../k6/execution.js';

export interface SplitOptions extends RunTestOptions {
  /** Number of child processes (segments). */
  processes: number;
  /** Extra node arguments for the children (default: tsx from the harness's own install). */
  execArgv?: string[];
  /**
   * The processes stand for one k6 instance (a blocking-style script spread
   * so its VUs can block independently): setup() and teardown() run once, in
   * this process, and samples get no instance_id tag.
   */
  oneInstance?: boolean;
}

/** `0,1/N,2/N,…,1` */
export function evenSequence(n: number): string {
  const pts = ['0'];
  for (let i = 1; i < n; i++) pts.push(`${i}/${n}`);
  pts.push('1');
  return pts.join(',');
}

export function segmentOf(i: number, n: number): string {
  return `${i === 0 ? '0' : `${i}/${n}`}:${i + 1 === n ? '1' : `${i + 1}/${n}`}`;
}

const WORKER = fileURLToPath(new URL('./split-worker.ts', import.meta.url));

interface ChildMessage {
  type: string;
  snapshot?: ProgressSnapshot;
  result?: RunTestResult;
  url?: string;
  level?: LogLevel;
  msg?: string;
  fields?: Record<string, unknown>;
}

interface Child {
  proc: ChildProcess;
  /** Initialized (waiting for the start) or finished. */
  settled: boolean;
  result: Promise<RunTestResult>;
  snapshot?: ProgressSnapshot;
}

function combineProgress(snaps: (ProgressSnapshot | undefined)[]): ProgressSnapshot {
  const out: ProgressSnapshot = {
    phase: 'init',
    elapsedMs: 0,
    vus: 0,
    vusMax: 0,
    iterations: 0,
    interruptedIterations: 0,
    scenarios: [],
    window: { requests: 0, failedRequests: 0, latencyP95Ms: undefined },
  };
  const order: ProgressSnapshot['phase'][] = ['init', 'setup', 'running', 'teardown', 'summary', 'done'];
  const scen = new Map<string, ExecutorSnapshot>();
  let minPhase = order.length - 1;
  let any = false;
  for (const s of snaps) {
    if (!s) {
      minPhase = 0;
      continue;
    }
    any = true;
    minPhase = Math.min(minPhase, order.indexOf(s.phase));
    out.elapsedMs = Math.max(out.elapsedMs, s.elapsedMs);
    out.vus += s.vus;
    out.vusMax += s.vusMax;
    out.iterations += s.iterations;
    out.interruptedIterations += s.interruptedIterations;
    // Each process's last window; the slowest process's p95 stands for all (a progress line, not a result).
    out.window.requests += s.window.requests;
    out.window.failedRequests += s.window.failedRequests;
    if (s.window.latencyP95Ms !== undefined) out.window.latencyP95Ms = Math.max(out.window.latencyP95Ms ?? 0, s.window.latencyP95Ms);
    for (const e of s.scenarios) {
      const cur = scen.get(e.name);
      if (!cur) scen.set(e.name, { ...e });
      else {
        cur.activeVUs += e.activeVUs;
        cur.iterations += e.iterations;
        cur.dropped += e.dropped;
        cur.progress = Math.min(cur.progress, e.progress);
        if (cur.state !== e.state) cur.state = cur.state === 'done' ? e.state : cur.state;
      }
    }
  }
  out.phase = any ? order[minPhase]! : 'init';
  out.scenarios = [...scen.values()];
  return out;
}

async function mergeJSONParts(parts: string[], target: string): Promise<void> {
  const out = createWriteStream(target);
  const seen = new Set<string>();
  for (const part of parts) {
    const rl = createInterface({ input: createReadStream(part), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line === '') continue;
      if (line.startsWith('{"type":"Metric"')) {
        const name = (JSON.parse(line) as { metric: string }).metric;
        if (seen.has(name)) continue;
        seen.add(name);
      }
      if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    rmSync(part, { force: true });
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/**
 * The consolidated scenarios with arrival-rate VUs all pre-allocated, for a
 * one-instance split: a child whose share of preAllocatedVUs is 0 would drop
 * its first due iterations, where one k6 instance has its few pre-allocated
 * VUs free for them. Undefined when there is nothing to change.
 */
function preallocatedScenarios(scenarios: ConsolidatedOptions['scenarios']): Record<string, unknown> | undefined {
  const list = Object.values(scenarios);
  if (!list.some((s) => s.executor.endsWith('arrival-rate'))) return undefined;
  const out: Record<string, unknown> = {};
  for (const s of list) {
    const { name, ...config } = s as unknown as Record<string, unknown> & { name: string };
    if (s.executor.endsWith('arrival-rate')) config.preAllocatedVUs = config.maxVUs;
    out[name] = config;
  }
  return out;
}

/** Samples the parent makes itself rather than merging the children's. */
const OWN_GAUGES = /^vus(_max)?($|\{)/;

/** setup() or teardown() on a service VU of this process, as a single k6 instance runs them. */
async function runOnce(
  shared: RunShared,
  name: 'setup' | 'teardown',
  args: unknown[],
  skip: boolean,
  timeoutMs: number,
  timeoutCode: number,
  current: { vu: VU | undefined },
): Promise<{ json?: string; error?: ExitCodeError }> {
  if (skip) return {};
  try {
    const r = await runServicePart(shared, name, args, timeoutMs, timeoutCode, current);
    if (!r.ran || !r.result) return {};
    if (r.timedOut) return { error: r.timedOut };
    if (r.result.error !== undefined && !(r.result.error instanceof TestAbortError)) return { error: new ScriptException(errorText(r.result.error)) };
    return { json: r.result.value === undefined ? undefined : JSON.stringify(r.result.value) };
  } catch (e) {
    return { error: new ScriptException(errorText(e)) };
  }
}

export async function runSplit(opts: SplitOptions): Promise<RunTestResult> {
  const n = Math.max(1, Math.trunc(opts.processes));
  const logger = new Logger(opts.logSink, opts.logLevel ?? 'info');
  const engine = new MetricsEngine();
  const groups = new GroupSummary();
  const stdout: TextSink = opts.stdout ?? process.stdout;
  const stderr: TextSink = opts.stderr ?? process.stderr;

  // The parent reads the options too: thresholds, summary settings, handleSummary.
  let markedFailed = false;
  const current: { vu: VU | undefined } = { vu: undefined };
  const hooks: ExecHooks = {
    abort: () => undefined,
    markFailed: () => void (markedFailed = true),
    testRunDurationMs: () => 0,
    fullIterations: () => 0,
    interruptedIterations: () => 0,
    activeVUs: () => 0,
    initializedVUs: () => 0,
    optionsObject: () => ({}),
  };
  let prepared: ReturnType<typeof prepareTest>;
  try {
    prepared = prepareTest(opts, logger, engine, hooks);
  } catch (e) {
    const text = e instanceof ExitCodeError ? e.message : errorText(e);
    logger.error(text);
    return { exitCode: e instanceof ExitCodeError ? e.exitCode : ExitCodes.ScriptException, summaryData: undefined, error: text };
  }
  const { shared, cons } = prepared;

  let presetSetupData: { json: string | undefined } | undefined;
  if (opts.oneInstance) {
    const setup = await runOnce(shared, 'setup', [], cons.noSetup, cons.setupTimeout, ExitCodes.SetupTimeout, current);
    if (setup.error) {
      current.vu?.close();
      logger.error(setup.error.message);
      return { exitCode: setup.error.exitCode, summaryData: undefined, error: setup.error.message };
    }
    presetSetupData = { json: setup.json };
  }

  const arrivalScenarios = opts.oneInstance ? preallocatedScenarios(cons.scenarios) : undefined;
  const sequence = evenSequence(n);
  const jsonParts: string[] = [];
  const children: Child[] = [];
  // One instance stops as a whole: the first child to stop the test (exec.test.abort(), an
  // abortOnFail threshold, a fatal error) stops the others, whose own stop (105) is then no error.
  let stoppedBy: { result: RunTestResult } | undefined;
  const stopSiblings = (result: RunTestResult) => {
    if (stoppedBy || (result.raw && result.raw.runErrorCode === undefined && !result.raw.thresholdAbort)) return;
    stoppedBy = { result };
    for (const c of children) if (c.proc.connected) c.proc.send({ type: 'stop' });
  };
  // The children start together once all are initialized (k6-operator's --paused, then start).
  const settle = (c: Child) => {
    if (c.settled) return;
    c.settled = true;
    if (children.length === n && children.every((x) => x.settled)) {
      for (const x of children) if (x.proc.connected) x.proc.send({ type: 'start' });
    }
  };
  for (let i = 0; i < n; i++) {
    const proc = fork(WORKER, [], {
      execArgv: opts.execArgv ?? ['--import', import.meta.resolve('tsx')],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const part = opts.outJson ? `${opts.outJson}.part${i}` : undefined;
    if (part) jsonParts.push(part);
    const child: Child = {
      proc,
      settled: false,
      result: new Promise<RunTestResult>((resolve) => {
        let done = false;
        proc.on('message', (m: ChildMessage) => {
          if (m.type === 'progress') child.snapshot = m.snapshot;
          if (m.type === 'log' && m.level && m.msg !== undefined) logger.log(m.level, m.msg, opts.oneInstance ? m.fields ?? {} : { ...m.fields, instance_id: i + 1 });
          if (m.type === 'metrics' && m.url) opts.onMetricsListening?.(m.url);
          if (m.type === 'initialized') settle(child);
          if (m.type === 'done' && m.result) {
            done = true;
            settle(child);
            if (opts.oneInstance) stopSiblings(m.result);
            resolve(m.result);
          }
        });
        proc.on('exit', (code, sig) => {
          settle(child);
          if (!done) resolve({ exitCode: code ?? 255, summaryData: undefined, error: `segment ${i} exited early (${sig ?? code})` });
        });
      }),
    };
    children.push(child);
    const childOpts: RunTestOptions = {
      script: opts.script,
      env: opts.env,
      overrides: {
        ...(opts.overrides ?? {}),
        executionSegment: segmentOf(i, n),
        executionSegmentSequence: sequence,
        ...(presetSetupData
          ? { noSetup: true, noTeardown: true, ...(arrivalScenarios ? { scenarios: arrivalScenarios, vus: undefined, duration: undefined, iterations: undefined, stages: undefined } : {}) }
          : { tags: { ...(opts.overrides?.tags ?? {}), instance_id: String(i + 1) } }),
      },
      ...(presetSetupData ? { presetSetupData } : {}),
      ...(part ? { outJson: part } : {}),
      ...(opts.metricsPort !== undefined ? { metricsPort: 0, metricsHost: opts.metricsHost, metricsTrendStats: opts.metricsTrendStats } : {}),
      logLevel: opts.logLevel,
      // The parent needs every child's VU counts, for its vus/vus_max samples.
      quiet: false,
      progressIntervalMs: 1000,
    };
    // Functions do not cross the process boundary.
    for (const k of Object.keys(childOpts) as (keyof RunTestOptions)[]) if (childOpts[k] === undefined) delete childOpts[k];
    proc.send({ type: 'run', options: childOpts });
  }
  // instance_id is a test-wide tag of every child's samples only.
  const abortAll = () => {
    for (const c of children) if (c.proc.connected) c.proc.send({ type: 'abort' });
  };
  if (opts.signal) {
    if (opts.signal.aborted) abortAll();
    else opts.signal.addEventListener('abort', abortAll, { once: true });
  }
  // Ctrl-C / SIGTERM: stop the children gracefully (they may not share our process group) and
  // stay alive for teardown and the summary, exit 105, as k6 does.
  if (opts.handleSignals) {
    process.on('SIGINT', abortAll);
    process.on('SIGTERM', abortAll);
  }
  let progressTimer: NodeJS.Timeout | undefined;
  if (opts.progress && !opts.quiet) {
    const cb = opts.progress;
    progressTimer = setInterval(() => cb(combineProgress(children.map((c) => c.snapshot))), opts.progressIntervalMs ?? 1000);
  }
  // vus and vus_max are the whole test's, as one k6 reports them every second: the sums over the
  // children (each child's own gauges would only say how many VUs that child had).
  const vusMetric = engine.mustGet('vus');
  const vusMaxMetric = engine.mustGet('vus_max');
  const vusTimer = setInterval(() => {
    if (!children.some((ch) => ch.snapshot?.phase === 'running')) return;
    const c = combineProgress(children.map((ch) => ch.snapshot));
    const t = now();
    engine.add({ metric: vusMetric, tags: { ...shared.runTags }, value: c.vus, time: t });
    engine.add({ metric: vusMaxMetric, tags: { ...shared.runTags }, value: c.vusMax, time: t });
  }, 1000);
  const results = await Promise.all(children.map((c) => c.result));
  clearInterval(vusTimer);
  if (progressTimer) clearInterval(progressTimer);
  opts.signal?.removeEventListener('abort', abortAll);
  process.off('SIGINT', abortAll);
  process.off('SIGTERM', abortAll);

  const raws: RawRunResult[] = [];
  let runError: { code: number; msg: string } | undefined;
  const first = stoppedBy?.result;
  if (first && !first.raw) runError = { code: first.exitCode, msg: first.error ?? `a segment failed with exit code ${first.exitCode}` };
  else if (first?.raw?.runErrorCode !== undefined) runError = { code: first.raw.runErrorCode, msg: first.raw.runError ?? '' };
  for (const r of results) {
    if (r.raw) raws.push(r.raw);
    else if (!runError) runError = { code: r.exitCode, msg: r.error ?? `a segment failed with exit code ${r.exitCode}` };
  }
  for (const raw of raws) {
    engine.merge({ ...raw.engine, metrics: raw.engine.metrics.filter((m) => !OWN_GAUGES.test(m.name)) });
    groups.merge(raw.groups);
    const stoppedBySibling = stoppedBy && raw.runErrorCode === ExitCodes.ExternalAbort;
    if (!runError && raw.runErrorCode !== undefined && !stoppedBySibling) runError = { code: raw.runErrorCode, msg: raw.runError ?? '' };
    if (raw.markedFailed) markedFailed = true;
  }
  if (opts.outJson && jsonParts.length > 0) await mergeJSONParts(jsonParts, opts.outJson);

  let setupJSON = raws[0]?.setupDataJSON;
  if (presetSetupData) {
    setupJSON = presetSetupData.json;
    const data = setupJSON === undefined ? undefined : JSON.parse(setupJSON);
    const teardown = await runOnce(shared, 'teardown', [data], cons.noTeardown, cons.teardownTimeout, ExitCodes.TeardownTimeout, current);
    if (teardown.error && !runError) runError = { code: teardown.error.exitCode, msg: teardown.error.message };
  }

  if (!runError && raws.length > 0 && raws.every((r) => r.fullIterations === 0)) {
    logger.warn('No script iterations fully finished, consider making the test duration longer');
  }
  const testRunDurationMs = raws.reduce((m, r) => Math.max(m, r.testRunDurationMs), 0);
  const thresholdsOn = !cons.noThresholds && engine.hasThresholds();
  const breached = thresholdsOn ? engine.evaluate(testRunDurationMs, false).breached : [];
  const thresholdAbort = raws.some((r) => r.thresholdAbort);

  let exitCode: number = ExitCodes.Ok;
  let error: string | undefined;
  if (runError) {
    exitCode = runError.code;
    error = runError.msg;
  } else if (markedFailed) {
    exitCode = ExitCodes.MarkedAsFailed;
    error = 'test run was marked as failed';
  } else if (breached.length > 0 || thresholdAbort) {
    const e = thresholdsCrossedError(breached);
    exitCode = e.exitCode;
    error = e.message;
  }
  const summaryData = buildSummaryData({
    rootGroup: groups.root,
    metrics: engine.observedMetrics(),
    testRunDurationMs,
    summaryTrendStats: cons.summaryTrendStats,
    summaryTimeUnit: cons.summaryTimeUnit,
    isStdOutTTY: Boolean(stdout.isTTY),
    isStdErrTTY: Boolean(stderr.isTTY),
    setupData: setupJSON === undefined ? undefined : JSON.parse(setupJSON),
  });
  try {
    await produceSummary({ shared, data: summaryData, engine, cons, opts, stdout, stderr, current, testRunDurationMs });
  } finally {
    current.vu?.close();
  }
  if (error) logger.error(error);
  return { exitCode, summaryData, ...(error ? { error } : {}) };
}
