// k6's blocking calls on Node: the calling VU's thread really blocks, as in
// k6. `sleep()` waits on a private Atomics word; blocking HTTP round trips are
// handed to one helper thread (http-sync-worker.ts) that owns each VU's
// connections for them, while this thread sleeps until it answers. Everything
// else on this thread (other VUs, timers, the scheduler) waits meanwhile,
// which is why a process runs such VUs one at a time (see README).

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { K6HttpError, RelayedError } from './http-errors.js';
import { type RawResponse, RoundTripError } from './http-transport.js';
import type { SyncCall, SyncOutcome, SyncReply, SyncRequest } from './http-sync-worker.js';
import type { VU } from '../runtime/vu.js';

const BOOT = new URL('./http-sync-boot.mjs', import.meta.url);
const ENTRY = new URL('./http-sync-worker.ts', import.meta.url).href;
/** How long the helper may take beyond the requests' own timeouts (its first start loads tsx). */
const HELPER_SLACK_MS = 60_000;

interface Helper {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  /** Settles once the helper has loaded (or failed to: the first call then reports why). */
  ready: Promise<void>;
}

let helper: Helper | undefined;
/** Whether this thread blocked since the last blockedSinceAsked(). */
let blocked = false;

/**
 * Whether a blocking call held this thread since the last ask. Iterations
 * chain on promise callbacks, which run before any timer: after blocking, the
 * runner yields so the timers that came due meanwhile (schedules, vus samples,
 * progress) run before the next iteration.
 */
export function blockedSinceAsked(): boolean {
  const b = blocked;
  blocked = false;
  return b;
}

/** Start the helper thread ahead of the first blocking call, which would otherwise wait for it to load. */
export function startBlockingHelper(): Promise<void> {
  helper ??= startHelper();
  return helper.ready;
}

function startHelper(): Helper {
  const { port1, port2 } = new MessageChannel();
  const sab = new SharedArrayBuffer(4);
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY, port: port2, flag: sab }, transferList: [port2] });
  // Once loaded, the helper never keeps the process alive; it is torn down with it.
  // (Until then it must: startBlockingHelper()'s caller may have nothing else pending.)
  const ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  }).then(() => void worker.unref());
  port1.unref();
  return { worker, port: port1, flag: new Int32Array(sab), ready };
}

/** The runs already told (once per run). */
const warnedRuns = new WeakSet<object>();

/**
 * Say once per run when a blocking call holds up other VUs too: this
 * process has several (an async script calling sleep() or http.get, or more
 * VUs than processes), where k6 would block only the caller.
 */
export function warnIfShared(vu: VU, call: string): void {
  if (warnedRuns.has(vu.shared) || vu.inInit || vu.shared.exec.initializedVUs() < 2) return;
  warnedRuns.add(vu.shared);
  vu.logger.warn(
    `${call} blocks every VU of this process (${vu.shared.exec.initializedVUs()} here), not just the caller as in k6: ` +
      'in async code use `await new Promise((r) => setTimeout(r, ms))` and `await http.asyncRequest(...)`; ' +
      'a script of plain (not async) functions gets one process per VU from surge run',
  );
}

/** A word nothing ever changes or notifies, so waiting on it simply sleeps. */
const SLEEP_WORD = new Int32Array(new SharedArrayBuffer(4));

/** Block this thread for ms milliseconds (k6's sleep). */
export function blockFor(ms: number): void {
  if (!(ms > 0)) return;
  blocked = true;
  Atomics.wait(SLEEP_WORD, 0, 0, ms);
}

export interface SyncTransportOptions {
  hosts: Record<string, string>;
  insecureSkipTLSVerify: boolean;
  io: { sent: number; received: number };
}

/**
 * Run round trips in parallel on the helper thread and block until all are
 * done. Each result is the RawResponse or the RoundTripError the async
 * transport would have produced; the VU's byte counters are advanced.
 */
export function blockingRoundTrips(vuKey: number, o: SyncTransportOptions, calls: SyncCall[]): (RawResponse | RoundTripError | Error)[] {
  helper ??= startHelper();
  const h = helper;
  blocked = true;
  const msg: SyncRequest = { kind: 'calls', vu: vuKey, hosts: o.hosts, insecureSkipTLSVerify: o.insecureSkipTLSVerify, calls };
  Atomics.store(h.flag, 0, 0);
  h.port.postMessage(msg);
  const limit = Math.max(0, ...calls.map((c) => c.timeoutMs)) + HELPER_SLACK_MS;
  Atomics.wait(h.flag, 0, 0, limit);
  const got = receiveMessageOnPort(h.port)?.message as SyncReply | { fatal: string } | undefined;
  if (!got) throw new Error(`the Node runner's HTTP helper thread did not answer within ${limit} ms`);
  if ('fatal' in got) {
    helper = undefined;
    void h.worker.terminate();
    throw new Error(`the Node runner's HTTP helper thread failed to start: ${got.fatal}`);
  }
  o.io.sent += got.io.sent;
  o.io.received += got.io.received;
  const shift = got.timeOrigin - performance.timeOrigin;
  return got.outcomes.map((r: SyncOutcome) => {
    const trail = r.ok ? r.raw.trail : r.trail;
    if (trail) trail.end += shift;
    if (r.ok) return { ...r.raw, body: Buffer.from(r.raw.body.buffer, r.raw.body.byteOffset, r.raw.body.byteLength) };
    const cause = r.k6 ? new K6HttpError(r.code, r.short, r.message) : new RelayedError(r.code, r.short, r.message);
    return trail ? new RoundTripError(cause, trail) : cause;
  });
}

/** Drop a VU's helper-side connections. */
export function closeBlockingTransport(vuKey: number): void {
  if (!helper) return;
  const msg: SyncRequest = { kind: 'close', vu: vuKey };
  helper.port.postMessage(msg);
}
