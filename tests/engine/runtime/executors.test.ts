import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../../../infra/engines/node/runtime/run.js';
import { fixture, run } from './helpers.js';

let wss: WebSocketServer;
let wsURL: string;
beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (sock) => sock.on('message', (m) => sock.send(`echo:${String(m)}`)));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const addr = wss.address() as { port: number };
  wsURL = `ws://127.0.0.1:${addr.port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => wss.close(() => r()));
});

describe('more executors and modules', () => {
  it('ramping-vus ramps up and down; ramp-down interrupts iterations after gracefulRampDown', async () => {
    const snaps: ProgressSnapshot[] = [];
    const r = await run({ script: fixture('ramping-vus.js'), noSummary: true, progress: (p) => snaps.push(p), progressIntervalMs: 200 });
    expect(r.exitCode).toBe(0);
    const running = snaps.filter((p) => p.phase === 'running');
    expect(running.length).toBeGreaterThan(3);
    expect(Math.max(...running.map((p) => p.vus))).toBe(4);
    expect(running.at(-1)!.scenarios[0]).toMatchObject({ name: 'ramp', executor: 'ramping-vus' });
    expect(snaps.at(-1)!.phase).toBe('done');
    const m = r.summaryData!.metrics;
    expect(m.active_vus!.values.max).toBe(4);
    expect(m.iterations!.values.count).toBeGreaterThan(5);
    expect(r.summaryData!.state.testRunDurationMs).toBeLessThan(2600);
  });

  it('ramping-vus ends once its VUs have returned, not gracefulRampDown/gracefulStop after the stages', async () => {
    const r = await run({ script: fixture('ramping-default.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    expect(r.summaryData!.metrics.iterations!.values.count).toBeGreaterThan(3);
    expect(r.summaryData!.state.testRunDurationMs).toBeLessThan(2500);
  });

  it('k6/websockets: events, send/close, ws_* metrics; an open socket keeps the iteration alive', async () => {
    const r = await run({ script: fixture('ws.js'), env: { WS_URL: wsURL }, noSummary: true });
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    expect(m.checks!.values).toMatchObject({ passes: 6, fails: 0 });
    expect(m.ws_sessions!.values.count).toBe(2);
    expect(m.ws_msgs_sent!.values.count).toBe(4);
    expect(m.ws_msgs_received!.values.count).toBe(4);
    expect(m.ws_connecting!.values.count).toBeUndefined();
    expect(m.ws_session_duration!.type).toBe('trend');
  });

  it('exec.test.fail() → 110; per-vu-iterations drops what maxDuration cut off', async () => {
    const r = await run({ script: fixture('fail-and-timeouts.js'), noSummary: true });
    expect(r.exitCode).toBe(110);
    expect(r.logs.some((l) => l.level === 'error' && l.msg === 'test marked as failed: not good')).toBe(true);
    const m = r.summaryData!.metrics;
    const done = m.iterations!.values.count!;
    expect(done).toBeGreaterThanOrEqual(2);
    // the iteration running at maxDuration is interrupted (gracefulStop 0s), the rest dropped
    expect(done + m.dropped_iterations!.values.count! + 1).toBe(100);
  });

  it('setupTimeout → 100', async () => {
    const r = await run({ script: fixture('fail-and-timeouts.js'), env: { SLOW_SETUP: '1', SETUP_TIMEOUT: '200ms' }, noSummary: true });
    expect(r.exitCode).toBe(100);
    expect(r.error).toBe('setup() execution timed out after 0 seconds');
  });
});
