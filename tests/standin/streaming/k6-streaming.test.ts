import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../../infra/engines/node/runtime/run.js';
import { startStandin, type StandinHandle } from '../../../infra/targets/standin/standin.js';
import { ENDPOINTS } from '../../../scenarios/waves/activity-defaults.js';
import { getWave } from '../../../scenarios/waves/builtin.js';
import { buildScenarios } from '../../../scripts/build-scenarios.js';
import { metric } from './support.js';

// newcomer-activity's streaming scenario (k6/websockets, async) on the Node
// runner against a stand-in: newcomers hold their user stream, post, and see
// the post arrive; the streaming server counts them.

let s: StandinHandle;
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'surge-stream-k6-'));
  const [standin, built] = await Promise.all([
    startStandin({ webConcurrency: 1, maxThreads: 5, sidekiqConcurrency: 2 }),
    buildScenarios({ outDir: dir, entries: ['newcomer-activity'] }),
  ]);
  s = standin;
  bundle = built[0]!.file;
}, 180_000);
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A wave whose newcomers all keep the app open and barely make other requests, so streaming is the load. */
function streamingWave(): string {
  const base = getWave('exodus-day-one');
  const quiet = Object.fromEntries(ENDPOINTS.map((e) => [e, 0]));
  return JSON.stringify({ ...base, name: 'streaming-only', signups: { ...base.signups, total: 30 }, newcomers: { ...quiet, streamingShare: 0.2 } });
}

describe('newcomer-activity streaming', () => {
  it('holds user streams that deliver each newcomer’s own post', async () => {
    const messagesBefore = await metric(s.streamingMetricsUrl, 'messages_sent_total', { type: 'websocket' });
    let log = '';
    const r = await runTest({
      script: bundle,
      env: {
        BASE_URL: s.baseUrl, MAIL_API_URL: s.mailApiUrl, SEED: '301', WAVE_JSON: streamingWave(), DURATION: '20s', COHORT_SIZE: '3', STREAM_HOLD: '5s',
      },
      quiet: true,
      stdout: { write: () => true },
      stderr: { write: (c: string | Uint8Array) => void (log += String(c)) },
      logSink: (l) => void (log += `${l}\n`),
    });
    expect(r.exitCode, log.slice(-2000)).toBe(0);
    const metrics = r.summaryData!.metrics as Record<string, { values: Record<string, number> }>;
    const checks: Record<string, { passes: number; fails: number }> = {};
    for (const c of (r.summaryData!.root_group as { checks: { name: string; passes: number; fails: number }[] }).checks) checks[c.name] = c;
    const sessions = metrics.ws_sessions!.values.count!;
    expect(sessions).toBeGreaterThanOrEqual(3);
    expect(checks['user stream opens']).toMatchObject({ passes: sessions, fails: 0 });
    expect(checks["user stream delivers the newcomer's own post"]).toMatchObject({ passes: sessions, fails: 0 });
    expect(metrics.streaming_update_latency!.values['p(95)']).toBeGreaterThan(0);
    expect(metrics.streaming_update_latency!.values['p(95)']).toBeLessThan(5000);
    expect(metrics.streaming_messages!.values.count).toBeGreaterThanOrEqual(sessions);
    // Every session saw at least its own post, as the server counted it.
    expect((await metric(s.streamingMetricsUrl, 'messages_sent_total', { type: 'websocket' })) - messagesBefore).toBeGreaterThanOrEqual(sessions);
    expect(await metric(s.streamingMetricsUrl, 'connected_clients', { type: 'websocket' })).toBe(0);
  });
});
