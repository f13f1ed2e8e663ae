// HTTP Signatures as Mastodon speaks them: draft-cavage-http-signatures with
// rsa-sha256, a `Digest: SHA-256=<base64>` of the body, and Mastodon's
// clock-skew window. Pure WebCrypto (`globalThis.crypto.subtle`) and hand-made
// base64/UTF-8, no Node or k6 imports, so one file serves k6 scenarios (k6 v1
// has the global WebCrypto), the Node runner, the stand-in and the fleet.
//
// API
//   signRequest({ method, url, body?, keyId, privateKey, date?, headers? })
//       → { Host, Date, Digest?, Signature }: the headers to send. Signs
//       `(request-target) host date digest` (no digest without a body).
//   verifyRequest({ method, path, headers, body? }, publicKey, { now? })
//       → { ok: true, keyId } | { ok: false, status, reason }: checks that the
//       Signature header parses, signs what Mastodon requires, the Date (or
//       hs2019's created/expires) lies in the clock-skew window, the Digest
//       matches the body, and the RSA signature verifies, over the path with
//       its query or, as Mastodon also accepts, without. status is 400 for a
//       malformed header, else 401.
//   parseSignatureHeader(value) → { keyId, algorithm, headers, signature }
//       (throws SignatureError): read keyId to fetch the sender's key first.
//   importPublicKeyPem / importPrivateKeyPem (SPKI; PKCS#8 or PKCS#1 as
//   Mastodon stores it), exportPublicKeyPem / exportPrivateKeyPem (SPKI /
//   PKCS#8), generateRsaKeyPair(), digestHeader(body).
// Import a PEM once and pass the key: importing costs more than a signature.

/** A WebCrypto CryptoKey; opaque here because k6's types declare no WebCrypto. */
export interface RsaKey {
  readonly type: string;
  readonly algorithm: unknown;
}

export interface RsaKeyPair {
  publicKey: RsaKey;
  privateKey: RsaKey;
}

type Bytes = Uint8Array;

interface Subtle {
  importKey(format: string, keyData: Bytes, algorithm: object, extractable: boolean, usages: string[]): Promise<RsaKey>;
  exportKey(format: string, key: RsaKey): Promise<ArrayBuffer>;
  generateKey(algorithm: object, extractable: boolean, usages: string[]): Promise<RsaKeyPair>;
  sign(algorithm: object, key: RsaKey, data: Bytes): Promise<ArrayBuffer>;
  verify(algorithm: object, key: RsaKey, signature: Bytes, data: Bytes): Promise<boolean>;
  digest(algorithm: string, data: Bytes): Promise<ArrayBuffer>;
}

/** rsa-sha256 in draft-cavage, rsa-v1_5-sha256 in RFC 9421. */
export const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** The headers Mastodon requires and this module signs (Mastodon itself adds content-type). */
export const SIGNED_HEADERS = ['(request-target)', 'host', 'date', 'digest'] as const;

/** `app/controllers/concerns/signature_verification.rb`: a signature may be created up to 1 h ahead… */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;
/** …and, with no `expires`, lives 5 min after creation, plus the same 1 h margin: Date ∈ [now − 65 min, now + 60 min]. */
export const DEFAULT_EXPIRY_MS = 5 * 60 * 1000;

/** A signature that cannot be accepted; `status` is what an inbox answers. */
export class SignatureError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 = 401,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

export function subtle(): Subtle {
  const c = (globalThis as unknown as { crypto?: { subtle?: Subtle } }).crypto;
  if (!c?.subtle) throw new Error('WebCrypto is not available (globalThis.crypto.subtle): run on k6 ≥ v1.0 or Node ≥ 20');
  return c.subtle;
}

// ---------------------------------------------------------------- encodings

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX: Record<string, number> = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]!] = i;

export function base64Encode(bytes: Bytes): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

/** Standard base64 (whitespace ignored); throws SignatureError on anything else. */
export function base64Decode(text: string): Bytes {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new SignatureError('invalid base64', 400);
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of clean) {
    const v = B64_INDEX[ch];
    if (v === undefined) throw new SignatureError('invalid base64', 400);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** UTF-8 bytes of a string (k6 has no TextEncoder). */
export function utf8(text: string): Bytes {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function bytesOf(body: string | Bytes): Bytes {
  return typeof body === 'string' ? utf8(body) : body;
}

// ---------------------------------------------------------------- keys

function pemBody(pem: string, label: string): Bytes {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`not a PEM "${label}" block`);
  return base64Decode(m[1]!);
}

function pem(der: ArrayBuffer, label: string): string {
  const b64 = base64Encode(new Uint8Array(der));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, content: Bytes): Bytes {
  const head = [tag, ...derLength(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

// PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING { RSAPrivateKey } }:
// WebCrypto imports only PKCS#8, Mastodon (and the stand-in) store PKCS#1.
const PKCS8_RSA_PREFIX = new Uint8Array([
  0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
]);

function pkcs1ToPkcs8(pkcs1: Bytes): Bytes {
  const octets = der(0x04, pkcs1);
  const body = new Uint8Array(PKCS8_RSA_PREFIX.length + octets.length);
  body.set(PKCS8_RSA_PREFIX);
  body.set(octets, PKCS8_RSA_PREFIX.length);
  return der(0x30, body);
}

/** A public key from an SPKI PEM ("BEGIN PUBLIC KEY", as in an actor's publicKeyPem). */
export function importPublicKeyPem(publicKeyPem: string): Promise<RsaKey> {
  return subtle().importKey('spki', pemBody(publicKeyPem, 'PUBLIC KEY'), RSA, true, ['verify']);
}

/** A signing key from a PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY") PEM. */
export function importPrivateKeyPem(privateKeyPem: string): Promise<RsaKey> {
  const der = privateKeyPem.includes('BEGIN RSA PRIVATE KEY')
    ? pkcs1ToPkcs8(pemBody(privateKeyPem, 'RSA PRIVATE KEY'))
    : pemBody(privateKeyPem, 'PRIVATE KEY');
  return subtle().importKey('pkcs8', der, RSA, true, ['sign']);
}

export async function exportPublicKeyPem(key: RsaKey): Promise<string> {
  return pem(await subtle().exportKey('spki', key), 'PUBLIC KEY');
}

export async function exportPrivateKeyPem(key: RsaKey): Promise<string> {
  return pem(await subtle().exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A fresh RSA-2048 key pair (Mastodon's size), extractable so it can be published as PEM. */
export function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return subtle().generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']);
}

// ---------------------------------------------------------------- signing

/** `SHA-256=<base64>` of the body, the only Digest Mastodon checks. */
export async function digestHeader(body: string | Bytes): Promise<string> {
  return `SHA-256=${base64Encode(new Uint8Array(await subtle().digest('SHA-256', bytesOf(body))))}`;
}

/** Host (with any port) and path+query of an absolute URL; k6 has no URL global. */
export function splitUrl(url: string): { host: string; target: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!m) throw new Error(`not an absolute URL: ${url}`);
  const target = m[2] || '/';
  return { host: m[1]!.toLowerCase(), target: target.startsWith('/') ? target : `/${target}` };
}

/** An RFC 7231 IMF-fixdate, as in the Date header. */
export function httpDate(at: Date): string {
  return at.toUTCString();
}

export interface SignOptions {
  method: string;
  /** Absolute URL the request goes to; gives `host` and `(request-target)`. */
  url: string;
  /** The exact bytes that will be sent; omitted or undefined for a GET. */
  body?: string | Bytes;
  /** The signer's key URI, e.g. `https://example.social/users/alice#main-key`. */
  keyId: string;
  privateKey: RsaKey;
  /** Defaults to now. */
  date?: Date;
}

export interface SignedHeaders {
  Host: string;
  Date: string;
  Digest?: string;
  Signature: string;
}

function signingString(names: readonly string[], value: (name: string) => string | undefined): string {
  return names
    .map((name) => {
      const v = value(name);
      if (v === undefined) throw new SignatureError(`signed header "${name}" is missing from the request`);
      return `${name}: ${v}`;
    })
    .join('\n');
}

/** The headers to add to a request so a Mastodon inbox accepts it as signed by `keyId`. */
export async function signRequest(options: SignOptions): Promise<SignedHeaders> {
  const { host, target } = splitUrl(options.url);
  const out: SignedHeaders = { Host: host, Date: httpDate(options.date ?? new Date()), Signature: '' };
  if (options.body !== undefined) out.Digest = await digestHeader(options.body);
  const names = out.Digest === undefined ? SIGNED_HEADERS.filter((n) => n !== 'digest') : [...SIGNED_HEADERS];
  const values: Record<string, string | undefined> = {
    '(request-target)': `${options.method.toLowerCase()} ${target}`,
    host: out.Host,
    date: out.Date,
    digest: out.Digest,
  };
  const text = signingString(names, (n) => values[n]);
  const signature = base64Encode(new Uint8Array(await subtle().sign(RSA, options.privateKey, utf8(text))));
  out.Signature = `keyId="${options.keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${signature}"`;
  return out;
}

// ---------------------------------------------------------------- verifying

export interface ParsedSignature {
  keyId: string;
  algorithm: string;
  /** Signed header names, lower-case, in order. */
  headers: string[];
  signature: string;
  /** hs2019's `created` / `expires` parameters (Unix seconds), when given. */
  created?: string;
  expires?: string;
}

/** The parameters of a Signature header; throws SignatureError (400) when malformed. */
export function parseSignatureHeader(value: string): ParsedSignature {
  const params: Record<string, string> = {};
  const rest = value.replace(/([a-zA-Z]+)\s*=\s*(?:"([^"]*)"|(\d+))/g, (_all, key: string, quoted?: string, bare?: string) => {
    params[key.toLowerCase()] = quoted ?? bare ?? '';
    return '';
  });
  if (rest.replace(/[\s,]/g, '') !== '') throw new SignatureError('malformed Signature header', 400);
  const keyId = params['keyid'];
  const signature = params['signature'];
  if (!keyId || !signature) throw new SignatureError('Signature header lacks keyId or signature', 400);
  return {
    keyId,
    signature,
    // Mastodon assumes hs2019 when algorithm is absent and `date` when headers is.
    algorithm: (params['algorithm'] ?? 'hs2019').toLowerCase(),
    headers: (params['headers'] ?? 'date').toLowerCase().split(/\s+/).filter(Boolean),
    ...(params['created'] !== undefined ? { created: params['created'] } : {}),
    ...(params['expires'] !== undefined ? { expires: params['expires'] } : {}),
  };
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface ReceivedRequest {
  method: string;
  /** Path and query as received, e.g. `/users/alice/inbox?x=1`. */
  path: string;
  headers: HeaderBag;
  /** The raw body bytes (or text) as received; Digest is checked against these. */
  body?: string | Bytes;
}

export type Verification = { ok: true; keyId: string } | { ok: false; status: 400 | 401; reason: string };

/** A header's value by lower-case name, repeated values joined with ", ". */
export function header(headers: HeaderBag, name: string): string | undefined {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const v = headers[key];
    return Array.isArray(v) ? v.join(', ') : v;
  }
  return undefined;
}

/** Mastodon's signature-strength rule: what must be covered for the signature to count. */
function checkStrength(method: string, signed: string[]): void {
  const has = (n: string) => signed.includes(n);
  if (!has('date') && !has('(created)')) throw new SignatureError('the signature must cover date or (created)');
  if (!has('digest') && !has('(request-target)')) throw new SignatureError('the signature must cover (request-target) or digest');
  if (method === 'GET' && !has('host')) throw new SignatureError('a GET signature must cover host');
  if (method === 'POST' && !has('digest')) throw new SignatureError('a POST signature must cover digest');
}

/** At most this long after creation, whatever `expires` says. */
const EXPIRATION_LIMIT_MS = 12 * 60 * 60 * 1000;

/**
 * SignedRequest#matches_time_window?: created is hs2019's `created` when given,
 * else the Date header; it may lie up to 1 h ahead, and the signature expires
 * at `expires` or 5 min after creation (never later than 12 h), plus 1 h.
 * Exported for RFC 9421 signatures, which carry created/expires as parameters.
 */
export function checkTimeWindow(created: number | undefined, expires: number | undefined, now: number, what: string): void {
  let until = expires;
  if (created !== undefined) until = Math.min(until ?? created + DEFAULT_EXPIRY_MS, created + EXPIRATION_LIMIT_MS);
  if ((created !== undefined && created - now > CLOCK_SKEW_MS) || (until !== undefined && now > until + CLOCK_SKEW_MS)) {
    throw new SignatureError(`${what} is outside the accepted window (1 h ahead; 5 min or its expiry, plus 1 h, behind)`);
  }
}

function unixMs(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new SignatureError(`invalid ${what} parameter: ${value}`);
  return Number(value) * 1000;
}

function checkDate(sig: ParsedSignature, dateHeader: string | undefined, now: number): void {
  const hs2019Created = sig.algorithm === 'hs2019' && sig.created !== undefined;
  let created: number | undefined;
  if (hs2019Created) created = unixMs(sig.created, 'created');
  else if (dateHeader !== undefined) {
    created = Date.parse(dateHeader);
    if (Number.isNaN(created)) throw new SignatureError(`invalid Date header: ${dateHeader}`);
  }
  checkTimeWindow(created, unixMs(sig.expires, 'expires'), now, hs2019Created ? `created ${sig.created}` : `Date ${dateHeader}`);
}

/** The value of a pseudo-header other than (request-target): hs2019 only, and its parameter must be there. */
function pseudoHeader(sig: ParsedSignature, name: '(created)' | '(expires)'): string {
  if (sig.algorithm !== 'hs2019') throw new SignatureError(`pseudo-header ${name} is only valid with hs2019`);
  const value = name === '(created)' ? sig.created : sig.expires;
  if (value === undefined) throw new SignatureError(`pseudo-header ${name} is signed but its parameter is missing`);
  return value;
}

async function checkDigest(digest: string | undefined, body: string | Bytes): Promise<void> {
  if (digest === undefined) throw new SignatureError('Digest header missing');
  const sha = digest
    .split(',')
    .map((part) => part.trim())
    .find((part) => part.slice(0, 8).toLowerCase() === 'sha-256=');
  if (sha === undefined) throw new SignatureError('Digest header carries no SHA-256 value');
  const expected = await digestHeader(body);
  if (sha.slice(8) !== expected.slice(8)) throw new SignatureError('Digest does not match the body');
}

/** Checks a received request's signature against the sender's public key (Mastodon's rules). */
export async function verifyRequest(request: ReceivedRequest, publicKey: RsaKey, options: { now?: Date } = {}): Promise<Verification> {
  try {
    const value = header(request.headers, 'signature');
    if (value === undefined) throw new SignatureError('request is not signed (no Signature header)');
    const sig = parseSignatureHeader(value);
    if (sig.algorithm !== 'rsa-sha256' && sig.algorithm !== 'hs2019') {
      throw new SignatureError(`unsupported signature algorithm ${sig.algorithm}`);
    }
    const method = request.method.toUpperCase();
    checkStrength(method, sig.headers);
    checkDate(sig, header(request.headers, 'date'), (options.now ?? new Date()).getTime());
    if (sig.headers.includes('digest') || request.body !== undefined) {
      await checkDigest(header(request.headers, 'digest'), request.body ?? '');
    }
    const text = (target: string) =>
      signingString(sig.headers, (name) =>
        name === '(request-target)'
          ? `${method.toLowerCase()} ${target}`
          : name === '(created)' || name === '(expires)'
            ? pseudoHeader(sig, name)
            : header(request.headers, name),
      );
    const signature = base64Decode(sig.signature);
    const verifies = (target: string) => subtle().verify(RSA, publicKey, signature, utf8(text(target)));
    // Mastodon also accepts a (request-target) without the query string, which
    // its own older releases signed.
    const pathOnly = request.path.split('?')[0]!;
    const ok = (await verifies(request.path)) || (pathOnly !== request.path && (await verifies(pathOnly)));
    if (!ok) throw new SignatureError(`signature does not verify with the key of ${sig.keyId}`);
    return { ok: true, keyId: sig.keyId };
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, status: e.status, reason: e.message };
    throw e;
  }
}
