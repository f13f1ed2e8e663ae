// Plain-http round trips on the VU's own keep-alive connections, straight
// over net.Socket: one write per request and a small HTTP/1.1 response
// parser. undici costs about twice the CPU per request for the same work
// (its dispatcher layers, the wasm parser, diagnostics), which would halve
// the request rate one core can drive; https stays on undici
// (http-transport.ts).
//
// What the parser accepts, as Go's net/http client does: HTTP/1.0 and 1.1
// status lines; 1xx interim responses are skipped (101 is an error: no
// upgrades here); HEAD, 204 and 304 have no body; `Transfer-Encoding:
// chunked` wins over Content-Length; without either the body runs to the
// connection's close. A connection goes back to the VU's idle list only after
// a complete response that allows keep-alive (`Connection: close` and
// HTTP/1.0 without `keep-alive` do not), and idles no longer than the
// server's `Keep-Alive: timeout` hint less a second, as undici does. A
// replayable request (GET, HEAD, OPTIONS, TRACE) whose reused connection was
// closed before any byte of the response arrived is sent once more on a new
// connection, as Go's transport does.

import net from 'node:net';
import {
  account,
  buildTrail,
  CONN,
  type ConnInfo,
  type IOCounter,
  Marks,
  type PendingRoundTrip,
  type RawResponse,
  type RoundTripRequest,
  RoundTripError,
  type TracedSocket,
} from './http-transport.js';

const IDLE_MS = 30_000;
/**
 * Where every connection's reads land (net's `onread`, which skips the
 * Readable stream's bookkeeping); each read is copied out before the next.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const MAX_HEAD = 1 << 20;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** A copy of bytes that must outlive the read they came in. */
function keep(b: Buffer): Buffer {
  const c = Buffer.allocUnsafe(b.length);
  b.copy(c);
  return c;
}
const NO_HEADERS: [string, string][] = [];

/** A malformed response: k6 reports these with the generic code 1000. */
export class WireProtocolError extends Error {}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  UntilClose,
  Done,
}

class Conn {
  readonly socket: TracedSocket;
  exchange: Exchange | undefined;
  idleUntil = 0;
  reusable = true;
  private pending: Buffer | undefined;
  private idle: Conn[] | undefined;
  private error: Error | undefined;

  constructor(
    readonly key: string,
    host: string,
    port: number,
    private readonly pool: WirePool,
  ) {
    const socket = net.connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: this.onRead.bind(this) } }) as TracedSocket;
    socket[CONN] = { start: performance.now(), tcpDone: 0, done: 0, tls: false, used: false, lastRead: 0, lastWritten: 0 };
    socket.on('connect', this.onConnect.bind(this));
    socket.on('error', this.onError.bind(this));
    socket.on('close', this.onClose.bind(this));
    this.socket = socket;
  }

  get info(): ConnInfo {
    return this.socket[CONN]!;
  }

  get connected(): boolean {
    return this.info.done > 0;
  }

  park(idle: Conn[], untilMs: number): void {
    this.exchange = undefined;
    this.idle = idle;
    this.idleUntil = untilMs;
    idle.push(this);
  }

  unpark(): void {
    const idle = this.idle;
    if (!idle) return;
    this.idle = undefined;
    const i = idle.lastIndexOf(this);
    if (i >= 0) idle.splice(i, 1);
  }

  destroy(): void {
    this.reusable = false;
    this.unpark();
    this.socket.destroy();
  }

  private onConnect(): void {
    const info = this.info;
    info.tcpDone = info.done = performance.now();
    this.exchange?.connected(this);
  }

  private onRead(n: number, buf: Uint8Array): boolean {
    this.onData((buf as Buffer).subarray(0, n));
    return true;
  }

  /** `chunk` may be READ_BUFFER: whatever outlives this call is copied (see keep()). */
  private onData(chunk: Buffer): void {
    const ex = this.exchange;
    if (!ex) {
      // Bytes nobody asked for: the connection's framing can't be trusted any more.
      this.destroy();
      return;
    }
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    const rest = ex.feed(chunk);
    if (rest === undefined) return;
    if (ex.state === State.Done) {
      if (rest.length > 0) this.destroy();
    } else {
      this.pending = keep(rest);
      if (rest.length > MAX_HEAD) ex.fail(new WireProtocolError('net/http: server response headers exceeded 1048576 bytes; aborted'));
    }
  }

  private onError(err: Error): void {
    // 'close' follows; the exchange learns of both there.
    this.reusable = false;
    this.error = err;
  }

  private onClose(): void {
    this.reusable = false;
    this.unpark();
    this.pool.forget(this);
    account(this.socket, this.pool.io);
    this.exchange?.closed(this.error);
  }
}

/** One request and its response on a connection (the tracer's marks and the parser's state). */
class Exchange extends Marks implements PendingRoundTrip {
  state = State.Head;
  status = 0;
  statusText = '';
  rawHeaders: [string, string][] = NO_HEADERS;
  chunks: Buffer[] = [];
  finished = false;
  readonly promise: Promise<RawResponse>;
  private resolve!: (r: RawResponse) => void;
  private reject!: (e: RoundTripError) => void;
  private conn: Conn | undefined;
  private remaining = 0;
  private keepAlive = true;
  private keepAliveMs = IDLE_MS;
  private retried = false;

  constructor(
    private readonly pool: WirePool,
    private readonly req: RoundTripRequest,
    private readonly key: string,
    private readonly head: string,
  ) {
    super();
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  abort(err: Error): void {
    this.fail(err);
  }

  start(): void {
    const conn = this.pool.take(this.key);
    if (conn) {
      this.reused = true;
      this.attach(conn);
      this.gotConn = this.connectStart = this.connectDone = performance.now();
      this.send();
    } else {
      this.attach(this.pool.open(this.key));
    }
  }

  private attach(conn: Conn): void {
    this.conn = conn;
    this.socket = conn.socket;
    conn.exchange = this;
  }

  connected(conn: Conn): void {
    const info = conn.info;
    info.used = true;
    this.connectStart = info.start;
    this.connectDone = info.tcpDone;
    this.gotConn = performance.now();
    this.send();
  }

  private send(): void {
    const s = this.conn!.socket;
    const body = this.req.body;
    if (body === undefined || body.length === 0) {
      s.write(this.head, 'latin1');
    } else {
      s.cork();
      s.write(this.head, 'latin1');
      s.write(body);
      s.uncork();
    }
    this.wrote = performance.now();
  }

  /** Parse what arrived; returns the unparsed rest (undefined when all was consumed mid-response). */
  feed(buf: Buffer): Buffer | undefined {
    if (!this.firstByte) this.firstByte = performance.now();
    let pos = 0;
    const len = buf.length;
    while (pos < len || this.state === State.Done) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0) return buf.subarray(pos);
          const ok = this.parseHead(buf.toString('latin1', pos, end));
          pos = end + 4;
          if (!ok) return undefined;
          break;
        }
        case State.Length:
          pos = this.take(buf, pos, State.Done);
          break;
        case State.ChunkSize: {
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) return buf.subarray(pos);
          const line = buf.toString('latin1', pos, eol);
          pos = eol + 2;
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,15}$/.test(hex)) return this.malformed(`invalid byte in chunk length`);
          this.remaining = parseInt(hex, 16);
          this.state = this.remaining === 0 ? State.Trailer : State.ChunkData;
          break;
        }
        case State.ChunkData:
          pos = this.take(buf, pos, State.ChunkEnd);
          break;
        case State.ChunkEnd: {
          if (len - pos < 2) return buf.subarray(pos);
          if (buf[pos] !== 13 || buf[pos + 1] !== 10) return this.malformed('malformed chunked encoding');
          pos += 2;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailer: {
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) return buf.subarray(pos);
          // Trailer fields are read and dropped (k6 doesn't show them either).
          if (eol === pos) this.state = State.Done;
          pos = eol + 2;
          break;
        }
        case State.UntilClose:
          this.chunks.push(keep(buf.subarray(pos)));
          return undefined;
        case State.Done:
          this.complete();
          return buf.subarray(pos);
      }
    }
    return undefined;
  }

  /** Body bytes from pos up to what is still due; `then` once all are in. Returns the new pos. */
  private take(buf: Buffer, pos: number, then: State): number {
    const n = Math.min(this.remaining, buf.length - pos);
    this.chunks.push(keep(buf.subarray(pos, pos + n)));
    this.remaining -= n;
    if (this.remaining === 0) this.state = then;
    return pos + n;
  }

  /** Status line and header fields; false when the exchange ended on them. */
  private parseHead(head: string): boolean {
    let eol = head.indexOf('\r\n');
    if (eol < 0) eol = head.length;
    const first = head.slice(0, eol);
    const m = STATUS_LINE.exec(first);
    if (!m) {
      this.malformed(`malformed HTTP response ${JSON.stringify(first.slice(0, 64))}`);
      return false;
    }
    const status = Number(m[2]);
    const http10 = m[1] === '0';
    const raw: [string, string][] = [];
    let contentLength = -1;
    let chunked = false;
    let connection = '';
    let keepAliveHint = '';
    for (let at = eol + 2; at < head.length; ) {
      let next = head.indexOf('\r\n', at);
      if (next < 0) next = head.length;
      const line = head.slice(at, next);
      at = next + 2;
      const c = line.indexOf(':');
      if ((line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) && raw.length > 0) {
        // obs-fold: a continuation of the previous field's value.
        raw[raw.length - 1]![1] += ` ${line.trim()}`;
        continue;
      }
      if (c <= 0) {
        this.malformed(`malformed MIME header line: ${line.slice(0, 64)}`);
        return false;
      }
      const name = line.slice(0, c);
      const value = line.slice(c + 1).trim();
      raw.push([name, value]);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection') connection += `,${value.toLowerCase()}`;
          else if (name.toLowerCase() === 'keep-alive') keepAliveHint = value;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (!/^\d{1,15}$/.test(value) || (contentLength >= 0 && contentLength !== Number(value))) {
              this.malformed(`bad Content-Length ${JSON.stringify(value)}`);
              return false;
            }
            contentLength = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
          break;
      }
    }
    if (status >= 100 && status < 200) {
      if (status === 101) {
        this.fail(new WireProtocolError('unsupported response status: 101 Switching Protocols'));
        return false;
      }
      return true; // interim response (100 Continue, 103 Early Hints): the real one follows
    }
    this.status = status;
    this.statusText = m[3] ?? '';
    this.rawHeaders = raw;
    this.keepAlive = http10 ? /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection) : !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
    if (keepAliveHint) {
      const t = /(?:^|,)\s*timeout\s*=\s*(\d+)/i.exec(keepAliveHint);
      if (t) this.keepAliveMs = Math.min(IDLE_MS, Number(t[1]) * 1000 - 1000);
    }
    if (this.req.method === 'HEAD' || status === 204 || status === 304) this.state = State.Done;
    else if (chunked) this.state = State.ChunkSize;
    else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
    return true;
  }

  private malformed(msg: string): undefined {
    this.fail(new WireProtocolError(msg));
    return undefined;
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.pool.release(this.conn!, this.keepAlive && !this.req.reset ? this.keepAliveMs : 0);
    const trail = buildTrail(this, this.pool.io);
    const chunks = this.chunks;
    this.resolve({
      status: this.status,
      statusText: this.statusText,
      rawHeaders: this.rawHeaders,
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      trail,
    });
  }

  /** The connection closed (or failed) with this exchange on it. */
  closed(err: Error | undefined): void {
    if (this.finished) return;
    if (this.state === State.UntilClose && !err) {
      this.state = State.Done;
      this.complete();
      return;
    }
    if (this.reused && !this.firstByte && !this.retried && isReplayable(this.req)) {
      // The server closed (or reset) an idle connection just as we reused it: Go retries on a new one.
      this.retried = true;
      this.reused = false;
      this.wrote = 0;
      this.attach(this.pool.open(this.key));
      return;
    }
    this.fail(err ?? new WireProtocolError(this.firstByte ? 'unexpected EOF' : 'EOF'));
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    const conn = this.conn;
    if (conn) {
      conn.exchange = undefined;
      conn.destroy();
    }
    this.reject(new RoundTripError(err, buildTrail(this, this.pool.io)));
  }
}

function isReplayable(req: RoundTripRequest): boolean {
  const m = req.method;
  return (m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || m === 'TRACE') && (req.body === undefined || req.body.length === 0);
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
const FORBIDDEN_VALUE = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The request head as Go's transport writes it (Host first; Connection: close when not reusing). */
function requestHead(req: RoundTripRequest, host: string): string {
  if (!TOKEN.test(req.method)) throw new TypeError(`net/http: invalid method ${JSON.stringify(req.method)}`);
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  let hasLength = false;
  for (const [k, v] of req.headers) {
    if (!TOKEN.test(k)) throw new TypeError(`net/http: invalid header field name ${JSON.stringify(k)}`);
    if (FORBIDDEN_VALUE.test(v)) throw new TypeError(`net/http: invalid header field value for ${JSON.stringify(k)}`);
    if (k.length === 4 && k.toLowerCase() === 'host') continue;
    if (k.length === 14 && k.toLowerCase() === 'content-length') hasLength = true;
    head += `${k}: ${v}\r\n`;
  }
  const m = req.method;
  if (!hasLength && req.body === undefined && (m === 'POST' || m === 'PUT' || m === 'PATCH')) head += 'Content-Length: 0\r\n';
  if (req.reset) head += 'Connection: close\r\n';
  return `${head}\r\n`;
}

interface Target {
  /** hostname:port, the idle list's key. */
  key: string;
  /** The Host header. */
  host: string;
}

export interface WirePoolOptions {
  /** k6's `hosts` option: hostname → address to connect to instead. */
  hosts: Record<string, string>;
  io: IOCounter;
}

/** A VU's plain-http connections: idle ones per host:port, newest reused first. */
export class WirePool {
  readonly io: IOCounter;
  private readonly idle = new Map<string, Conn[]>();
  private readonly all = new Set<Conn>();
  private readonly hosts: Record<string, string>;
  private readonly targets = new Map<string, Target>();

  constructor(o: WirePoolOptions) {
    this.io = o.io;
    this.hosts = o.hosts;
  }

  take(key: string): Conn | undefined {
    const list = this.idle.get(key);
    if (!list) return undefined;
    const now = performance.now();
    for (let c = list.pop(); c; c = list.pop()) {
      c.unpark();
      if (c.reusable && c.idleUntil > now) return c;
      this.drop(c);
    }
    return undefined;
  }

  open(key: string): Conn {
    const colon = key.lastIndexOf(':');
    let host = key.slice(0, colon);
    host = this.hosts[host] ?? host;
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    const c = new Conn(key, host, Number(key.slice(colon + 1)), this);
    this.all.add(c);
    return c;
  }

  forget(c: Conn): void {
    this.all.delete(c);
  }

  release(c: Conn, keepMs: number): void {
    c.exchange = undefined;
    if (keepMs <= 0 || !c.reusable) {
      this.drop(c);
      return;
    }
    let list = this.idle.get(c.key);
    if (!list) {
      list = [];
      this.idle.set(c.key, list);
    }
    c.park(list, performance.now() + keepMs);
  }

  private drop(c: Conn): void {
    this.all.delete(c);
    c.destroy();
  }

  /** Send one request (no redirects) and read the whole response. */
  roundTrip(req: RoundTripRequest): PendingRoundTrip {
    const t = this.target(req.origin);
    let head: string;
    try {
      head = requestHead(req, t.host);
    } catch (e) {
      return { promise: Promise.reject(new RoundTripError(e, buildTrail(new Marks(), this.io))), abort: () => undefined };
    }
    const ex = new Exchange(this, req, t.key, head);
    try {
      ex.start();
    } catch (e) {
      ex.fail(e instanceof Error ? e : new Error(String(e)));
    }
    return ex;
  }

  private target(origin: string): Target {
    let t = this.targets.get(origin);
    if (!t) {
      const u = new URL(origin);
      t = { key: `${u.hostname}:${u.port || '80'}`, host: u.host };
      this.targets.set(origin, t);
    }
    return t;
  }

  close(): void {
    for (const c of [...this.all]) c.destroy();
    this.all.clear();
    this.idle.clear();
  }
}
