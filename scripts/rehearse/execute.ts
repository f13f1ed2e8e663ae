import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { exportRange } from '../../infra/metrics/query.js';
import { saveRunSeries } from '../../infra/metrics/run-series.js';
import { scrapeTargetFromUrl } from '../../infra/metrics/prometheus-config.js';
import { startMetricsStack, type MetricsStack } from '../../infra/metrics/stack.js';
import { k6PhaseRun } from '../../infra/engines/k6/phase.js';
import { runK6 } from '../../infra/engines/k6/run.js';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { cpuSnapshot, neighbourShare } from '../../infra/services/cpu-usage.js';
import { reservePort } from '../../infra/services/ports.js';
import { startMastodonStack, type MastodonHandle } from '../../infra/targets/mastodon/containers.js';
import { recordAccounts } from '../../infra/targets/mastodon/manifest.js';
import { saveMeasures } from '../../infra/targets/mastodon/measures.js';
import { planMastodonStack } from '../../infra/targets/mastodon/plan.js';
import { startStandin, type StandinHandle, type StandinSizing } from '../../infra/targets/standin/standin.js';
import { buildRunReport, type BuildOptions } from '../../reports/build.js';
import { JOBS, RATE_WINDOW_SEC, runQueries, type RunQuery } from '../../reports/collect/queries.js';
import { writeRunMeta, type RunMeta } from '../../reports/collect/run-folder.js';
import { buildScenarios } from '../build-scenarios.js';
import { ProgressLine, runnerProgress } from '../ui/progress.js';
import { watchTarget } from './watch.js';
import { describeExit } from '../../infra/services/child.js';
import { connectUserPrometheus, type UserPrometheus } from './user-prometheus.js';
import { breakpointSteps, type RehearsalPlan } from './plan.js';

// Carries out a rehearsal: stand up the target and the metrics stack, run each
// phase on the Node runner, keep the raw series, write the report, tear down.
// Ctrl-C or a crashed target still ends in a (partial) report.

export interface RehearseOptions {
  sizing: StandinSizing;
  /** A URL target's admin token (never logged): its admin measures are kept. */
  adminToken?: string;
  /** SLO and price overrides, read and checked before the run (loadReportConfig). */
  reportConfig?: Pick<BuildOptions, 'sloConfig' | 'priceSheet'>;
  log: (line: string) => void;
}

export interface RehearseOutcome {
  outDir: string;
  reportPaths: string[];
  verdict: string;
  slosPassed: boolean | null;
  partial: boolean;
  /** The signal that cut the run short, if one did (the partial report is written all the same). */
  signal?: NodeJS.Signals;
}

export async function rehearse(plan: RehearsalPlan, opts: RehearseOptions): Promise<RehearseOutcome> {
  await mkdir(plan.outDir, { recursive: true });
  const abort = new AbortController();
  // One live line on a terminal; a log line (a runner warning, Ctrl-C's notice) clears it first, the next update redraws it.
  const progress = new ProgressLine();
  const log = (line: string) => {
    progress.done();
    opts.log(line);
  };
  let partialReason: string | undefined;
  let signal: NodeJS.Signals | undefined;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    // A second Ctrl-C leaves at once; the services' watchdog still cleans up.
    if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    signal ??= sig;
    partialReason = `interrupted by ${sig}`;
    log(`${sig}: stopping the load, then writing a partial report (Ctrl-C again to quit now)`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const stops: (() => Promise<void>)[] = [];
  const started = new Date();
  const phases: RunMeta['phases'] = [];
  let standin: StandinHandle | undefined;
  let mastodon: MastodonHandle | undefined;
  let metrics: MetricsStack | undefined;
  let user: UserPrometheus | undefined;
  let runnerPort = 0;
  try {
    const [built] = await Promise.all([buildScenarios({ entries: [...new Set(plan.phases.map((p) => p.scenario))] })]);
    const script = (name: string) => built.find((b) => b.name === name)!.file;

    const env: Record<string, string> = {};
    try {
      if (plan.target.kind === 'standin') {
        log('starting the stand-in (PostgreSQL, Redis, mail, web, worker)…');
        standin = await startStandin({ ...opts.sizing, mail: plan.standinMail });
        stops.push(() => standin!.stop());
        env.BASE_URL = standin.baseUrl;
        env.MAIL_API_URL = standin.mailApiUrl;
      } else if (plan.target.kind === 'mastodon') {
        log(`starting a containerised Mastodon ${plan.target.tag} (PostgreSQL, Redis, Mailpit, Puma, streaming, Sidekiq, nginx); the first pull takes minutes…`);
        mastodon = await startMastodonStack(planMastodonStack({ tag: plan.target.tag, ...opts.sizing }));
        stops.push(() => mastodon!.stop());
        env.BASE_URL = mastodon.baseUrl;
        env.MAIL_API_URL = mastodon.mailApiUrl;
      }
      // Held until the first phase binds it: the exporters and Prometheus pick
      // their ports meanwhile and must not be handed this one.
      if (abort.signal.aborted) throw new Error('interrupted');
      const runnerReservation = await reservePort();
      stops.push(() => runnerReservation.release());
      runnerPort = runnerReservation.port;
      const extraTargets = [
        scrapeTargetFromUrl(JOBS.runner, `http://127.0.0.1:${runnerPort}/metrics`),
        ...(standin ? [scrapeTargetFromUrl(JOBS.web, standin.metricsUrls[0]!), scrapeTargetFromUrl(JOBS.worker, standin.metricsUrls[1]!), scrapeTargetFromUrl(JOBS.streaming, standin.streamingMetricsUrl)] : []),
        ...(mastodon ? mastodon.metrics.map((m) => scrapeTargetFromUrl(m.job, m.url)) : []),
      ];
      // The run's own Prometheus always scrapes the runner; the instance's series
      // come from it too, or from the user's Prometheus (--prometheus-url).
      user = plan.metrics.prometheusUrl ? await connectUserPrometheus(plan.metrics.prometheusUrl, plan.metrics.jobs) : undefined;
      if (user) log(`reading the instance's series from ${user.backend.url} (rate windows ${user.windowSec} s)`);
      if (abort.signal.aborted) throw new Error('interrupted');
      log('starting Prometheus and exporters…');
      metrics = await startMetricsStack({
        postgresUrl: standin?.postgresUrl ?? mastodon?.postgresUrl,
        redisUrl: standin?.redisUrl ?? mastodon?.redisUrl,
        extraTargets,
        scrapeIntervalSec: 1,
        // This machine is the load generator; with the user's Prometheus its node metrics are the instance's.
        nodeExporter: !user,
      });
      stops.push(() => metrics!.stop());
      await runnerReservation.release();
    } catch (err) {
      // Ctrl-C also reaches what is being started (initdb, …), which then fails:
      // that is the interruption, and the run ends with a report of no load.
      if (!abort.signal.aborted) throw err;
    }
    const queries = runQueries({ jobs: plan.metrics.jobs, windowSec: user?.windowSec });

    const t0 = started.getTime();
    for (const phase of plan.phases) {
      if (abort.signal.aborted || !metrics) break;
      let startSec = (Date.now() - t0) / 1000;
      // What the rest of the machine takes meanwhile. A containerised target's
      // processes are not in this process tree, so they would count as neighbours.
      const cpuAtStart = plan.target.kind === 'mastodon' ? undefined : cpuSnapshot();
      log(`phase ${phase.name}: ${phase.scenario}, about ${Math.round(phase.plannedSec)} s`);
      const last = { t: 0, n: 0 };
      // The phase is judged from when its load starts: setup() (a cohort's signups,
      // a preflight) is not the load the objectives or the per-request costs are about.
      let loadStarted = false;
      const watch = watchTarget(env.BASE_URL ?? phase.env.BASE_URL!, {
        check: () => {
          const exit = standin?.worker().exit;
          return exit ? `the Sidekiq worker exited (${describeExit(exit)})` : undefined;
        },
        onDown: (reason) => {
          partialReason ??= `${reason} at t=${Math.round((Date.now() - t0) / 1000)} s, during the ${phase.name} phase`;
          log(`${partialReason}: stopping the load, then writing a partial report`);
          abort.abort();
        },
      });
      const load = () => plan.engine.engine === 'k6'
        ? runK6(
            k6PhaseRun({ script: script(phase.scenario), env: { ...phase.env, ...env }, outDir: plan.outDir, phase: phase.name, testid: basename(plan.outDir), remoteWriteUrl: metrics!.remoteWriteUrl }),
            plan.engine,
            { signal: abort.signal, logSink: (line) => log(`  ${line}`) },
          )
        : runTest({
        script: script(phase.scenario),
        env: { ...phase.env, ...env },
        metricsPort: runnerPort,
        metricsHost: '127.0.0.1',
        metricsTrendStats: ['p(50)', 'p(95)', 'p(99)', 'max', 'count'],
        signal: abort.signal,
        stdout: { write: () => true },
        logSink: (line) => log(`  ${line}`),
        progress: (p) => {
          if (!loadStarted && p.phase === 'running') {
            loadStarted = true;
            startSec = (Date.now() - t0) / 1000;
          }
          progress.update(runnerProgress(p, last, { phase: phase.name, totalMs: phase.plannedSec * 1000, rateUnit: phase.name === 'activity' ? 'requests/s' : 'signups/s' }));
        },
      });
      // The watch polls the target; it must stop however the load ends.
      const result = await load().finally(() => watch.stop());
      progress.done();
      const endSec = (Date.now() - t0) / 1000;
      const neighbours = cpuAtStart && neighbourShare(cpuAtStart, availableParallelism());
      phases.push({
        name: phase.name,
        kind: phase.name === 'breakpoint' ? 'stepped' : phase.name,
        startSec,
        endSec,
        ...(phase.name === 'breakpoint' ? { steps: breakpointSteps(phase.env, startSec) } : {}),
        ...(neighbours !== undefined ? { neighbourCpuShare: neighbours } : {}),
      });
      if (result.summaryData) await writeFile(join(plan.outDir, `summary-${phase.name}.json`), `${JSON.stringify(withoutSetupData(result.summaryData), null, 2)}\n`);
      if (plan.engine.engine === 'k6') await dropSetupDataFromExport(join(plan.outDir, `k6-summary-${phase.name}.json`));
      // What it may have created on the target, for surge cleanup.
      if (result.summaryData) await recordAccounts(plan.outDir, new URL(phase.env.BASE_URL ?? env.BASE_URL!).origin, { scenario: phase.scenario, phase: phase.name, env: phase.env, summary: result.summaryData });
    }
    const ended = new Date();
    const stepSec = 1;
    const range = [started.getTime() / 1000, ended.getTime() / 1000 + 2] as const;
    const bySource = (source: RunQuery['source']) => queries.filter((q) => q.source === source);
    const exported: Awaited<ReturnType<typeof exportRange>> = [];
    if (metrics) {
      // Prometheus needs a last scrape of the final seconds before the export.
      await new Promise((r) => setTimeout(r, 2000));
      exported.push(
        ...(await exportRange(metrics.api, bySource('runner'), ...range, stepSec)),
        ...(await exportRange((user?.backend ?? metrics).api, bySource('target'), ...range, stepSec)),
      );
    }
    await saveRunSeries(plan.outDir, exported, { start: started.getTime() / 1000, end: ended.getTime() / 1000 + 2, stepSec });
    // The instance's own daily figures, where an admin token is at hand.
    const measuresToken = opts.adminToken ?? mastodon?.adminToken;
    const measuresUrl = mastodon?.baseUrl ?? (plan.target.kind === 'url' ? plan.target.baseUrl : undefined);
    if (measuresToken && measuresUrl) log(await saveMeasures(plan.outDir, { baseUrl: measuresUrl, token: measuresToken, start: started, end: ended }));
    const meta: RunMeta = {
      schemaVersion: 1,
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      partial: partialReason !== undefined,
      ...(partialReason ? { partialReason: phases.length ? partialReason : `${partialReason} before any load was sent` } : {}),
      target: plan.target.kind === 'standin' ? { kind: 'standin', label: 'stand-in (mastodon-surge)' } : plan.target.kind === 'mastodon' ? { kind: 'url', label: `containerised Mastodon ${plan.target.tag}` } : { kind: 'url', label: plan.target.baseUrl },
      engine: plan.engine.engine,
      wave: {
        name: plan.wave.name,
        total: plan.wave.total * plan.wave.scale,
        durationSec: plan.wave.realDurationSec / plan.wave.compression,
        compression: plan.wave.compression,
        scale: plan.wave.scale,
        realDurationSec: plan.wave.realDurationSec,
        realPeakSignupRate: plan.wave.realPeakRate,
      },
      sizing: {
        webConcurrency: standin?.sizing.webConcurrency ?? opts.sizing.webConcurrency ?? 2,
        maxThreads: standin?.sizing.maxThreads ?? opts.sizing.maxThreads ?? 5,
        sidekiqConcurrency: standin?.sizing.sidekiqConcurrency ?? opts.sizing.sidekiqConcurrency ?? 5,
        dbPool: standin?.sizing.dbPool ?? opts.sizing.dbPool ?? null,
      },
      limits: { pgMaxConnections: 400, webCpuCores: (await import('node:os')).availableParallelism() },
      scrapeIntervalSec: 1,
      rateWindowSec: user?.windowSec ?? RATE_WINDOW_SEC,
      phases,
    };
    await writeRunMeta(plan.outDir, meta);
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
    const report = await buildRunReport(plan.outDir, opts.reportConfig);
    return { outDir: plan.outDir, reportPaths: report.paths, verdict: report.verdict, slosPassed: report.pass, partial: meta.partial, ...(signal ? { signal } : {}) };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// setup() data is what a scenario hands its VUs: the activity cohort's access
// tokens among it, live on the target until revoked. Run folders are shared
// (CI artifacts), so it is never kept; accounts.json records who the cohort is.
function withoutSetupData<T extends object>(summary: T): Omit<T, 'setup_data'> {
  const { setup_data: _, ...kept } = summary as T & { setup_data?: unknown };
  return kept;
}

/** k6's own --summary-export keeps setup_data as it is; rewritten without it. */
async function dropSetupDataFromExport(file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  await writeFile(file, `${JSON.stringify(withoutSetupData(JSON.parse(text) as object), null, 4)}\n`);
}
