// k6/http on undici (k6 js/modules/k6/http + lib/netext/httpext).
//
// Both APIs are served: http.asyncRequest on this thread's event loop, and
// k6's blocking http.get/post/…/batch by blocking this thread while the
// helper thread makes the round trips (./http-sync.ts).

import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { parseDuration } from '../duration.js';
import type { Metric, MetricsEngine, Tags } from '../runtime/metrics.js';
import { InitContextError, type VU } from '../runtime/vu.js';
import type { IterationScope } from '../runtime/event-loop.js';
import { arm, disarm, Expirable } from './deadlines.js';
import { canonicalHeaderKey, Response, type ResponseType, tlsVersionName } from './http-response.js';
import {
  type PendingRoundTrip,
  type RawResponse,
  type RoundTripRequest,
  RoundTripError,
  type Trail,
} from './http-transport.js';
import { errorCodeFor, K6HttpError, TIMEOUT_CODE } from './http-errors.js';
import { blockingRoundTrips, closeBlockingTransport, warnIfShared } from './http-sync.js';
import { applyUserTags, toBytes } from './util.js';
import { VUTransport } from './vu-transport.js';

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

/** A parsed request URL and what every round trip to it reads. Shared: nothing may change it. */
export class Target {
  readonly href: string;
  readonly origin: string;
  readonly path: string;
  readonly plain: boolean;
  /** The url/name tag: the URL with its userinfo masked. */
  readonly clean: string;
  readonly userinfo: boolean;

  constructor(readonly url: URL) {
    this.href = url.href;
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.plain = url.protocol === 'http:';
    this.clean = cleanURL(url, this.href);
    this.userinfo = url.username !== '' || url.password !== '';
  }
}

/**
 * Parsed URLs by their text: scripts request the same few URLs over and over,
 * and parsing one costs more than the rest of building the request.
 */
const targets = new Map<string, Target>();
const MAX_TARGETS = 1024;

function toURL(v: unknown): { target: Target; name: string } {
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
  let target = targets.get(raw);
  if (target) return { target, name };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new K6HttpError(1020, 'invalid URL', `invalid URL: parse "${raw}": invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new K6HttpError(1020, 'invalid URL', `unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
  }
  target = new Target(url);
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(raw, target);
  return { target, name };
}

// ---- headers --------------------------------------------------------------

export { canonicalHeaderKey };

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
    if (this.cookies.length === 0) return [];
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies.filter(
      (c) =>
        (c.hostOnly ? u.hostname === c.domain : u.hostname === c.domain || u.hostname.endsWith(`.${c.domain}`)) &&
        (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) &&
        (!c.secure || u.protocol === 'https:'),
    );
  }

  isEmpty(): boolean {
    return this.cookies.length === 0;
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

const defaultHeaderMaps = new Map<string, Map<string, [string, string]>>();

/** The headers of a request that sets none: one map per User-Agent, never changed (redirects copy before they edit). */
function defaultHeaders(userAgent: string): Map<string, [string, string]> {
  let m = defaultHeaderMaps.get(userAgent);
  if (!m) {
    m = new Map();
    setHeader(m, 'User-Agent', userAgent);
    defaultHeaderMaps.set(userAgent, m);
  }
  return m;
}

function setHeader(headers: Map<string, [string, string]>, name: string, value: string): void {
  headers.set(name.toLowerCase(), [canonicalHeaderKey(name), value]);
}

// ---- request parsing --------------------------------------------------------

interface ParsedRequest {
  method: string;
  target: Target;
  /** For Response.request. */
  href: string;
  urlName: string;
  headers: Map<string, [string, string]>;
  body: Buffer | undefined;
  /** The VU's k6/http state. */
  http: HttpVUState;
  timeout: number;
  redirects: number;
  redirectsExplicit: boolean;
  responseType: ResponseType;
  throw: boolean;
  /** The VU's shared frozen tags unless ownTags (a copy with the request's own tags). */
  tags: Tags;
  ownTags: boolean;
  callback: ExpectedStatuses | null;
  /** null: no cookies; undefined: the VU's jar of this iteration, made when the first cookie arrives. */
  jar: CookieJar | null | undefined;
  reqCookies: Record<string, { value: string; replace: boolean }>;
  hasReqCookies: boolean;
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

interface HttpVUState {
  transport: VUTransport;
  /** The VU's connections on the blocking calls' helper thread, by this key. */
  syncKey: number;
  callback: ExpectedStatuses | null;
  /** Frozen sample tag sets by the VU's base tags, then by URL (see trailTags). */
  tagSets: WeakMap<Tags, Map<Target, TagSet[]>>;
}

let syncKeys = 0;

function vuHttp(vu: VU): HttpVUState {
  let s = vu.moduleState.get('http') as HttpVUState | undefined;
  if (!s) {
    const o = vu.shared.options;
    const transport = new VUTransport({ hosts: o.hosts, insecureSkipTLSVerify: o.insecureSkipTLSVerify, io: vu.io });
    const syncKey = ++syncKeys;
    const close = () => {
      transport.close();
      closeBlockingTransport(syncKey);
    };
    s = { transport, syncKey, callback: DEFAULT_CALLBACK, tagSets: new WeakMap() };
    vu.moduleState.set('http', s);
    vu.addCloser(close);
    // noVUConnectionReuse: fresh connections for every iteration.
    if (vu.shared.options.noVUConnectionReuse) vu.onIterationEnd.add(close);
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

function parseRequest(vu: VU, method: string, urlArg: unknown, body: unknown, params: unknown): ParsedRequest {
  const o = vu.shared.options;
  const { target, name } = toURL(urlArg);
  const url = target.url;
  // A request that adds no header (no body, no params.headers, no userinfo) shares the default map.
  const ownHeaders = !isNullish(body) || target.userinfo || (!isNullish(params) && !isNullish((params as { headers?: unknown }).headers));
  const headers = ownHeaders ? new Map<string, [string, string]>() : defaultHeaders(o.userAgent);
  const bodyBuf = buildBody(body, headers);
  const http = vuHttp(vu);
  const preq: ParsedRequest = {
    method,
    target,
    href: target.href,
    urlName: name,
    headers,
    body: bodyBuf,
    timeout: 60_000,
    redirects: o.maxRedirects,
    redirectsExplicit: false,
    responseType: o.discardResponseBodies ? 'none' : 'text',
    throw: o.throw,
    tags: vu.baseTags(),
    ownTags: false,
    http,
    callback: http.callback,
    jar: undefined,
    reqCookies: {},
    hasReqCookies: false,
  };
  if (ownHeaders) setHeader(headers, 'User-Agent', o.userAgent);
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
            preq.tags = applyUserTags({ ...preq.tags }, v);
            preq.ownTags = true;
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
          if (v === null) preq.jar = null;
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
            preq.hasReqCookies = true;
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
  if (target.userinfo) {
    if (!headers.has('authorization')) {
      const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      setHeader(headers, 'Authorization', `Basic ${Buffer.from(cred).toString('base64')}`);
    }
  }
  // A name from http.url`…` becomes the name tag unless one was set.
  if (preq.urlName !== '' && preq.tags.name === undefined) {
    if (preq.urlName !== target.clean) {
      preq.tags = { ...preq.tags, name: preq.urlName };
      preq.ownTags = true;
    }
  }
  return preq;
}

// ---- making requests ------------------------------------------------------------

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const enc = encoding?.trim().toLowerCase();
  if (!enc || body.length === 0) return body;
  try {
    switch (enc) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(body);
      case 'deflate':
        return zlib.inflateSync(body);
      case 'br':
        return zlib.brotliDecompressSync(body);
      default:
        return body;
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

const EMPTY = Buffer.alloc(0);

/** The built-in metrics a round trip emits, looked up once per engine. */
interface HttpMetrics {
  reqs: Metric;
  duration: Metric;
  blocked: Metric;
  connecting: Metric;
  tlsHandshaking: Metric;
  sending: Metric;
  waiting: Metric;
  receiving: Metric;
  failed: Metric;
}

const httpMetricsByEngine = new WeakMap<MetricsEngine, HttpMetrics>();

function httpMetrics(engine: MetricsEngine): HttpMetrics {
  let m = httpMetricsByEngine.get(engine);
  if (!m) {
    m = {
      reqs: engine.mustGet('http_reqs'),
      duration: engine.mustGet('http_req_duration'),
      blocked: engine.mustGet('http_req_blocked'),
      connecting: engine.mustGet('http_req_connecting'),
      tlsHandshaking: engine.mustGet('http_req_tls_handshaking'),
      sending: engine.mustGet('http_req_sending'),
      waiting: engine.mustGet('http_req_waiting'),
      receiving: engine.mustGet('http_req_receiving'),
      failed: engine.mustGet('http_req_failed'),
    };
    httpMetricsByEngine.set(engine, m);
  }
  return m;
}

/** One cached tag set and the outcome it was made for. */
interface TagSet {
  method: string;
  status: number;
  expected: string;
  errCode: number;
  tls: string;
  tags: Tags;
}

/** Distinct URLs cached per base tags; beyond this (URLs full of ids, no name tag) start over. */
const MAX_TAG_TARGETS = 1024;

/**
 * The tags of one round trip's samples (transport.go measureAndEmitMetrics).
 * Samples share frozen tag sets: a VU that requests the same URL with the
 * same outcome reuses one object instead of copying its tags for every sample.
 */
function trailTags(vu: VU, preq: ParsedRequest, target: Target, method: string, trail: Trail, status: number, err: [number, string] | undefined): Tags {
  const expected = preq.callback ? (preq.callback.matches(err ? 0 : status) ? 'true' : 'false') : '';
  const tls = err || !trail.tlsVersion ? '' : tlsVersionName(trail.tlsVersion);
  const errCode = err ? err[0] : 0;
  let list: TagSet[] | undefined;
  if (!preq.ownTags) {
    const all = preq.http.tagSets;
    let byTarget = all.get(preq.tags);
    if (!byTarget) {
      byTarget = new Map();
      all.set(preq.tags, byTarget);
    }
    list = byTarget.get(target);
    if (!list) {
      if (byTarget.size >= MAX_TAG_TARGETS) byTarget.clear();
      list = [];
      byTarget.set(target, list);
    }
    for (const t of list) {
      if (t.status === status && t.method === method && t.expected === expected && t.errCode === errCode && t.tls === tls && (!err || t.tags.error === err[1])) return t.tags;
    }
  }
  const tags: Tags = { ...preq.tags };
  if (tags.name === undefined) {
    tags.name = target.clean;
    tags.url = target.clean;
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
    if (tls) tags.tls_version = tls;
  }
  if (expected) tags.expected_response = expected;
  Object.freeze(tags);
  if (list && list.length < 16) list.push({ method, status, expected, errCode, tls, tags });
  return tags;
}

/** The samples of one round trip. */
function emitTrail(vu: VU, preq: ParsedRequest, target: Target, method: string, trail: Trail, status: number, err: [number, string] | undefined): void {
  if (!vu.canEmit()) return;
  const tags = trailTags(vu, preq, target, method, trail, status, err);
  const engine = vu.shared.engine;
  const m = httpMetrics(engine);
  const time = performance.timeOrigin + trail.end;
  engine.push(m.reqs, tags, 1, time);
  engine.push(m.duration, tags, trail.duration, time);
  engine.push(m.blocked, tags, trail.blocked, time);
  engine.push(m.connecting, tags, trail.connecting, time);
  engine.push(m.tlsHandshaking, tags, trail.tlsHandshaking, time);
  engine.push(m.sending, tags, trail.sending, time);
  engine.push(m.waiting, tags, trail.waiting, time);
  engine.push(m.receiving, tags, trail.receiving, time);
  if (preq.callback) engine.push(m.failed, tags, tags.expected_response === 'true' ? 0 : 1, time);
}

function cookieHeader(vu: VU, preq: ParsedRequest, u: URL): string | undefined {
  const fromReq = preq.reqCookies;
  const jar = preq.jar === undefined ? (vu.moduleState.get('cookieJar') as CookieJar | undefined) : preq.jar;
  if (!preq.hasReqCookies && (!jar || jar.isEmpty())) return undefined;
  const pairs: string[] = [];
  if (jar) {
    for (const c of jar.forURL(u)) {
      const r = fromReq[c.name];
      if (r && r.replace) continue;
      pairs.push(`${c.name}=${c.value}`);
    }
  }
  for (const k in fromReq) pairs.push(`${k}=${fromReq[k]!.value}`);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** The response fields a request's flow needs, found in one pass over the raw headers. */
interface HeaderFacts {
  location: string | undefined;
  encoding: string | undefined;
  cookies: string[] | undefined;
}

function headerFacts(raw: [string, string][]): HeaderFacts {
  const f: HeaderFacts = { location: undefined, encoding: undefined, cookies: undefined };
  for (const [k, v] of raw) {
    switch (k.length) {
      case 8:
        if (f.location === undefined && k.toLowerCase() === 'location') f.location = v;
        break;
      case 10:
        if (k.toLowerCase() === 'set-cookie') (f.cookies ??= []).push(v);
        break;
      case 16:
        if (f.encoding === undefined && k.toLowerCase() === 'content-encoding') f.encoding = v;
        break;
    }
  }
  return f;
}

/** One round trip a request's flow asks its driver to make. */
interface Hop {
  req: RoundTripRequest;
  plain: boolean;
}

function newResponse(preq: ParsedRequest): Response {
  const resp = new Response();
  resp.setSource(preq);
  resp.url = preq.href;
  return resp;
}

/**
 * k6's flow of one request, redirects and cookies included, apart from how
 * its round trips are made: it yields each round trip and resumes with the
 * RawResponse, or with the round trip's error thrown in. The async driver
 * (RequestRun) awaits them; the blocking one (blockingRequests) blocks.
 * `aborted` is why the driver gave up, if it did.
 */
function* requestFlow(vu: VU, preq: ParsedRequest, resp: Response, aborted: () => Error | undefined): Generator<Hop, Response, RawResponse> {
  let method = preq.method;
  let target = preq.target;
  let body = preq.body;
  let headers = preq.headers;
  let hops = 0;
  for (;;) {
    const h: [string, string][] = [];
    for (const [k, pair] of headers) if (k !== 'content-length') h.push(pair);
    const cookie = cookieHeader(vu, preq, target.url);
    if (cookie) h.push(['Cookie', cookie]);
    if (body !== undefined) h.push(['Content-Length', String(body.length)]);
    let raw: RawResponse;
    try {
      raw = yield {
        req: { origin: target.origin, path: target.path, method, headers: h, body, reset: vu.shared.options.noConnectionReuse },
        plain: target.plain,
      };
    } catch (e) {
      const cause = e instanceof RoundTripError ? e.cause : e;
      const trail = e instanceof RoundTripError ? e.trail : undefined;
      const reason = aborted() ?? cause;
      const code = errorCodeFor(reason);
      if (trail) emitTrail(vu, preq, target, method, trail, 0, code);
      const full = reason instanceof K6HttpError ? reason.message : `${urlErrorOp(method)} "${target.href}": ${(reason as Error)?.message ?? String(reason)}`;
      resp.error = code[1];
      resp.error_code = code[0];
      if (trail) resp.setTimings(trail);
      if (preq.throw) throw new Error(full);
      vu.logger.warn('Request Failed', { error: full });
      return resp;
    }
    emitTrail(vu, preq, target, method, raw.trail, raw.status, undefined);
    const facts = headerFacts(raw.rawHeaders);
    if (preq.jar !== null && facts.cookies) {
      const jar = preq.jar ?? vuJar(vu);
      for (const v of facts.cookies) jar.setFromHeader(target.url, v);
    }
    if (isRedirect(raw.status) && facts.location !== undefined) {
      if (hops >= preq.redirects) {
        if (!preq.redirectsExplicit) {
          vu.logger.warn(
            `Stopped after ${hops + 1} redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this`,
            { url: preq.href },
          );
        }
      } else {
        hops++;
        const next = new URL(facts.location, target.url);
        // Go's http.Client: 301/302/303 switch to GET without a body (HEAD stays HEAD); 307/308 keep both.
        if (raw.status === 301 || raw.status === 302 || raw.status === 303) {
          if (method !== 'GET' && method !== 'HEAD') {
            method = 'GET';
            body = undefined;
            headers = new Map(headers);
            headers.delete('content-type');
          }
        }
        if (next.host !== target.url.host) {
          headers = new Map(headers);
          headers.delete('authorization');
        }
        target = new Target(next);
        resp.url = target.href;
        continue;
      }
    }
    resp.url = target.href;
    const decoded = preq.responseType === 'none' ? EMPTY : decodeBody(raw.body, facts.encoding);
    resp.setRaw(raw, decoded, preq.responseType);
    return resp;
  }
}

/**
 * One asyncRequest under one deadline (redirects included); the iteration
 * ending cancels it too.
 */
class RequestRun extends Expirable {
  private aborted: Error | undefined;
  private current: PendingRoundTrip | undefined;
  private unregister: (() => void) | undefined;

  constructor(
    private readonly vu: VU,
    private readonly preq: ParsedRequest,
  ) {
    super();
  }

  onExpire(): void {
    this.abort(new K6HttpError(TIMEOUT_CODE, 'request timeout'));
  }

  abort(e: Error): void {
    if (this.aborted) return;
    this.aborted = e;
    this.current?.abort(e);
  }

  async run(scope: IterationScope): Promise<Response> {
    const { vu, preq } = this;
    if (preq.timeout > 0) {
      this.deadline = performance.now() + preq.timeout;
      arm(this);
    }
    this.unregister = scope.onCancel((reason) => this.abort(reason instanceof Error ? reason : new Error('iteration ended')));
    try {
      const flow = requestFlow(vu, preq, newResponse(preq), () => this.aborted);
      const transport = preq.http.transport;
      let step = flow.next();
      while (!step.done) {
        let raw: RawResponse;
        try {
          this.current = transport.roundTrip(step.value.req, step.value.plain);
          if (this.aborted) this.current.abort(this.aborted);
          raw = await this.current.promise;
        } catch (e) {
          step = flow.throw(e);
          continue;
        }
        step = flow.next(raw);
      }
      return step.value;
    } finally {
      disarm(this);
      this.unregister();
    }
  }
}

/**
 * k6's blocking requests (http.get…, http.batch): their round trips run in
 * parallel on the helper thread while this thread blocks, each request under
 * its own deadline, redirects included.
 */
function blockingRequests(vu: VU, preqs: ParsedRequest[]): Response[] {
  if (preqs.length === 0) return [];
  warnIfShared(vu, `http.${preqs.length > 1 ? 'batch' : preqs[0]!.method.toLowerCase().replace('delete', 'del')}()`);
  const st = preqs[0]!.http;
  const o = vu.shared.options;
  const flows = preqs.map((p) => requestFlow(vu, p, newResponse(p), () => undefined));
  const start = performance.now();
  const steps = flows.map((f) => f.next());
  for (;;) {
    const live: number[] = [];
    steps.forEach((s, i) => !s.done && live.push(i));
    if (live.length === 0) break;
    const calls = live.map((i) => {
      const hop = steps[i]!.value as Hop;
      const t = preqs[i]!.timeout;
      return { req: hop.req, plain: hop.plain, timeoutMs: t > 0 ? Math.max(1, start + t - performance.now()) : 0 };
    });
    const results = blockingRoundTrips(st.syncKey, { hosts: o.hosts, insecureSkipTLSVerify: o.insecureSkipTLSVerify, io: vu.io }, calls);
    live.forEach((i, j) => {
      const r = results[j]!;
      steps[i] = r instanceof Error ? flows[i]!.throw(r) : flows[i]!.next(r);
    });
  }
  return steps.map((s) => s.value as Response);
}

// ---- the module -------------------------------------------------------------------

/** A Response for a request that could not even be built (bad URL, bad params), unless `throw` is on. */
function unbuildable(vu: VU, e: unknown, params: unknown): Response {
  const throwOpt =
    !isNullish(params) && (params as { throw?: unknown }).throw !== undefined ? Boolean((params as { throw?: unknown }).throw) : vu.shared.options.throw;
  if (throwOpt) throw e;
  vu.logger.warn('Request Failed', { error: (e as Error).message });
  const r = new Response();
  r.error = (e as Error).message;
  if (e instanceof K6HttpError) r.error_code = e.code;
  return r;
}

/** One item of http.batch(): a URL (GET), [method, url, body, params] or {method, url, body, params}. */
function batchItem(item: unknown): [string, unknown, unknown, unknown] {
  if (Array.isArray(item)) return [String(item[0] ?? 'GET'), item[1], item[2], item[3]];
  if (item !== null && typeof item === 'object' && !(item instanceof K6URL) && !(item instanceof URL)) {
    const o = item as { method?: unknown; url?: unknown; body?: unknown; params?: unknown };
    return [isNullish(o.method) ? 'GET' : String(o.method), o.url, o.body, o.params];
  }
  return ['GET', item, undefined, undefined];
}

export function createHttpModule(vu: VU): object {
  const asyncRequest = (method: unknown, url: unknown, body?: unknown, params?: unknown): Promise<Response> => {
    if (vu.inInit) throw new InitContextError('Making http requests in the init context is not supported');
    let preq: ParsedRequest;
    try {
      preq = parseRequest(vu, String(method), url, body, params);
    } catch (e) {
      try {
        return Promise.resolve(unbuildable(vu, e, params));
      } catch (thrown) {
        return Promise.reject(thrown);
      }
    }
    const scope = vu.requireScope('Making http requests');
    const req = new RequestRun(vu, preq);
    return scope.track((sc) => req.run(sc));
  };

  // k6's blocking calls: this VU (and this thread) waits for the response.
  const request = (method: unknown, url: unknown, body?: unknown, params?: unknown): Response => {
    if (vu.inInit) throw new InitContextError('Making http requests in the init context is not supported');
    let preq: ParsedRequest;
    try {
      preq = parseRequest(vu, String(method), url, body, params);
    } catch (e) {
      return unbuildable(vu, e, params);
    }
    return blockingRequests(vu, [preq])[0]!;
  };

  const batch = (reqs: unknown): unknown => {
    if (vu.inInit) throw new InitContextError('Making http requests in the init context is not supported');
    if (reqs === null || typeof reqs !== 'object') throw new Error('batch() expects an array or an object of requests');
    const keys = Array.isArray(reqs) ? reqs.map((_, i) => i) : Object.keys(reqs);
    const out: Response[] = [];
    const pending: { at: number; preq: ParsedRequest }[] = [];
    keys.forEach((k, at) => {
      const [method, url, body, params] = batchItem((reqs as Record<string | number, unknown>)[k]);
      try {
        pending.push({ at, preq: parseRequest(vu, method.toUpperCase(), url, body, params) });
      } catch (e) {
        out[at] = unbuildable(vu, e, params);
      }
    });
    blockingRequests(vu, pending.map((p) => p.preq)).forEach((r, i) => (out[pending[i]!.at] = r));
    if (Array.isArray(reqs)) return out;
    return Object.fromEntries(keys.map((k, at) => [k, out[at]]));
  };

  const mod = {
    asyncRequest,
    request,
    get: (url: unknown, params?: unknown) => request('GET', url, null, params),
    head: (url: unknown, params?: unknown) => request('HEAD', url, null, params),
    post: (url: unknown, body?: unknown, params?: unknown) => request('POST', url, body, params),
    put: (url: unknown, body?: unknown, params?: unknown) => request('PUT', url, body, params),
    patch: (url: unknown, body?: unknown, params?: unknown) => request('PATCH', url, body, params),
    del: (url: unknown, body?: unknown, params?: unknown) => request('DELETE', url, body, params),
    options: (url: unknown, body?: unknown, params?: unknown) => request('OPTIONS', url, body, params),
    batch,
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
