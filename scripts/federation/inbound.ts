// The fleet's inbound load during a federation run: the federation-inbound
// k6 scenario on the Node runner, one run per instance at an equal share of
// the rate, signing with the keys the fleet handed over. What arrived is
// counted where it arrived: the instances' inbox requests and their 202s
// (http_requests_total of activitypub/inboxes, before and after).

import { join } from 'node:path';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { parseExposition, sumOf } from '../../reports/collect/exposition.js';
import { buildScenarios } from '../build-scenarios.js';
import type { FederationPlan } from './plan.js';

/** `instances[i]`: base URL, web metrics URL, and actor URIs of its accounts the fleet may follow. */
export async function runInbound(
  plan: FederationPlan,
  instances: ReadonlyArray<{ baseUrl: string; webMetricsUrl: string; actors: string[] }>,
  keyFile: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{ sent: number; accepted: number }> {
  const [built] = await buildScenarios({ entries: ['federation-inbound'], outDir: join(plan.outDir, 'k6') });
  const perInstance = plan.inboundRate / instances.length;
  const before = await Promise.all(instances.map((i) => inboxRequests(i.webMetricsUrl)));
  await Promise.all(
    instances.map(({ baseUrl, actors }, index) => {
      return runTest({
        script: built!.file,
        env: {
          BASE_URL: baseUrl,
          FLEET_KEYS: keyFile,
          RATE: String(perInstance),
          DURATION: `${plan.durationS}s`,
          MIX: actors.length ? 'create=9,follow=1' : 'create=1',
          FOLLOW_TARGETS: actors.join(','),
          SEED: String(plan.seed + index),
        },
        quiet: true,
        signal,
        stdout: { write: () => true },
        stderr: { write: () => true },
        logSink: (line) => log(`  inbound ${index + 1}: ${line}`),
      });
    }),
  );
  const after = await Promise.all(instances.map((i) => inboxRequests(i.webMetricsUrl)));
  return {
    sent: after.reduce((a, x, i) => a + x.all - before[i]!.all, 0),
    accepted: after.reduce((a, x, i) => a + x.accepted - before[i]!.accepted, 0),
  };
}

async function inboxRequests(url: string): Promise<{ all: number; accepted: number }> {
  try {
    const f = parseExposition(await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text());
    const inbox = { controller: 'activitypub/inboxes' };
    return { all: sumOf(f, 'http_requests_total', inbox), accepted: sumOf(f, 'http_requests_total', { ...inbox, status: '202' }) };
  } catch {
    return { all: 0, accepted: 0 };
  }
}
