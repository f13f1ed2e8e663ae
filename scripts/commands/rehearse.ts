import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { RUN_FILE } from '../../reports/collect/run-folder.js';
import { findK6 } from '../../infra/engines/k6/command.js';
import { AdminTokenError, readAdminToken } from '../../infra/targets/mastodon/admin-token.js';
import { dockerAvailable } from '../../infra/services/docker.js';
import { DEFAULT_MASTODON_TAG } from '../../infra/targets/mastodon/version.js';
import { isBuiltinWave } from '../../scenarios/waves/builtin.js';
import { describeWave } from '../../scenarios/waves/describe.js';
import { loadWave, WaveError } from '../../scenarios/waves/load.js';
import { oneOf, positiveNumber, reportConfigFlags, wholeNumber } from '../options.js';
import { rehearse } from '../rehearse/execute.js';
import { planRehearsal, type RehearseFlags } from '../rehearse/plan.js';
import { UsageError } from '../run/plan.js';

// `surge rehearse`: the main job. Replays a migration wave against a target,
// finds where it breaks and what breaks first, and writes the capacity report.


export function rehearseCommand(): Command {
  // Both spellings set one value, the last winning; given together they contradict.
  const breakpointFlags = new Set<string>();
  return new Command('rehearse')
    .on('option:breakpoint', () => breakpointFlags.add('--breakpoint'))
    .on('option:no-breakpoint', () => breakpointFlags.add('--no-breakpoint'))
    .description('rehearse a signup wave against a target and write a capacity-planning report')
    .option('--wave <name|file>', 'built-in wave or a .json/.yaml wave file', 'exodus-day-one')
    .option('--target <target>', 'auto (containerised Mastodon where Docker runs, else the stand-in), standin, mastodon or a URL', 'auto')
    .option('--tag <tag>', `containerised Mastodon: image tag (default ${DEFAULT_MASTODON_TAG})`)
    .option('--engine <engine>', 'k6, node or auto (k6 when on PATH, else the Node runner); k6 without a binary uses the grafana/k6 image where Docker runs', oneOf('k6', 'node', 'auto'))
    .option('--i-own-this-instance', 'allow a target that is not on this machine')
    .option('--mail-api-url <url>', 'Mailpit API receiving a URL target\'s mail')
    .option('--compress <n>', 'play the wave this many times faster (default: the whole wave in 4 minutes)', positiveNumber('--compress'))
    .option('--duration <d>', 'play the whole wave in this long, e.g. 5m')
    .option('--scale <x>', 'the wave on an instance this many times the size (default: fitted to the breakpoint range)', positiveNumber('--scale'))
    .option('--breakpoint', 'run only the breakpoint phase')
    .option('--no-breakpoint', 'skip the breakpoint phase')
    .option('--phases <list>', 'phases to run, in order: breakpoint,wave,activity')
    .option('--bp-steps <n>', 'breakpoint: number of steps', wholeNumber(1, 200), 12)
    .option('--bp-step-duration <d>', 'breakpoint: length of each step', '20s')
    .option('--bp-start-rate <r>', 'breakpoint: signups/s of the first step', positiveNumber('--bp-start-rate'), 1)
    .option('--bp-step-rate <r>', 'breakpoint: signups/s added per step', positiveNumber('--bp-step-rate'), 1)
    .option('--activity-rate <r>', "activity phase: peak of the newcomers' everyday requests/s", positiveNumber('--activity-rate'), 50)
    .option('--activity-duration <d>', 'activity phase: its length', '2m')
    .option('--seed <n>', 'synthetic-user seed (default: from the clock, so reruns never collide)', wholeNumber(0, 2 ** 31))
    .option('--out <dir>', 'run folder (default runs/<time>-<wave>)')
    .option('--prometheus-url <url>', "read a URL target's server-side series from your Prometheus, which already scrapes it")
    .option('--prometheus-jobs <list>', 'its scrape job names by role: web=JOB,worker=JOB,streaming=JOB,postgres=JOB,redis=JOB,node=JOB')
    .option('--admin-token <env:NAME|file:PATH>', "URL target: where an admin token is (admin:read admin:write): the instance's admin measures are kept, for surge cleanup later; never the token itself")
    .option('--slo <file>', 'SLO overrides (JSON/YAML)')
    .option('--prices <file>', 'price sheet overrides (JSON/YAML)')
    .option('--fail-on-slo', 'exit 1 when an SLO failed')
    .option('--dry-run', 'print the plan and send nothing')
    .option('--web-concurrency <n>', 'web processes (WEB_CONCURRENCY) of the target started for the run; for a URL target, the instance\'s, for the report', wholeNumber(1, 64))
    .option('--max-threads <n>', 'threads per web process (MAX_THREADS), likewise', wholeNumber(1, 256))
    .option('--sidekiq-concurrency <n>', 'Sidekiq threads (SIDEKIQ_CONCURRENCY), likewise', wholeNumber(1, 256))
    .option('--mail-delay <d>', "stand-in: its mail relay takes this long per message, e.g. 2s (a slow provider)")
    .option('--mail-quota <n>', "stand-in: its mail relay refuses mail past this many a day (a provider's quota)", wholeNumber(0, 10_000_000))
    .option('--db-pool <n>', 'DB_POOL per process, likewise (default: the threads)', wholeNumber(1, 256))
    .action(async (o: RehearseFlags & Record<string, any>) => {
      if (breakpointFlags.size > 1) throw new UsageError('--breakpoint (only the breakpoint) and --no-breakpoint (skip it) contradict each other: give one');
      let wave;
      try {
        wave = await loadWave(o.wave);
      } catch (err) {
        throw err instanceof WaveError ? new UsageError(`--wave: ${err.message}`) : err;
      }
      const plan = planRehearsal(o, wave, {
        docker: await dockerAvailable(),
        k6Path: findK6(),
        now: new Date(),
        cwd: process.cwd(),
        waveJson: isBuiltinWave(o.wave) ? undefined : JSON.stringify(wave),
      });
      // Everything that can be refused is checked before any note is printed: a refusal is one line.
      const adminToken = await adminTokenFor(o.adminToken, plan.target.kind);
      const reportConfig = await reportConfigFlags(o.slo, o.prices);
      // A run folder's report reads every summary in it: an earlier run's would mix into this one's.
      if (existsSync(join(plan.outDir, RUN_FILE))) throw new UsageError(`--out ${plan.outDir} already holds a run (${RUN_FILE}): give a new folder, or remove that one first`);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      for (const note of plan.notes) log(note);
      if (o.dryRun) {
        process.stdout.write(`${JSON.stringify({ description: describeWave(wave), ...plan }, null, 2)}\n`);
        return;
      }
      log(`rehearsing ${describeWave(wave)}`);
      const outcome = await rehearse(plan, {
        sizing: { webConcurrency: o.webConcurrency, maxThreads: o.maxThreads, sidekiqConcurrency: o.sidekiqConcurrency, dbPool: o.dbPool },
        reportConfig,
        adminToken,
        log,
      });
      process.stdout.write(`${outcome.verdict}\n\nreport: ${outcome.reportPaths.join('\n        ')}\n`);
      if (o.failOnSlo && outcome.slosPassed === false) process.exitCode = 1;
      // Cut short by Ctrl-C or SIGTERM: the partial report is written, and scripts still learn the run did not finish.
      if (outcome.signal) process.exitCode = outcome.signal === 'SIGINT' ? 130 : 143;
    });
}

/** Read (never printed) before anything starts; only a URL target takes one. */
async function adminTokenFor(source: string | undefined, target: string): Promise<string | undefined> {
  if (!source) return undefined;
  if (target !== 'url') throw new UsageError('--admin-token is for a URL target: the stand-in and the containerised Mastodon make their own');
  try {
    return await readAdminToken(source);
  } catch (err) {
    throw err instanceof AdminTokenError ? new UsageError(err.message) : err;
  }
}
