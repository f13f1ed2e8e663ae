// Carries out `surge federation`: population, a posting load (and optionally
// the fleet's inbound load), an optional outage of one instance, sampling,
// then the kept data and the report. Ctrl-C stops the load and still writes a
// partial report; everything started is stopped in the end.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killGroup } from '../../infra/services/child.js';
import { postText, rngFor } from '../../scenarios/lib/users.js';
import { buildFederationReportFiles } from '../../reports/federation/build.js';
import type { FederationRunData, RunPost } from '../../reports/federation/types.js';
import { ProgressLine } from '../ui/progress.js';
import { postStatus } from './accounts.js';
import { buildGraph, followersOf, remoteServersOf } from './graph.js';
import { runInbound } from './inbound.js';
import type { FederationPlan } from './plan.js';
import { populate, startServices, type Population } from './population.js';
import { InstanceSampler } from './sampler.js';

export interface FederationOutcome {
  outDir: string;
  reportPaths: string[];
  headline: string;
  partial: boolean;
}

/** After the load: how long deliveries may take to settle before the books close. */
const DRAIN_MAX_S = 20;
const MAX_POSTS_IN_FLIGHT = 16;

export async function runFederation(plan: FederationPlan, log: (line: string) => void): Promise<FederationOutcome> {
  await mkdir(plan.outDir, { recursive: true });
  const abort = new AbortController();
  let partialReason: string | undefined;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // A second Ctrl-C leaves at once; the services' watchdog still cleans up.
    if (++signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    partialReason = `interrupted by ${sig}`;
    log(`${sig}: stopping the load, then writing a partial report (Ctrl-C again to quit now)`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  const startedAt = new Date();
  try {
    const graph = buildGraph({ instances: plan.instances, users: plan.users, fleetDomains: plan.fleetDomains, followsPerAccount: plan.followsPerAccount, shape: plan.shape, seed: plan.seed });
    const services = await startServices(plan, graph, (stop) => stops.push(stop), log);
    const pop = await populate(plan, graph, services, log, abort.signal);
    const { standins, fleet } = pop;
    const fleetDomainOf = (graphInstance: number) => fleet.domains[graphInstance - plan.instances]!.domain;
    const observer = fleet.domains[pop.observerDomain]!.domain;
    const followers = followersOf(graph);

    const t0 = Date.now();
    const sampler = new InstanceSampler(
      standins.map((s, index) => ({ index, workerMetricsUrl: s.metricsUrls[1]!, redisUrl: s.redisUrl, postgresUrl: s.postgresUrl })),
      t0,
    );
    sampler.start();
    const posts: RunPost[] = [];
    const postFailures: FederationRunData['postFailures'] = [];
    let outage: FederationRunData['outage'];
    const authors = [...pop.members.keys()];
    const progress = new ProgressLine();
    // A message during the load clears the progress line first, or the two would share a line.
    const say = (line: string) => {
      progress.done();
      log(line);
    };
    log(`posting ${plan.postRate}/s for ${plan.durationS} s${plan.kill ? `; instance ${plan.kill.instance + 1} goes down at ${plan.kill.atS} s for ${plan.kill.downForS} s` : ''}…`);

    const outageDone = plan.kill ? takeDown(plan.kill, standins[plan.kill.instance]!, t0, abort.signal, say, (o) => (outage = o)) : Promise.resolve();
    const inboundTargets = standins.map((s, index) => ({
      baseUrl: s.baseUrl,
      webMetricsUrl: s.metricsUrls[0]!,
      actors: [...pop.members].filter(([id]) => graph.accounts[id]!.instance === index).map(([, m]) => `http://${s.localDomain}/users/${m.user.username}`),
    }));
    const inbound = services.keyFile ? runInbound(plan, inboundTargets, services.keyFile, abort.signal, say) : Promise.resolve(undefined);

    let inFlight = 0;
    const pending = new Set<Promise<void>>();
    const end = t0 + plan.durationS * 1000;
    for (let n = 0; Date.now() < end && !abort.signal.aborted; n++) {
      const due = t0 + (n * 1000) / plan.postRate;
      if (due > Date.now()) await sleepUntil(due, abort.signal);
      if (abort.signal.aborted || Date.now() >= end) break;
      const rng = rngFor(plan.seed, 0x9057, n);
      const author = authors[Math.floor(rng() * authors.length)]!;
      const instance = graph.accounts[author]!.instance;
      if (inFlight >= MAX_POSTS_IN_FLIGHT) {
        postFailures.push({ t: (Date.now() - t0) / 1000, instance, message: `skipped: ${MAX_POSTS_IN_FLIGHT} posts already waiting for an answer` });
        continue;
      }
      inFlight++;
      const p = postStatus({ baseUrl: standins[instance]!.baseUrl, mailApiUrl: standins[instance]!.mailApiUrl }, pop.members.get(author)!, postText(rng), `surge-fed-${plan.seed}-${n}`)
        .then((posted) => {
          const servers = remoteServersOf(graph, followers, author);
          posts.push({
            uri: posted.uri,
            instance,
            publishedMs: posted.createdAtMs,
            expected: {
              standins: servers.filter((i) => i < plan.instances),
              fleet: [...servers.filter((i) => i >= plan.instances).map(fleetDomainOf), observer],
            },
          });
        })
        .catch((err: Error) => void postFailures.push({ t: (Date.now() - t0) / 1000, instance, message: err.message }))
        .finally(() => {
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
      progress.update({ phase: 'federation', elapsedMs: Date.now() - t0, totalMs: plan.durationS * 1000, rate: plan.postRate, rateUnit: 'posts/s', errorRate: postFailures.length / Math.max(1, posts.length + postFailures.length) });
    }
    await Promise.all(pending);
    progress.done();
    await outageDone;
    const inboundResult = await inbound;
    if (abort.signal.aborted) partialReason ??= 'interrupted';

    // Let queued deliveries land (or fail and be scheduled for retry) before the books close.
    if (!abort.signal.aborted) await drain(sampler, fleet, posts, abort.signal, log);
    const endedAt = new Date();
    await sampler.stop();
    const arrivals = await fleet.arrivals();
    const { addresses: _addresses, outDir: _outDir, ...runPlan } = plan;
    const run: FederationRunData = {
      schemaVersion: 1,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      partial: partialReason !== undefined,
      ...(partialReason ? { partialReason } : {}),
      loadStartMs: t0,
      plan: runPlan,
      instances: standins.map((s, index) => ({ index, domain: s.localDomain, users: graph.instances[index]!.size })),
      fleet: fleet.domains.map((d, i) => ({ domain: d.domain, actors: d.usernames.length, role: i === pop.observerDomain ? 'observer' : 'graph' })),
      follows: pop.follows,
      ...(outage ? { outage } : {}),
      posts,
      postFailures,
      ...(inboundResult ? { inbound: inboundResult } : {}),
      arrivals,
      samples: sampler.samples,
    };
    await writeFile(join(plan.outDir, 'federation-run.json'), `${JSON.stringify(run)}\n`);
    await stopAll();
    const report = await buildFederationReportFiles(plan.outDir);
    return { outDir: plan.outDir, reportPaths: report.paths, headline: report.headline, partial: run.partial };
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Kills the instance's web and worker (as a crash would) at `atS`, restarts them `downForS` later. */
async function takeDown(
  kill: NonNullable<FederationPlan['kill']>,
  standin: Population['standins'][number],
  t0: number,
  signal: AbortSignal,
  log: (line: string) => void,
  record: (o: NonNullable<FederationRunData['outage']>) => void,
): Promise<void> {
  await sleepUntil(t0 + kill.atS * 1000, signal);
  if (signal.aborted) return;
  for (const proc of [standin.web(), standin.worker()]) killGroup(proc.pid, 'SIGKILL');
  await Promise.all([standin.web().exited, standin.worker().exited]);
  const downAtS = (Date.now() - t0) / 1000;
  record({ instance: kill.instance, downAtS });
  log(`  instance ${kill.instance + 1} (${standin.localDomain}) is down at ${downAtS.toFixed(1)} s`);
  await sleepUntil(t0 + (kill.atS + kill.downForS) * 1000, signal);
  // Restart even after Ctrl-C: the partial report still reads its counters.
  await Promise.all([standin.startWeb(), standin.startWorker()]);
  const upAtS = (Date.now() - t0) / 1000;
  record({ instance: kill.instance, downAtS, upAtS });
  log(`  instance ${kill.instance + 1} is back at ${upAtS.toFixed(1)} s`);
}

/** Waits until every push queue is empty and every post reached the fleet, or DRAIN_MAX_S passed. */
async function drain(sampler: InstanceSampler, fleet: Population['fleet'], posts: readonly RunPost[], signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const expected = posts.reduce((a, p) => a + p.expected.fleet.length, 0);
  const deadline = Date.now() + DRAIN_MAX_S * 1000;
  while (Date.now() < deadline && !signal.aborted) {
    const latest = new Map(sampler.samples.map((s) => [s.instance, s]));
    const backlog = [...latest.values()].reduce((a, s) => a + (s.pushBacklog ?? 0), 0);
    const arrived = (await fleet.summary()).arrivals;
    if (backlog === 0 && arrived >= expected) return;
    await sleepUntil(Date.now() + 1000, signal);
  }
  log(`  deliveries still pending after ${DRAIN_MAX_S} s of draining (retries run on Sidekiq's backoff); the report counts what arrived`);
}

function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  const ms = at - Date.now();
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
