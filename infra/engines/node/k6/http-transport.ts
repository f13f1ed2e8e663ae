// One HTTP round trip over undici with k6's tracer timings
// (lib/netext/httpext/tracer.go): blocked = gotConn − getConn, connecting
// and tls_handshaking for new connections only, sending = wroteRequest −
// (tlsDone | connectDone | gotConn), waiting = first byte − wroteRequest,
// receiving = done − first byte, duration = sending + waiting + receiving.
// Each VU has its own Agent (k6 gives each VU its own transport), so
// connections are never shared between VUs.

import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

export interface Trail {
  blocked: number;
  connecting: number;
  tlsHandshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
  /** performance.now() at the end */
  end: number;
  connReused: boolean;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  tlsVersion?: string | undefined;
  tlsCipher?: string | undefined;
}

export interface RawResponse {
  status: number;
  statusText: string;
  /** Raw header pairs as received. */
  rawHeaders: [string, string][];
  body: Buffer;
  trail: Trail;
}

export interface RoundTripRequest {
  origin: string;
  path: string;
  method: string;
  headers: [string, string][];
  body: Buffer | undefined;
  /** Close the connection after this request (noConnectionReuse). */
  reset?: boolean;
}

/** Error from a round trip, with the trail measured so far. */
export class RoundTripError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly trail: Trail,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface ConnInfo {
  start: number;
  tcpDone: number;
  done: number;
  tls: boolean;
  used: boolean;
  lastRead: number;
  lastWritten: number;
}

export const CONN = Symbol('k6conn');
export type TracedSocket = Socket & { [CONN]?: ConnInfo };

export interface IOCounter {
  sent: number;
  received: number;
}

/** The tracer's marks (performance.now() ms; 0 = not reached) of one round trip. */
export interface TrailMarks {
  getConn: number;
  gotConn: number;
  connectStart: number;
  connectDone: number;
  tlsStart: number;
  tlsDone: number;
  wrote: number;
  firstByte: number;
  reused: boolean;
  socket: TracedSocket | undefined;
}

/** The k6 timings from the marks, at the end of the round trip (now); counts the socket's bytes. */
export function buildTrail(m: TrailMarks, io: IOCounter): Trail {
  const done = performance.now();
  if (m.socket) account(m.socket, io);
  const t: Trail = {
    blocked: 0,
    connecting: 0,
    tlsHandshaking: 0,
    sending: 0,
    waiting: 0,
    receiving: 0,
    duration: 0,
    end: done,
    connReused: m.reused,
  };
  if (m.gotConn && m.gotConn > m.getConn) t.blocked = m.gotConn - m.getConn;
  if (m.connectDone && m.connectStart) t.connecting = m.connectDone - m.connectStart;
  if (m.tlsDone && m.tlsStart) t.tlsHandshaking = m.tlsDone - m.tlsStart;
  if (m.wrote) {
    if (m.tlsDone) t.sending = m.wrote - m.tlsDone;
    else if (m.connectDone) t.sending = m.wrote - m.connectDone;
    else t.sending = m.wrote - m.gotConn;
    if (t.sending < 0) t.sending = 0;
    if (m.firstByte) {
      if (m.firstByte > m.wrote) t.waiting = m.firstByte - m.wrote;
    } else {
      t.waiting = done - m.wrote;
    }
  }
  if (m.firstByte) t.receiving = done - m.firstByte;
  t.duration = t.sending + t.waiting + t.receiving;
  const s = m.socket;
  if (s) {
    t.remoteAddress = s.remoteAddress;
    t.remotePort = s.remotePort;
    const tls = s as unknown as { getProtocol?: () => string | null; getCipher?: () => { standardName?: string; name: string } };
    if (typeof tls.getProtocol === 'function') {
      t.tlsVersion = tls.getProtocol() ?? undefined;
      const c = tls.getCipher?.();
      t.tlsCipher = c?.standardName ?? c?.name;
    }
  }
  return t;
}

export interface AgentOptions {
  insecureSkipTLSVerify: boolean;
  hosts: Record<string, string>;
  io: IOCounter;
}

/** A per-VU undici Agent whose sockets record their connect timings. */
export function createAgent(o: AgentOptions): Agent {
  const base = buildConnector({ rejectUnauthorized: !o.insecureSkipTLSVerify, timeout: 60_000 });
  const connect = ((opts: Record<string, unknown>, cb: (err: Error | null, socket?: Socket) => void) => {
    const start = performance.now();
    const hostname = String(opts.hostname);
    const mapped = o.hosts[hostname];
    const target = mapped ? { ...opts, hostname: mapped, servername: opts.servername ?? hostname } : opts;
    let tcpDone = 0;
    const sock = (base as unknown as (o: unknown, cb: (err: Error | null, s?: Socket) => void) => Socket)(target, (err, s) => {
      if (!err && s) {
        const done = performance.now();
        (s as TracedSocket)[CONN] = {
          start,
          tcpDone: tcpDone || done,
          done,
          tls: target.protocol === 'https:',
          used: false,
          lastRead: 0,
          lastWritten: 0,
        };
        s.once('close', () => account(s as TracedSocket, o.io));
      }
      cb(err, s);
    });
    sock.once('connect', () => (tcpDone = performance.now()));
    return sock;
  }) as unknown as buildConnector.connector;
  return new Agent({
    connect,
    keepAliveTimeout: 30_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    pipelining: 1,
  });
}

/** Add the socket's new bytes to the VU's counters. */
export function account(s: TracedSocket, io: IOCounter): void {
  const info = s[CONN];
  if (!info) return;
  const r = s.bytesRead;
  const w = s.bytesWritten;
  io.received += r - info.lastRead;
  io.sent += w - info.lastWritten;
  info.lastRead = r;
  info.lastWritten = w;
}

let handlerSymbol: symbol | undefined;
diagnostics.subscribe('undici:client:sendHeaders', (msg) => {
  const { request, socket } = msg as { request: Record<symbol, unknown>; socket: TracedSocket };
  if (handlerSymbol === undefined) {
    handlerSymbol = Object.getOwnPropertySymbols(request).find((s) => s.description === 'handler') ?? Symbol('none');
  }
  const h = request[handlerSymbol];
  if (h instanceof TracedHandler) h.onSocket(socket);
});

/** The marks of a round trip that starts now (getConn). */
export class Marks implements TrailMarks {
  getConn = performance.now();
  gotConn = 0;
  connectStart = 0;
  connectDone = 0;
  tlsStart = 0;
  tlsDone = 0;
  wrote = 0;
  firstByte = 0;
  reused = false;
  socket: TracedSocket | undefined;
}

class TracedHandler extends Marks {
  status = 0;
  statusText = '';
  rawHeaders: [string, string][] = [];
  chunks: Buffer[] = [];
  abortFn: ((err: Error) => void) | undefined;
  pendingAbort: Error | undefined;
  finished = false;

  constructor(
    private readonly io: IOCounter,
    private readonly resolve: (r: RawResponse) => void,
    private readonly reject: (e: RoundTripError) => void,
  ) {
    super();
  }

  onSocket(socket: TracedSocket): void {
    this.socket = socket;
    const info = socket[CONN];
    if (info && !info.used) {
      info.used = true;
      this.connectStart = info.start;
      this.connectDone = info.tcpDone;
      if (info.tls) {
        this.tlsStart = info.tcpDone;
        this.tlsDone = info.done;
      }
    } else {
      // Reused connection: k6 sets all connection marks to gotConn.
      this.reused = true;
      const t = this.gotConn || performance.now();
      this.connectStart = this.connectDone = t;
      if (info?.tls) this.tlsStart = this.tlsDone = t;
    }
  }

  onConnect(abort: (err?: Error) => void): void {
    this.gotConn = performance.now();
    this.abortFn = abort;
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onRequestSent(): void {
    this.wrote = performance.now();
  }

  onResponseStarted(): void {
    if (!this.firstByte) this.firstByte = performance.now();
  }

  onHeaders(status: number, raw: Buffer[], _resume: () => void, statusText: string): boolean {
    if (!this.firstByte) this.firstByte = performance.now();
    if (status < 200) return true; // 1xx interim responses (100-continue)
    this.status = status;
    this.statusText = statusText;
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!.toString('latin1'), raw[i + 1]!.toString('latin1')]);
    this.rawHeaders = pairs;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.finished) return;
    this.finished = true;
    const trail = this.trail();
    this.resolve({
      status: this.status,
      statusText: this.statusText,
      rawHeaders: this.rawHeaders,
      body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks),
      trail,
    });
  }

  onError(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.reject(new RoundTripError(err, this.trail()));
  }

  onUpgrade(): void {
    this.onError(new Error('unsupported response status: 101 Switching Protocols'));
  }

  trail(): Trail {
    return buildTrail(this, this.io);
  }
}

function toError(v: unknown): Error {
  return v instanceof Error ? v : new Error(String(v ?? 'aborted'));
}

/** An in-flight round trip: its result and a way to abort it. */
export interface PendingRoundTrip {
  promise: Promise<RawResponse>;
  abort(err: Error): void;
}

/** Send one request (no redirects) and read the whole body. */
export function roundTrip(agent: Agent, req: RoundTripRequest, io: IOCounter): PendingRoundTrip {
  let handler!: TracedHandler;
  const promise = new Promise<RawResponse>((resolve, reject) => {
    handler = new TracedHandler(io, resolve, reject);
    try {
      agent.dispatch(
        {
          origin: req.origin,
          path: req.path,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers.flat(),
          body: req.body ?? null,
          reset: req.reset ?? false,
        },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    } catch (e) {
      handler.onError(toError(e));
    }
  });
  return {
    promise,
    abort(err: Error) {
      if (handler.finished) return;
      if (handler.abortFn) handler.abortFn(err);
      else {
        handler.pendingAbort = err;
        handler.onError(err);
      }
    },
  };
}
