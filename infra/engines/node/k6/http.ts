// k6/http on undici (k6 js/modules/k6/http + lib/netext/httpext).
//
// Only the asynchronous API can be served: k6's http.get/post/... block the
// VU's JS runtime until the response is in, which on Node would stall every
// VU; they throw an error pointing at http.asyncRequest instead.

import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { Agent } from 'undici';
import { parseDuration } from '../duration.js';
import type { Tags } from '../runtime/metrics.js';
import { InitContextError, type VU } from '../runtime/vu.js';
import type { IterationScope } from '../runtime/event-loop.js';
import { createAgent, type PendingRoundTrip, type RawResponse, roundTrip, RoundTripError, type Trail } from './http-transport.js';
import { applyUserTags, toArrayBuffer, toBytes } from './util.js';

// ---- error codes (lib/netext/httpext/error_codes.go) ----------------------

export class K6HttpError extends Error {
  constructor(
    readonly code: number,
    readonly short: string,
    message?: string,
  ) {
    super(message ?? short);
  }
}

const TIMEOUT_CODE = 1050;

function nodeErrCode(e: unknown): string | undefined {
  let cur = e as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 5 && cur; i++) {
    if (typeof cur.code === 'string' && cur.code !== 'UND_ERR_SOCKET') return cur.code;
    cur = cur.cause as typeof cur;
  }
  return (e as { code?: string } | undefined)?.code;
}

/** errorCodeForError: (code, short message for the `error` tag and Response.error). */
export function errorCodeFor(err: unknown): [number, string] {
  if (err instanceof K6HttpError) return [err.code, err.short];
  const code = nodeErrCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return [1212, 'dial: connection refused'];
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return [1211, 'dial: i/o timeout'];
    case 'ENOTFOUND':
      return [1101, 'lookup: no such host'];
    case 'EAI_AGAIN':
      return [1100, msg];
    case 'ECONNRESET':
      return [1220, 'read: connection reset by peer'];
    case 'EPIPE':
      return [1201, 'write: broken pipe'];
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return [1311, "x509: certificate doesn't match hostname"];
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return [1310, 'x509: certificate signed by unknown authority'];
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return [1301, msg];
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return [1210, msg];
    default:
      if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL')) return [1300, msg];
      if (/other side closed|socket hang up|EOF/i.test(msg)) return [1000, 'EOF'];
      return [1000, msg];
  }
}

// ---- URLs -----------------------------------------------------------------

/** What http.url`…` returns: the real URL plus a name with `${}` placeholders. */
export class K6URL {
  constructor(
    readonly name: string,
    readonly url: string,
  ) {}
  toString(): string {
    return this.url;
  }
}

/** URL.Clean: mask userinfo as ****:**** (or **** without a password). */
export function cleanURL(u: URL, raw: string): string {
  if (u.username === '' && u.password === '') return raw;
  const masked = u.password !== '' ? '****:****' : '****';
  return `${u.protocol}//${masked}@${raw.slice(raw.indexOf('@') + 1)}`;
}

function toURL(v: unknown): { url: URL; href: string; name: string } {
  let raw: string;
  let name = '';
  if (v instanceof K6URL) {
    raw = v.url;
    name = v.name;
  } else if (v instanceof URL) {
    raw = v.href;
  } else if (typeof v === 'string') {
    raw = v;
  } else if (v !== null && typeof v === 'object' && typeof (v as { toString: unknown }).toString === 'function') {
    raw = String(v);
  } else {
    throw new K6HttpError(1020, 'invalid URL', `invalid URL value '${String(v)}'`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new K6HttpError(1020, 'invalid URL', `invalid URL: parse "${raw}": invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new K6HttpError(1020, 'invalid URL', `unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
  }
  return { url, href: url.href, name };
}

// ---- headers --------------------------------------------------------------

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's textproto.CanonicalMIMEHeaderKey. */
export function canonicalHeaderKey(k: string): string {
  if (!TOKEN_RE.test(k)) return k;
  let upper = true;
  let out = '';
  for (const ch of k) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

// ---- response callbacks -----------------------------------------------------

export class ExpectedStatuses {
  constructor(
    readonly exact: readonly number[],
    readonly ranges: readonly { min: number; max: number }[],
  ) {
    Object.freeze(this);
  }
  matches(status: number): boolean {
    return this.exact.includes(status) || this.ranges.some((r) => status >= r.min && status <= r.max);
  }
}

export function expectedStatuses(...args: unknown[]): ExpectedStatuses {
  const exact: number[] = [];
  const ranges: { min: number; max: number }[] = [];
  args.forEach((a, i) => {
    if (typeof a === 'number' && Number.isInteger(a)) exact.push(a);
    else if (a !== null && typeof a === 'object' && 'min' in a && 'max' in a) {
      const { min, max } = a as { min: unknown; max: unknown };
      if (!Number.isInteger(min) || !Number.isInteger(max)) {
        throw new TypeError(
          `argument number ${i + 1} to expectedStatuses was an object with keys min and max, but not all of them were integers, got min=${String(min)} max=${String(max)}`,
        );
      }
      ranges.push({ min: min as number, max: max as number });
    } else {
      throw new TypeError(
        `argument number ${i + 1} to expectedStatuses was neither an integer nor an object like {min:100, max:329}`,
      );
    }
  });
  return new ExpectedStatuses(exact, ranges);
}

const DEFAULT_CALLBACK = expectedStatuses({ min: 200, max: 399 });

// ---- cookies (a small per-VU jar, reset every iteration) --------------------

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  expires?: number | undefined;
  secure: boolean;
  httpOnly: boolean;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  setFromHeader(u: URL, header: string): void {
    const parts = header.split(';').map((s) => s.trim());
    const [nv, ...attrs] = parts;
    if (!nv) return;
    const eq = nv.indexOf('=');
    if (eq <= 0) return;
    const c: StoredCookie = {
      name: nv.slice(0, eq).trim(),
      value: nv.slice(eq + 1).trim(),
      domain: u.hostname,
      hostOnly: true,
      path: defaultPath(u),
      secure: false,
      httpOnly: false,
    };
    for (const a of attrs) {
      const i = a.indexOf('=');
      const k = (i < 0 ? a : a.slice(0, i)).toLowerCase();
      const v = i < 0 ? '' : a.slice(i + 1);
      if (k === 'domain' && v) {
        c.domain = v.replace(/^\./, '').toLowerCase();
        c.hostOnly = false;
      } else if (k === 'path' && v.startsWith('/')) c.path = v;
      else if (k === 'max-age') c.expires = Date.now() + Number(v) * 1000;
      else if (k === 'expires' && c.expires === undefined) c.expires = Date.parse(v);
      else if (k === 'secure') c.secure = true;
      else if (k === 'httponly') c.httpOnly = true;
    }
    this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
    if (c.expires === undefined || c.expires > Date.now()) this.cookies.push(c);
  }

  set(url: string, name: string, value: string, opts: Record<string, unknown> = {}): void {
    const u = new URL(url);
    let h = `${name}=${value}`;
    if (opts.domain) h += `; Domain=${String(opts.domain)}`;
    if (opts.path) h += `; Path=${String(opts.path)}`;
    if (opts.max_age !== undefined) h += `; Max-Age=${String(opts.max_age)}`;
    if (opts.secure) h += '; Secure';
    this.setFromHeader(u, h);
  }

  forURL(u: URL): StoredCookie[] {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies.filter(
      (c) =>
        (c.hostOnly ? u.hostname === c.domain : u.hostname === c.domain || u.hostname.endsWith(`.${c.domain}`)) &&
        (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) &&
        (!c.secure || u.protocol === 'https:'),
    );
  }

  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.forURL(new URL(url))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  clear(url: string): void {
    const u = new URL(url);
    const drop = new Set(this.forURL(u));
    this.cookies = this.cookies.filter((c) => !drop.has(c));
  }

  delete(url: string, name: string): void {
    const u = new URL(url);
    const drop = new Set(this.forURL(u).filter((c) => c.name === name));
    this.cookies = this.cookies.filter((c) => !drop.has(c));
  }
}

function defaultPath(u: URL): string {
  const p = u.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

// ---- files / bodies ---------------------------------------------------------

export class FileData {
  constructor(
    readonly data: Uint8Array,
    readonly filename: string,
    readonly content_type: string,
  ) {}
}

function formVal(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return '';
  return String(v);
}

function buildBody(body: unknown, headers: Map<string, [string, string]>): Buffer | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(toBytes(body));
  if (typeof body === 'object') {
    const data = body as Record<string, unknown>;
    const hasFile = Object.values(data).some((v) => v instanceof FileData);
    if (!hasFile) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(data)) {
        if (Array.isArray(v)) for (const el of v) q.append(k, formVal(el));
        else q.set(k, formVal(v));
      }
      setHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
      return Buffer.from(q.toString().replace(/%20/g, '+'), 'utf8');
    }
    const boundary = randomBytes(30).toString('hex');
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(data)) {
      parts.push(Buffer.from(`--${boundary}\r\n`));
      if (v instanceof FileData) {
        const fn = v.filename.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        parts.push(Buffer.from(`Content-Disposition: form-data; name="${k}"; filename="${fn}"\r\nContent-Type: ${v.content_type}\r\n\r\n`));
        parts.push(Buffer.from(v.data));
      } else {
        parts.push(Buffer.from(`Content-Disposition: form-data; name="${k}"\r\n\r\n${formVal(v)}`));
      }
      parts.push(Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    setHeader(headers, 'Content-Type', `multipart/form-data; boundary=${boundary}`);
    return Buffer.concat(parts);
  }
  throw new Error(`unknown request body type ${typeof body}`);
}

function setHeader(headers: Map<string, [string, string]>, name: string, value: string): void {
  headers.set(name.toLowerCase(), [canonicalHeaderKey(name), value]);
}

// ---- request parsing --------------------------------------------------------

type ResponseType = 'text' | 'binary' | 'none';

interface ParsedRequest {
  method: string;
  url: URL;
  href: string;
  urlName: string;
  headers: Map<string, [string, string]>;
  body: Buffer | undefined;
  bodyString: string | undefined;
  timeout: number;
  redirects: number;
  redirectsExplicit: boolean;
  responseType: ResponseType;
  throw: boolean;
  tags: Tags;
  callback: ExpectedStatuses | null;
  jar: CookieJar | undefined;
  reqCookies: Record<string, { value: string; replace: boolean }>;
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

interface HttpVUState {
  agent: Agent | undefined;
  callback: ExpectedStatuses | null;
}

function vuHttp(vu: VU): HttpVUState {
  let s = vu.moduleState.get('http') as HttpVUState | undefined;
  if (!s) {
    s = { agent: undefined, callback: DEFAULT_CALLBACK };
    vu.moduleState.set('http', s);
  }
  return s;
}

function vuJar(vu: VU): CookieJar {
  let jar = vu.moduleState.get('cookieJar') as CookieJar | undefined;
  if (!jar) {
    jar = new CookieJar();
    vu.moduleState.set('cookieJar', jar);
  }
  return jar;
}

function agentOf(vu: VU): Agent {
  const s = vuHttp(vu);
  if (!s.agent) {
    const o = vu.shared.options;
    const agent = createAgent({ insecureSkipTLSVerify: o.insecureSkipTLSVerify, hosts: o.hosts, io: vu.io });
    s.agent = agent;
    const close = () => {
      void agent.destroy().catch(() => undefined);
    };
    vu.addCloser(close);
    if (o.noVUConnectionReuse) {
      // A fresh agent (and connections) for every iteration.
      const reset = () => {
        vu.onIterationEnd.delete(reset);
        if (s.agent === agent) s.agent = undefined;
        close();
      };
      vu.onIterationEnd.add(reset);
    }
  }
  return s.agent;
}

function parseRequest(vu: VU, method: string, urlArg: unknown, body: unknown, params: unknown): ParsedRequest {
  const o = vu.shared.options;
  const { url, href, name } = toURL(urlArg);
  const headers = new Map<string, [string, string]>();
  const bodyBuf = buildBody(body, headers);
  const preq: ParsedRequest = {
    method,
    url,
    href,
    urlName: name,
    headers,
    body: bodyBuf,
    bodyString: bodyBuf?.toString('utf8'),
    timeout: 60_000,
    redirects: o.maxRedirects,
    redirectsExplicit: false,
    responseType: o.discardResponseBodies ? 'none' : 'text',
    throw: o.throw,
    tags: vu.currentTags(),
    callback: vuHttp(vu).callback,
    jar: vuJar(vu),
    reqCookies: {},
  };
  setHeader(headers, 'User-Agent', o.userAgent);
  if (!isNullish(params)) {
    const p = params as Record<string, unknown>;
    for (const k of Object.keys(p)) {
      const v = p[k];
      switch (k) {
        case 'headers':
          if (isNullish(v)) break;
          for (const [hk, hv] of Object.entries(v as Record<string, unknown>)) {
            if (isNullish(hv)) continue;
            setHeader(headers, hk, String(hv));
          }
          break;
        case 'tags':
          if (isNullish(v)) break;
          try {
            applyUserTags(preq.tags, v);
          } catch (e) {
            throw new Error(`invalid HTTP request metric tags: ${(e as Error).message}`);
          }
          break;
        case 'timeout':
          if (isNullish(v)) break;
          try {
            preq.timeout = parseDuration(v);
          } catch (e) {
            throw new Error(`invalid timeout value: ${(e as Error).message}`);
          }
          break;
        case 'redirects':
          if (isNullish(v)) break;
          preq.redirects = Math.trunc(Number(v));
          preq.redirectsExplicit = true;
          break;
        case 'responseType':
          if (isNullish(v)) break;
          if (v !== 'text' && v !== 'binary' && v !== 'none') {
            throw new Error(`${String(v)} does not belong to ResponseType values`);
          }
          preq.responseType = v;
          break;
        case 'responseCallback':
          if (v === null) preq.callback = null;
          else if (v instanceof ExpectedStatuses) preq.callback = v;
          else if (v !== undefined) throw new Error('unsupported responseCallback');
          break;
        case 'throw':
          preq.throw = Boolean(v);
          break;
        case 'jar':
          if (v === null) preq.jar = undefined;
          else if (v instanceof CookieJar) preq.jar = v;
          break;
        case 'cookies':
          if (isNullish(v)) break;
          for (const [ck, cv] of Object.entries(v as Record<string, unknown>)) {
            if (isNullish(cv)) continue;
            if (typeof cv === 'object') {
              const co = cv as { value?: unknown; replace?: unknown };
              preq.reqCookies[ck] = { value: String(co.value ?? ''), replace: Boolean(co.replace) };
            } else preq.reqCookies[ck] = { value: String(cv), replace: false };
          }
          break;
        case 'auth':
          if (!isNullish(v) && v !== 'basic') throw new Error(`the '${String(v)}' auth method is not supported by the Node runner`);
          break;
        case 'compression':
          if (!isNullish(v) && v !== '') throw new Error('request body compression is not supported by the Node runner');
          break;
        default:
          break; // k6 ignores unknown params
      }
    }
  }
  if (url.username !== '' || url.password !== '') {
    if (!headers.has('authorization')) {
      const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      setHeader(headers, 'Authorization', `Basic ${Buffer.from(cred).toString('base64')}`);
    }
  }
  // A name from http.url`…` becomes the name tag unless one was set.
  if (preq.urlName !== '' && preq.tags.name === undefined) {
    const clean = cleanURL(url, href);
    if (preq.urlName !== clean) preq.tags.name = preq.urlName;
  }
  return preq;
}

// ---- the Response object ------------------------------------------------------

export interface Timings {
  duration: number;
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

export class Response {
  status = 0;
  status_text = '';
  proto = '';
  url = '';
  headers: Record<string, string> = {};
  cookies: Record<string, { name: string; value: string }[]> = {};
  body: string | ArrayBuffer | null = null;
  error = '';
  error_code = 0;
  remote_ip = '';
  remote_port = 0;
  tls_version = '';
  tls_cipher_suite = '';
  ocsp = { produced_at: 0, this_update: 0, next_update: 0, revocation_reason: '', revoked_at: 0, status: '' };
  timings: Timings = { duration: 0, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0 };
  request: { method: string; url: string; headers: Record<string, string[]>; body: string; cookies: Record<string, unknown[]> } = {
    method: '',
    url: '',
    headers: {},
    body: '',
    cookies: {},
  };
  private cachedJSON: unknown;
  private hasCachedJSON = false;

  json(selector?: unknown): unknown {
    if (this.body === null || this.body === undefined) {
      throw new Error(
        'the body is null so we can\'t transform it to JSON - this likely was because of a request error getting the response',
      );
    }
    if (!this.hasCachedJSON) {
      const text = typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8');
      try {
        this.cachedJSON = JSON.parse(text);
      } catch (e) {
        throw new Error(`cannot parse json due to an error at line 1, character 1 , error: ${(e as Error).message}`);
      }
      this.hasCachedJSON = true;
    }
    if (selector === undefined || selector === null) return this.cachedJSON;
    return selectJSON(this.cachedJSON, String(selector));
  }

  html(): never {
    throw new Error('Response.html() is not supported by the Node runner');
  }
  clickLink(): never {
    throw new Error('Response.clickLink() is not supported by the Node runner');
  }
  submitForm(): never {
    throw new Error('Response.submitForm() is not supported by the Node runner');
  }
}

/** A small subset of gjson paths: `a.b.0.c` and `#` for an array's length. */
function selectJSON(v: unknown, path: string): unknown {
  let cur = v;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    if (part === '#' && Array.isArray(cur)) {
      cur = cur.length;
      continue;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// ---- making requests ------------------------------------------------------------

function decodeBody(raw: RawResponse): Buffer {
  const enc = raw.rawHeaders.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1]?.trim().toLowerCase();
  if (!enc || raw.body.length === 0) return raw.body;
  try {
    switch (enc) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(raw.body);
      case 'deflate':
        return zlib.inflateSync(raw.body);
      case 'br':
        return zlib.brotliDecompressSync(raw.body);
      default:
        return raw.body;
    }
  } catch (e) {
    throw new K6HttpError(1701, `error decompressing response body (${enc}): ${(e as Error).message}`);
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function urlErrorOp(method: string): string {
  return method.length === 0 ? method : method[0] + method.slice(1).toLowerCase();
}

/** The samples of one round trip (transport.go measureAndEmitMetrics). */
function emitTrail(
  vu: VU,
  preq: ParsedRequest,
  reqURL: URL,
  reqHref: string,
  method: string,
  trail: Trail,
  status: number,
  err: [number, string] | undefined,
): void {
  const engine = vu.shared.engine;
  const tags: Tags = { ...preq.tags };
  const clean = cleanURL(reqURL, reqHref);
  if (tags.name === undefined) {
    tags.name = clean;
    tags.url = clean;
  } else {
    tags.url = tags.name;
  }
  tags.method = method;
  if (err) {
    tags.error = err[1];
    tags.error_code = String(err[0]);
    tags.status = '0';
  } else {
    tags.status = String(status);
    if (status >= 400) tags.error_code = String(1000 + status);
    tags.proto = 'HTTP/1.1';
    if (trail.tlsVersion) tags.tls_version = tlsVersionName(trail.tlsVersion);
  }
  let failed: number | undefined;
  if (preq.callback) {
    const expected = preq.callback.matches(err ? 0 : status);
    failed = expected ? 0 : 1;
    tags.expected_response = String(expected);
  }
  const time = performance.timeOrigin + trail.end;
  const m = (n: string) => engine.mustGet(n);
  vu.emit(m('http_reqs'), 1, tags, time);
  vu.emit(m('http_req_duration'), trail.duration, tags, time);
  vu.emit(m('http_req_blocked'), trail.blocked, tags, time);
  vu.emit(m('http_req_connecting'), trail.connecting, tags, time);
  vu.emit(m('http_req_tls_handshaking'), trail.tlsHandshaking, tags, time);
  vu.emit(m('http_req_sending'), trail.sending, tags, time);
  vu.emit(m('http_req_waiting'), trail.waiting, tags, time);
  vu.emit(m('http_req_receiving'), trail.receiving, tags, time);
  if (failed !== undefined) vu.emit(m('http_req_failed'), failed, tags, time);
}

function tlsVersionName(v: string): string {
  // Node reports TLSv1.3; k6 tags tls1.3.
  return v.replace(/^TLSv/, 'tls');
}

function cookieHeader(preq: ParsedRequest, u: URL): string | undefined {
  const pairs: string[] = [];
  const fromReq = preq.reqCookies;
  if (preq.jar) {
    for (const c of preq.jar.forURL(u)) {
      const r = fromReq[c.name];
      if (r && r.replace) continue;
      pairs.push(`${c.name}=${c.value}`);
    }
  }
  for (const [k, v] of Object.entries(fromReq)) pairs.push(`${k}=${v.value}`);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

async function makeRequest(vu: VU, preq: ParsedRequest, scope: IterationScope): Promise<Response> {
  const resp = new Response();
  const reqHeaders: Record<string, string[]> = {};
  for (const [name, value] of preq.headers.values()) (reqHeaders[name] ??= []).push(value);
  resp.request = { method: preq.method, url: preq.href, headers: reqHeaders, body: preq.bodyString ?? '', cookies: {} };
  resp.url = preq.href;
  // One deadline for the whole request, redirects included; the iteration ending cancels it too.
  let aborted: Error | undefined;
  let current: PendingRoundTrip | undefined;
  const abortAll = (e: Error) => {
    if (aborted) return;
    aborted = e;
    current?.abort(e);
  };
  const timer = preq.timeout > 0 ? setTimeout(() => abortAll(new K6HttpError(TIMEOUT_CODE, 'request timeout')), preq.timeout) : undefined;
  const unregister = scope.onCancel((reason) => abortAll(reason instanceof Error ? reason : new Error('iteration ended')));
  const agent = agentOf(vu);
  let method = preq.method;
  let url = preq.url;
  let href = preq.href;
  let body = preq.body;
  let headers = preq.headers;
  let hops = 0;
  try {
    for (;;) {
      const h = new Map(headers);
      const cookie = cookieHeader(preq, url);
      if (cookie) h.set('cookie', ['Cookie', cookie]);
      if (body !== undefined) h.set('content-length', ['Content-Length', String(body.length)]);
      else h.delete('content-length');
      let raw: RawResponse;
      try {
        current = roundTrip(
          agent,
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method,
            headers: [...h.values()],
            body,
            reset: vu.shared.options.noConnectionReuse,
          },
          vu.io,
        );
        if (aborted) current.abort(aborted);
        raw = await current.promise;
      } catch (e) {
        const cause = e instanceof RoundTripError ? e.cause : e;
        const trail = e instanceof RoundTripError ? e.trail : undefined;
        const reason = aborted ?? cause;
        const code = errorCodeFor(reason);
        if (trail) emitTrail(vu, preq, url, href, method, trail, 0, code);
        const full = reason instanceof K6HttpError ? reason.message : `${urlErrorOp(method)} "${href}": ${(reason as Error)?.message ?? String(reason)}`;
        resp.error = code[1];
        resp.error_code = code[0];
        if (trail) setTimings(resp, trail);
        if (preq.throw) throw new Error(full);
        vu.logger.warn('Request Failed', { error: full });
        return resp;
      }
      emitTrail(vu, preq, url, href, method, raw.trail, raw.status, undefined);
      if (preq.jar) {
        for (const [k, v] of raw.rawHeaders) if (k.toLowerCase() === 'set-cookie') preq.jar.setFromHeader(url, v);
      }
      const location = raw.rawHeaders.find(([k]) => k.toLowerCase() === 'location')?.[1];
      if (isRedirect(raw.status) && location !== undefined) {
        if (hops >= preq.redirects) {
          if (!preq.redirectsExplicit) {
            vu.logger.warn(
              `Stopped after ${hops + 1} redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this`,
              { url: preq.href },
            );
          }
        } else {
          hops++;
          const next = new URL(location, url);
          // Go's http.Client: 301/302/303 switch to GET without a body (HEAD stays HEAD); 307/308 keep both.
          if (raw.status === 301 || raw.status === 302 || raw.status === 303) {
            if (method !== 'GET' && method !== 'HEAD') {
              method = 'GET';
              body = undefined;
              headers = new Map(headers);
              headers.delete('content-type');
            }
          }
          if (next.host !== url.host) {
            headers = new Map(headers);
            headers.delete('authorization');
          }
          url = next;
          href = next.href;
          resp.url = href;
          continue;
        }
      }
      fillResponse(resp, raw, preq, href);
      return resp;
    }
  } finally {
    if (timer) clearTimeout(timer);
    unregister();
  }
}

function setTimings(resp: Response, t: Trail): void {
  resp.timings = {
    duration: t.duration,
    blocked: t.blocked,
    connecting: t.connecting,
    tls_handshaking: t.tlsHandshaking,
    sending: t.sending,
    waiting: t.waiting,
    receiving: t.receiving,
  };
  if (t.remoteAddress) resp.remote_ip = t.remoteAddress;
  if (t.remotePort) resp.remote_port = t.remotePort;
  if (t.tlsVersion) resp.tls_version = tlsVersionName(t.tlsVersion);
  if (t.tlsCipher) resp.tls_cipher_suite = t.tlsCipher;
}

function fillResponse(resp: Response, raw: RawResponse, preq: ParsedRequest, href: string): void {
  setTimings(resp, raw.trail);
  resp.url = href;
  resp.status = raw.status;
  resp.status_text = `${raw.status} ${raw.statusText}`;
  resp.proto = 'HTTP/1.1';
  if (raw.status >= 400) resp.error_code = 1000 + raw.status;
  const headers: Record<string, string> = {};
  for (const [k, v] of raw.rawHeaders) {
    const ck = canonicalHeaderKey(k);
    headers[ck] = headers[ck] === undefined ? v : `${headers[ck]}, ${v}`;
  }
  resp.headers = headers;
  const cookies: Response['cookies'] = {};
  for (const [k, v] of raw.rawHeaders) {
    if (k.toLowerCase() !== 'set-cookie') continue;
    const nv = v.split(';', 1)[0]!;
    const eq = nv.indexOf('=');
    if (eq <= 0) continue;
    const name = nv.slice(0, eq).trim();
    (cookies[name] ??= []).push({ name, value: nv.slice(eq + 1).trim() });
  }
  resp.cookies = cookies;
  switch (preq.responseType) {
    case 'none':
      resp.body = null;
      break;
    case 'binary':
      resp.body = toArrayBuffer(decodeBody(raw));
      break;
    default:
      resp.body = decodeBody(raw).toString('utf8');
  }
}

// ---- the module -------------------------------------------------------------------

function syncUnsupported(name: string, method: string): () => never {
  return () => {
    throw new Error(
      `http.${name}() is synchronous in k6 (it blocks the VU until the response arrives), which the Node runner cannot do ` +
        `without stalling every VU; use \`await http.asyncRequest('${method}', url, body, params)\` instead`,
    );
  };
}

export function createHttpModule(vu: VU): object {
  const asyncRequest = (method: unknown, url: unknown, body?: unknown, params?: unknown): Promise<Response> => {
    if (vu.inInit) throw new InitContextError('Making http requests in the init context is not supported');
    let preq: ParsedRequest;
    try {
      preq = parseRequest(vu, String(method), url, body, params);
    } catch (e) {
      const throwOpt = !isNullish(params) && (params as { throw?: unknown }).throw !== undefined
        ? Boolean((params as { throw?: unknown }).throw)
        : vu.shared.options.throw;
      if (throwOpt) return Promise.reject(e);
      vu.logger.warn('Request Failed', { error: (e as Error).message });
      const r = new Response();
      r.error = (e as Error).message;
      if (e instanceof K6HttpError) r.error_code = e.code;
      return Promise.resolve(r);
    }
    const scope = vu.requireScope('Making http requests');
    return scope.track((sc) => makeRequest(vu, preq, sc));
  };

  const mod = {
    asyncRequest,
    request: syncUnsupported('request', 'METHOD'),
    get: syncUnsupported('get', 'GET'),
    head: syncUnsupported('head', 'HEAD'),
    post: syncUnsupported('post', 'POST'),
    put: syncUnsupported('put', 'PUT'),
    patch: syncUnsupported('patch', 'PATCH'),
    del: syncUnsupported('del', 'DELETE'),
    options: syncUnsupported('options', 'OPTIONS'),
    batch: () => {
      throw new Error(
        'http.batch() is synchronous in k6, which the Node runner cannot do without stalling every VU; ' +
          'use `await Promise.all(requests.map((r) => http.asyncRequest(r.method, r.url, r.body, r.params)))` instead',
      );
    },
    url: (strings: TemplateStringsArray, ...values: unknown[]) => {
      let name = '';
      let url = '';
      strings.forEach((s, i) => {
        name += s;
        url += s;
        if (i < values.length) {
          name += '${}';
          url += String(values[i]);
        }
      });
      return new K6URL(name, url);
    },
    file: (data: unknown, filename?: string, contentType?: string) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(toBytes(data));
      return new FileData(bytes, filename ?? `${Date.now()}`, contentType ?? 'application/octet-stream');
    },
    cookieJar: () => vuJar(vu),
    CookieJar,
    expectedStatuses,
    setResponseCallback: (cb: unknown) => {
      if (cb === null || cb === undefined) vuHttp(vu).callback = null;
      else if (cb instanceof ExpectedStatuses) vuHttp(vu).callback = cb;
      else throw new Error('unsupported argument, expected http.expectedStatuses');
    },
    TLS_1_0: 'tls1.0',
    TLS_1_1: 'tls1.1',
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
    OCSP_STATUS_GOOD: 'good',
    OCSP_STATUS_REVOKED: 'revoked',
    OCSP_STATUS_SERVER_FAILED: 'server_failed',
    OCSP_STATUS_UNKNOWN: 'unknown',
  };
  return mod;
}
