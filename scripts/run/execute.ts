import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findK6 } from '../../infra/engines/k6/command.js';
import { k6Invocation } from '../../infra/engines/k6/invocation.js';
import { runK6 } from '../../infra/engines/k6/run.js';
import { type Inspection, inspectTest } from '../../infra/engines/node/runtime/inspect.js';
import { runTest, type ProgressSnapshot as RunnerProgress, type RunOverrides } from '../../infra/engines/node/runtime/run.js';
import { runSplit } from '../../infra/engines/node/runtime/split.js';
import type { RunOptions } from '../../infra/engines/run-options.js';
import { recordAccounts, type PhaseSummary } from '../../infra/targets/mastodon/manifest.js';
import { startStandin, type StandinSizing } from '../../infra/targets/standin/standin.js';
import { buildScenarios } from '../build-scenarios.js';
import { ProgressLine, runnerProgress } from '../ui/progress.js';
import type { RunPlan } from './plan.js';

// Carries out a RunPlan: bundle the script, start the stand-in if asked, run
// the engine, and always stop what was started. Returns the engine's exit code.

export { findK6 };

export async function bundleFor(plan: RunPlan): Promise<string> {
  if (plan.scenario.bundled) return resolve(plan.scenario.source);
  const [built] = await buildScenarios({ entries: [plan.scenario.source] });
  return built!.file;
}

function overridesOf(o: RunOptions): RunOverrides {
  return {
    vus: o.vus,
    duration: o.duration,
    iterations: o.iterations,
    stages: o.stages,
    summaryTrendStats: o.summaryTrendStats,
    tags: Object.keys(o.tags).length ? o.tags : undefined,
    noThresholds: o.noThresholds || undefined,
    executionSegment: o.executionSegment,
    executionSegmentSequence: o.executionSegmentSequence,
  };
}

/** What a dry run shows: everything decided, nothing sent. */
export async function describePlan(plan: RunPlan, script: string): Promise<Record<string, unknown>> {
  const run = { ...plan.run, script };
  const common = {
    scenario: plan.scenario.name,
    script,
    target: plan.target.kind === 'url' ? { kind: 'url', url: plan.target.url.href, loopback: plan.target.loopback } : plan.target,
    engine: plan.engine,
    env: run.env,
  };
  if (plan.engineChoice.engine === 'k6') {
    const inv = k6Invocation(run, plan.engineChoice);
    return { ...common, command: [inv.file, ...inv.args], commandEnv: inv.env };
  }
  const inspected = inspectTest({ script, env: withPlaceholders(run.env), overrides: overridesOf(run) });
  return { ...common, workers: plan.workers, execution: inspected };
}

// A dry run evaluates the script's init code, which may require these; the
// stand-in's real addresses only exist once it runs.
function withPlaceholders(env: Record<string, string>): Record<string, string> {
  return { BASE_URL: 'http://127.0.0.1:0', MAIL_API_URL: 'http://127.0.0.1:0', ...env };
}

/** Most processes a blocking-style run is spread over (each loads the runner: about 2 s of CPU and 100 MB). */
const BLOCKING_PROCESSES_MAX = 32;

/**
 * k6 blocks a VU in http.get or sleep() without holding up the others; here a
 * blocking call holds up its whole thread. A blocking-style script with more
 * than one VU is therefore spread over processes, one VU each up to a cap, as
 * one k6 instance (setup and teardown once). Returns the process count, or
 * undefined when one process serves.
 */
export function blockingSpread(inspection: Inspection | undefined): number | undefined {
  if (!inspection?.blockingStyle || inspection.maxVUs < 2) return undefined;
  return Math.min(inspection.maxVUs, BLOCKING_PROCESSES_MAX);
}

export async function executeRun(plan: RunPlan, script: string, sizing: StandinSizing): Promise<number> {
  const standin = plan.target.kind === 'standin' ? await startStandin(sizing) : undefined;
  try {
    const run: RunOptions = { ...plan.run, script, env: { ...plan.run.env } };
    if (standin) {
      run.env.BASE_URL ??= standin.baseUrl;
      run.env.MAIL_API_URL ??= standin.mailApiUrl;
      if (!plan.run.quiet) process.stderr.write(`stand-in ready at ${standin.baseUrl}\n`);
    }
    // On an instance that outlives the run, what a Mastodon scenario may have created is recorded
    // for surge cleanup (a user's own k6 script creates no accounts the harness knows of).
    const runDir = plan.target.kind === 'url' && plan.scenario.builtin ? join(process.cwd(), 'runs', `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-')}-${plan.scenario.name}`) : undefined;
    if (runDir) await mkdir(runDir, { recursive: true });
    const keepAccounts = async (summary: PhaseSummary | undefined) => {
      if (!runDir || !summary || plan.target.kind !== 'url') return;
      await recordAccounts(runDir, plan.target.url.origin, { scenario: plan.scenario.name, phase: 'run', env: run.env, summary });
      process.stderr.write(`accounts it may have created: ${join(runDir, 'accounts.json')} (remove them with surge cleanup ${runDir} --target ${plan.target.url.origin} --admin-token env:NAME)\n`);
    };
    if (plan.engineChoice.engine === 'k6') {
      if (runDir) run.summaryExport ??= join(runDir, 'k6-summary.json');
      const result = await runK6(run, plan.engineChoice, { forwardSignals: true });
      await keepAccounts(result.summaryData);
      return result.exitCode;
    }
    const progress = new ProgressLine();
    const last = { t: 0, n: 0 };
    let inspection: Inspection | undefined;
    try {
      inspection = inspectTest({ script, env: run.env, overrides: overridesOf(run) });
    } catch {
      // the runner reports a bad script itself, with k6's exit code
    }
    const totalMs = inspection?.maxDurationMs;
    const spread = plan.workers > 1 || run.executionSegment ? undefined : blockingSpread(inspection);
    if (spread && !run.quiet) {
      const shared = inspection!.maxVUs > spread ? `; ${inspection!.maxVUs} VUs share them and block each other` : '';
      process.stderr.write(`blocking k6 calls (http.get, sleep): the run is spread over ${spread} processes so VUs block independently${shared}\n`);
    }
    const options = {
      script,
      env: run.env,
      overrides: overridesOf(run),
      summaryExport: run.summaryExport,
      outJson: run.outJson,
      quiet: run.quiet,
      handleSignals: true,
      progress: (p: RunnerProgress) => progress.update(runnerProgress(p, last, { totalMs, rateUnit: 'it/s' })),
    };
    const result =
      plan.workers > 1
        ? await runSplit({ ...options, processes: plan.workers })
        : spread
          ? await runSplit({ ...options, processes: spread, oneInstance: true })
          : await runTest(options);
    progress.done();
    await keepAccounts(result.summaryData);
    return result.exitCode;
  } finally {
    await standin?.stop();
  }
}
