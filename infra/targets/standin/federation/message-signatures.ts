// RFC 9421 HTTP Message Signatures as Mastodon 4.5 verifies them on its inbox
// (SignedRequest::HttpMessageSignature, chosen whenever a `Signature-Input`
// header is present): rsa-v1_5-sha256 with the actor's key, `keyid` and
// `created` required, `@method` and `@target-uri` covered, `content-digest`
// covered on POST and matching the body (`sha-256=:<base64>:`), and the same
// clock window as draft-cavage signatures, whose encodings, errors and window
// it shares (scenarios/lib/http-signatures.ts).
//
// API
//   messageSignatureKeyId(signatureInput) → the keyid to fetch the sender's key by
//       (throws SignatureError).
//   verifyMessageSignature({ method, targetUri, headers, body? }, publicKey, { now? })
//       → { ok: true, keyId } | { ok: false, status, reason }: 400 for headers that
//       are not valid structured fields, else 401.

import {
  base64Decode,
  base64Encode,
  checkTimeWindow,
  header,
  RSA,
  SignatureError,
  subtle,
  utf8,
  type HeaderBag,
  type RsaKey,
  type Verification,
} from '../../../../scenarios/lib/http-signatures.js';

// ---------------------------------------------------------------- structured fields (RFC 8941), the parts signatures use

type Bare = string | number | boolean | { token: string } | { bytes: Uint8Array };
type Params = [string, Bare][];

interface Item {
  value: Bare;
  params: Params;
}

interface InnerList {
  items: Item[];
  params: Params;
}

type Member = Item | InnerList;

const malformed = (what: string) => new SignatureError(`${what} is not a valid structured-field dictionary`, 400);

class FieldParser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  dictionary(): Map<string, Member> {
    const out = new Map<string, Member>();
    this.skip(' \t');
    while (this.at < this.text.length) {
      const key = this.key();
      let member: Member;
      if (this.peek() === '=') {
        this.at++;
        member = this.peek() === '(' ? this.innerList() : this.item();
      } else {
        member = { value: true, params: this.params() };
      }
      out.set(key, member);
      this.skip(' \t');
      if (this.at >= this.text.length) break;
      if (this.text[this.at++] !== ',') throw malformed(this.what);
      this.skip(' \t');
      if (this.at >= this.text.length) throw malformed(this.what);
    }
    return out;
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private skip(chars: string): void {
    while (this.at < this.text.length && chars.includes(this.text[this.at]!)) this.at++;
  }

  private key(): string {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(this.text.slice(this.at));
    if (!m) throw malformed(this.what);
    this.at += m[0].length;
    return m[0];
  }

  private innerList(): InnerList {
    this.at++; // (
    const items: Item[] = [];
    for (;;) {
      this.skip(' ');
      if (this.peek() === ')') {
        this.at++;
        return { items, params: this.params() };
      }
      if (this.at >= this.text.length) throw malformed(this.what);
      items.push(this.item());
      const next = this.peek();
      if (next !== ' ' && next !== ')') throw malformed(this.what);
    }
  }

  private item(): Item {
    return { value: this.bare(), params: this.params() };
  }

  private params(): Params {
    const out: Params = [];
    while (this.peek() === ';') {
      this.at++;
      this.skip(' ');
      const key = this.key();
      let value: Bare = true;
      if (this.peek() === '=') {
        this.at++;
        value = this.bare();
      }
      out.push([key, value]);
    }
    return out;
  }

  private bare(): Bare {
    const rest = this.text.slice(this.at);
    const c = rest[0];
    if (c === '"') {
      let out = '';
      for (let i = 1; i < rest.length; i++) {
        const ch = rest[i]!;
        if (ch === '\\') {
          const esc = rest[++i];
          if (esc !== '"' && esc !== '\\') throw malformed(this.what);
          out += esc;
        } else if (ch === '"') {
          this.at += i + 1;
          return out;
        } else if (ch < ' ' || ch > '~') throw malformed(this.what);
        else out += ch;
      }
      throw malformed(this.what);
    }
    if (c === ':') {
      const end = rest.indexOf(':', 1);
      if (end < 0 || !/^[A-Za-z0-9+/=]*$/.test(rest.slice(1, end))) throw malformed(this.what);
      this.at += end + 1;
      return { bytes: base64Decode(rest.slice(1, end)) };
    }
    if (c === '?') {
      if (rest[1] !== '0' && rest[1] !== '1') throw malformed(this.what);
      this.at += 2;
      return rest[1] === '1';
    }
    const num = /^-?\d{1,15}(\.\d{1,3})?/.exec(rest);
    if (num) {
      this.at += num[0].length;
      return Number(num[0]);
    }
    const token = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/.exec(rest);
    if (token) {
      this.at += token[0].length;
      return { token: token[0] };
    }
    throw malformed(this.what);
  }
}

function serializeBare(v: Bare): string {
  if (typeof v === 'string') return `"${v.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if ('token' in v) return v.token;
  return `:${base64Encode(v.bytes)}:`;
}

function serializeParams(params: Params): string {
  return params.map(([k, v]) => (v === true ? `;${k}` : `;${k}=${serializeBare(v)}`)).join('');
}

const serializeItem = (item: Item) => serializeBare(item.value) + serializeParams(item.params);

// ---------------------------------------------------------------- signatures

interface SignatureInput {
  label: string;
  components: Item[];
  /** The whole inner list, re-serialized: the `@signature-params` value. */
  serialized: string;
  params: Map<string, Bare>;
}

function firstSignatureInput(value: string): SignatureInput {
  const dict = new FieldParser(value, 'Signature-Input').dictionary();
  const [label, member] = [...dict.entries()][0] ?? [];
  if (label === undefined || member === undefined || !('items' in member)) throw malformed('Signature-Input');
  if (member.items.some((i) => typeof i.value !== 'string')) throw malformed('Signature-Input');
  return {
    label,
    components: member.items,
    serialized: `(${member.items.map(serializeItem).join(' ')})${serializeParams(member.params)}`,
    params: new Map(member.params),
  };
}

export function messageSignatureKeyId(signatureInput: string): string {
  const keyid = firstSignatureInput(signatureInput).params.get('keyid');
  if (typeof keyid !== 'string' || keyid === '') throw new SignatureError('Incompatible request signature. keyid and created are required');
  return keyid;
}

export interface ReceivedMessage {
  method: string;
  /** The absolute URI the request was made to, as the receiver reconstructs it. */
  targetUri: string;
  headers: HeaderBag;
  body?: string;
}

function derived(name: string, m: ReceivedMessage): string {
  let url: URL;
  try {
    url = new URL(m.targetUri);
  } catch {
    throw new SignatureError(`the request's URI ${m.targetUri} cannot be rebuilt`);
  }
  switch (name) {
    case '@method':
      return m.method.toUpperCase();
    case '@target-uri':
      return m.targetUri;
    case '@authority':
      return url.host.toLowerCase();
    case '@scheme':
      return url.protocol.slice(0, -1).toLowerCase();
    case '@request-target':
      return url.pathname + url.search;
    case '@path':
      return url.pathname;
    case '@query':
      return url.search === '' ? '?' : url.search;
    default:
      throw new SignatureError(`unsupported derived component ${name}`);
  }
}

function signatureBase(input: SignatureInput, m: ReceivedMessage): string {
  const lines = input.components.map((item) => {
    const name = item.value as string;
    if (item.params.length > 0) throw new SignatureError(`component parameters are not supported ("${name}"${serializeParams(item.params)})`);
    let value: string | undefined;
    if (name.startsWith('@')) value = derived(name, m);
    else {
      value = header(m.headers, name);
      if (value === undefined) throw new SignatureError(`signed header "${name}" is missing from the request`);
      value = value.trim();
    }
    return `${serializeItem(item)}: ${value}`;
  });
  lines.push(`"@signature-params": ${input.serialized}`);
  return lines.join('\n');
}

async function checkContentDigest(value: string | undefined, body: string): Promise<void> {
  if (value === undefined) throw new SignatureError('Content-Digest header missing');
  const sha = new FieldParser(value, 'Content-Digest').dictionary().get('sha-256');
  if (sha === undefined) throw new SignatureError('Content-Digest carries no sha-256 value');
  if ('items' in sha || typeof sha.value !== 'object' || !('bytes' in sha.value)) throw malformed('Content-Digest');
  const computed = base64Encode(new Uint8Array(await subtle().digest('SHA-256', utf8(body))));
  if (base64Encode(sha.value.bytes) !== computed) throw new SignatureError('Content-Digest does not match the body');
}

/** Checks an RFC 9421 signature against the sender's public key, with Mastodon's rules. */
export async function verifyMessageSignature(m: ReceivedMessage, publicKey: RsaKey, options: { now?: Date } = {}): Promise<Verification> {
  try {
    const inputHeader = header(m.headers, 'signature-input');
    const signatureHeader = header(m.headers, 'signature');
    if (inputHeader === undefined || signatureHeader === undefined) throw new SignatureError('request is not signed (no Signature-Input and Signature)');
    const input = firstSignatureInput(inputHeader);
    const keyId = input.params.get('keyid');
    const created = input.params.get('created');
    const expires = input.params.get('expires');
    if (typeof keyId !== 'string' || keyId === '' || typeof created !== 'number') {
      throw new SignatureError('Incompatible request signature. keyid and created are required');
    }
    const alg = input.params.get('alg');
    if (alg !== undefined && alg !== 'rsa-v1_5-sha256') throw new SignatureError(`unsupported signature algorithm ${String(alg)} (an actor key verifies rsa-v1_5-sha256)`);
    checkTimeWindow(created * 1000, typeof expires === 'number' ? expires * 1000 : undefined, (options.now ?? new Date()).getTime(), `created ${created}`);
    const names = input.components.map((i) => i.value as string);
    if (!names.includes('@method') || !names.includes('@target-uri')) {
      throw new SignatureError('Mastodon requires the @method and @target-uri derived components to be signed');
    }
    if (m.method.toUpperCase() === 'POST' && !names.includes('content-digest')) {
      throw new SignatureError('Mastodon requires the Content-Digest header to be signed when doing a POST request');
    }
    if (names.includes('content-digest')) await checkContentDigest(header(m.headers, 'content-digest'), m.body ?? '');
    const signature = new FieldParser(signatureHeader, 'Signature').dictionary().get(input.label);
    if (signature === undefined || 'items' in signature || typeof signature.value !== 'object' || !('bytes' in signature.value)) {
      throw new SignatureError(`no signature labelled "${input.label}" in the Signature header`);
    }
    const ok = await subtle().verify(RSA, publicKey, signature.value.bytes, utf8(signatureBase(input, m)));
    if (!ok) throw new SignatureError(`signature does not verify with the key of ${keyId}`);
    return { ok: true, keyId };
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, status: e.status, reason: e.message };
    throw e;
  }
}
