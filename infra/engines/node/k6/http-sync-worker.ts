// The helper thread behind k6's blocking HTTP calls (http.get, http.batch…):
// the main thread posts round trips and sleeps on a shared flag; this thread
// performs them on each VU's own connections and wakes it with the outcome.

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { errorCodeFor, K6HttpError, TIMEOUT_CODE } from './http-errors.js';
import { type RawResponse, RoundTripError, type RoundTripRequest, type Trail } from './http-transport.js';
import { VUTransport } from './vu-transport.js';

export interface SyncCall {
  req: RoundTripRequest;
  plain: boolean;
  /** ms before the round trip is aborted with k6's request timeout; 0 = none. */
  timeoutMs: number;
}

export type SyncOutcome =
  | { ok: true; raw: RawResponse }
  | { ok: false; code: number; short: string; message: string; k6: boolean; trail: Trail | undefined };

export type SyncRequest =
  | { kind: 'calls'; vu: number; hosts: Record<string, string>; insecureSkipTLSVerify: boolean; calls: SyncCall[] }
  | { kind: 'close'; vu: number };

export interface SyncReply {
  outcomes: SyncOutcome[];
  /** Bytes this VU's sockets moved since the last reply. */
  io: { sent: number; received: number };
  /** This thread's performance.timeOrigin, to move its trail times onto the main thread's clock. */
  timeOrigin: number;
}

interface VUState {
  transport: VUTransport;
  io: { sent: number; received: number };
}

const port = workerData.port as MessagePort;
const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
const vus = new Map<number, VUState>();

async function perform(st: VUState, c: SyncCall): Promise<SyncOutcome> {
  // Structured clone turns Buffers into Uint8Arrays.
  const body = c.req.body === undefined ? undefined : Buffer.from(c.req.body.buffer, c.req.body.byteOffset, c.req.body.byteLength);
  const pending = st.transport.roundTrip({ ...c.req, body }, c.plain);
  let timedOut: K6HttpError | undefined;
  const timer =
    c.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = new K6HttpError(TIMEOUT_CODE, 'request timeout');
          pending.abort(timedOut);
        }, c.timeoutMs)
      : undefined;
  try {
    return { ok: true, raw: await pending.promise };
  } catch (e) {
    const cause = timedOut ?? (e instanceof RoundTripError ? e.cause : e);
    const [code, short] = errorCodeFor(cause);
    return {
      ok: false,
      code,
      short,
      message: cause instanceof Error ? cause.message : String(cause),
      k6: cause instanceof K6HttpError,
      trail: e instanceof RoundTripError ? e.trail : undefined,
    };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

port.on('message', (m: SyncRequest) => {
  if (m.kind === 'close') {
    vus.get(m.vu)?.transport.close();
    vus.delete(m.vu);
    return;
  }
  let st = vus.get(m.vu);
  if (!st) {
    const io = { sent: 0, received: 0 };
    st = { io, transport: new VUTransport({ hosts: m.hosts, insecureSkipTLSVerify: m.insecureSkipTLSVerify, io }) };
    vus.set(m.vu, st);
  }
  const state = st;
  void Promise.all(m.calls.map((c) => perform(state, c))).then((outcomes) => {
    const reply: SyncReply = { outcomes, io: { ...state.io }, timeOrigin: performance.timeOrigin };
    state.io.sent = 0;
    state.io.received = 0;
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});

parentPort?.postMessage('ready');
