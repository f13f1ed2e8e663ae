// k6's Response object (js/modules/k6/http/response.go). headers, cookies,
// body and request are built from the raw response the first time the script
// reads them: most load scripts look at status and maybe one header, and
// building every field for every response costs more CPU than the round
// trip's own parsing. They behave as plain fields otherwise (assignable,
// and JSON.stringify shows them).

import type { RawResponse, Trail } from './http-transport.js';
import { toArrayBuffer } from './util.js';

export type ResponseType = 'text' | 'binary' | 'none';

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const canonicalKeys = new Map<string, string>();
const MAX_CANONICAL_KEYS = 1024;

/** Go's textproto.CanonicalMIMEHeaderKey (remembered: the same few names come back all the time). */
export function canonicalHeaderKey(k: string): string {
  const known = canonicalKeys.get(k);
  if (known !== undefined) return known;
  let out = k;
  if (TOKEN_RE.test(k)) {
    let upper = true;
    out = '';
    for (const ch of k) {
      out += upper ? ch.toUpperCase() : ch.toLowerCase();
      upper = ch === '-';
    }
  }
  if (canonicalKeys.size >= MAX_CANONICAL_KEYS) canonicalKeys.clear();
  canonicalKeys.set(k, out);
  return out;
}

export interface Timings {
  duration: number;
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

export interface RequestInfo {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
  cookies: Record<string, unknown[]>;
}

interface Ocsp {
  produced_at: number;
  this_update: number;
  next_update: number;
  revocation_reason: string;
  revoked_at: number;
  status: string;
}

type Cookies = Record<string, { name: string; value: string }[]>;

/** What the request looked like, for Response.request (built on first read). */
export interface RequestSource {
  method: string;
  href: string;
  headers: Map<string, [string, string]>;
  body: Buffer | undefined;
}

const NO_PAIRS: [string, string][] = [];

export function tlsVersionName(v: string): string {
  // Node reports TLSv1.3; k6 tags tls1.3.
  return v.replace(/^TLSv/, 'tls');
}

export class Response {
  status = 0;
  status_text = '';
  proto = '';
  url = '';
  error = '';
  error_code = 0;
  remote_ip = '';
  remote_port = 0;
  tls_version = '';
  tls_cipher_suite = '';
  timings: Timings = { duration: 0, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0 };
  #rawHeaders: [string, string][] = NO_PAIRS;
  #rawBody: Buffer | undefined;
  #responseType: ResponseType = 'text';
  #source: RequestSource | undefined;
  #headers: Record<string, string> | undefined;
  #cookies: Cookies | undefined;
  #body: string | ArrayBuffer | null | undefined;
  #request: RequestInfo | undefined;
  #ocsp: Ocsp | undefined;
  #cachedJSON: unknown;
  #hasCachedJSON = false;

  /** Where Response.request comes from. */
  setSource(src: RequestSource): void {
    this.#source = src;
  }

  /** Take status, headers and the (decoded) body of a final response. */
  setRaw(raw: RawResponse, body: Buffer, responseType: ResponseType): void {
    this.status = raw.status;
    this.status_text = `${raw.status} ${raw.statusText}`;
    this.proto = 'HTTP/1.1';
    if (raw.status >= 400) this.error_code = 1000 + raw.status;
    this.#rawHeaders = raw.rawHeaders;
    this.#rawBody = body;
    this.#responseType = responseType;
    this.setTimings(raw.trail);
  }

  setTimings(t: Trail): void {
    const timings = this.timings;
    timings.duration = t.duration;
    timings.blocked = t.blocked;
    timings.connecting = t.connecting;
    timings.tls_handshaking = t.tlsHandshaking;
    timings.sending = t.sending;
    timings.waiting = t.waiting;
    timings.receiving = t.receiving;
    if (t.remoteAddress) this.remote_ip = t.remoteAddress;
    if (t.remotePort) this.remote_port = t.remotePort;
    if (t.tlsVersion) this.tls_version = tlsVersionName(t.tlsVersion);
    if (t.tlsCipher) this.tls_cipher_suite = t.tlsCipher;
  }

  get headers(): Record<string, string> {
    if (this.#headers === undefined) {
      const headers: Record<string, string> = {};
      for (const [k, v] of this.#rawHeaders) {
        const ck = canonicalHeaderKey(k);
        headers[ck] = headers[ck] === undefined ? v : `${headers[ck]}, ${v}`;
      }
      this.#headers = headers;
    }
    return this.#headers;
  }
  set headers(v: Record<string, string>) {
    this.#headers = v;
  }

  get cookies(): Cookies {
    if (this.#cookies === undefined) {
      const cookies: Cookies = {};
      for (const [k, v] of this.#rawHeaders) {
        if (k.length !== 10 || k.toLowerCase() !== 'set-cookie') continue;
        const nv = v.split(';', 1)[0]!;
        const eq = nv.indexOf('=');
        if (eq <= 0) continue;
        const name = nv.slice(0, eq).trim();
        (cookies[name] ??= []).push({ name, value: nv.slice(eq + 1).trim() });
      }
      this.#cookies = cookies;
    }
    return this.#cookies;
  }
  set cookies(v: Cookies) {
    this.#cookies = v;
  }

  get body(): string | ArrayBuffer | null {
    if (this.#body === undefined) {
      const raw = this.#rawBody;
      if (raw === undefined || this.#responseType === 'none') this.#body = null;
      else if (this.#responseType === 'binary') this.#body = toArrayBuffer(raw);
      else this.#body = raw.toString('utf8');
    }
    return this.#body;
  }
  set body(v: string | ArrayBuffer | null) {
    this.#body = v;
  }

  get ocsp(): Ocsp {
    return (this.#ocsp ??= { produced_at: 0, this_update: 0, next_update: 0, revocation_reason: '', revoked_at: 0, status: '' });
  }
  set ocsp(v: Ocsp) {
    this.#ocsp = v;
  }

  get request(): RequestInfo {
    if (this.#request === undefined) {
      const src = this.#source;
      const headers: Record<string, string[]> = {};
      if (src) for (const [name, value] of src.headers.values()) (headers[name] ??= []).push(value);
      this.#request = { method: src?.method ?? '', url: src?.href ?? '', headers, body: src?.body?.toString('utf8') ?? '', cookies: {} };
    }
    return this.#request;
  }
  set request(v: RequestInfo) {
    this.#request = v;
  }

  json(selector?: unknown): unknown {
    const body = this.body;
    if (body === null || body === undefined) {
      throw new Error(
        'the body is null so we can\'t transform it to JSON - this likely was because of a request error getting the response',
      );
    }
    if (!this.#hasCachedJSON) {
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      try {
        this.#cachedJSON = JSON.parse(text);
      } catch (e) {
        throw new Error(`cannot parse json due to an error at line 1, character 1 , error: ${(e as Error).message}`);
      }
      this.#hasCachedJSON = true;
    }
    if (selector === undefined || selector === null) return this.#cachedJSON;
    return selectJSON(this.#cachedJSON, String(selector));
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

  /** The fields, as k6's Response serializes. */
  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      status_text: this.status_text,
      proto: this.proto,
      url: this.url,
      headers: this.headers,
      cookies: this.cookies,
      body: this.body,
      error: this.error,
      error_code: this.error_code,
      remote_ip: this.remote_ip,
      remote_port: this.remote_port,
      tls_version: this.tls_version,
      tls_cipher_suite: this.tls_cipher_suite,
      ocsp: this.ocsp,
      timings: this.timings,
      request: this.request,
    };
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
