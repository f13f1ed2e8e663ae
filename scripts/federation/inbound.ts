// The fleet's inbound load during a federation run: the federation-inbound
// k6 scenario on the Node runner, one run per instance at an equal share of
// the rate, signing with the keys the fleet handed over.

import { join } from 'node:path';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { buildScenarios } from '../build-scenarios.js';
import type { FederationPlan } from './plan.js';

/** `instances[i]`: base URL, and actor URIs of its accounts the fleet may follow. */
export async function runInbound(
  plan: FederationPlan,
  instances: ReadonlyArray<{ baseUrl: string; actors: string[] }>,
  keyFile: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{ sent: number; accepted: number }> {
  const [built] = await buildScenarios({ entries: ['federation-inbound'], outDir: join(plan.outDir, 'k6') });
  const perInstance = plan.inboundRate / instances.length;
  const results = await Promise.all(
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
  let sent = 0;
  let accepted = 0;
  for (const r of results) {
    const m = r.summaryData?.metrics as Record<string, { values: Record<string, number> }> | undefined;
    sent += m?.http_reqs?.values.count ?? 0;
    accepted += m?.checks?.values.passes ?? 0;
  }
  return { sent, accepted };
}
