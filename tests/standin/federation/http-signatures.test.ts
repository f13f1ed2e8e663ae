import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateRsaKeyPair,
  importPrivateKeyPem,
  importPublicKeyPem,
  parseSignatureHeader,
  signRequest,
  utf8,
  verifyRequest,
  type RsaKey,
  type SignedHeaders,
} from '../../../scenarios/lib/http-signatures.js';

const INBOX = 'https://b.example/users/bob/inbox';
const KEY_ID = 'https://a.example/users/alice#main-key';
const BODY = JSON.stringify({ type: 'Create', object: { type: 'Note', content: 'héllo 🐘' } });

let alice: { publicKey: RsaKey; privateKey: RsaKey };
let mallory: { publicKey: RsaKey; privateKey: RsaKey };

beforeAll(async () => {
  alice = await generateRsaKeyPair();
  mallory = await generateRsaKeyPair();
});

function received(headers: SignedHeaders, body: string | undefined = BODY, overrides: Record<string, string | undefined> = {}) {
  const bag: Record<string, string | undefined> = {
    host: headers.Host,
    date: headers.Date,
    digest: headers.Digest,
    signature: headers.Signature,
    'content-type': 'application/activity+json',
    ...overrides,
  };
  return { method: 'POST', path: '/users/bob/inbox', headers: bag, body };
}

describe('encodings', () => {
  it('base64 and UTF-8 agree with Node', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'héllo 🐘 ✓']) {
      expect(Buffer.from(utf8(text)).toString()).toBe(text);
      expect(base64Encode(utf8(text))).toBe(Buffer.from(text).toString('base64'));
      expect(Buffer.from(base64Decode(Buffer.from(text).toString('base64'))).toString()).toBe(text);
    }
  });
});

describe('signRequest / verifyRequest', () => {
  it('round-trips a signed POST and names the signer', async () => {
    const headers = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey });
    expect(headers.Host).toBe('b.example');
    expect(headers.Digest).toBe(`SHA-256=${createHashB64(BODY)}`);
    expect(headers.Signature).toMatch(/^keyId="https:\/\/a\.example\/users\/alice#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date digest",signature="[A-Za-z0-9+/=]+"$/);
    expect(await verifyRequest(received(headers), alice.publicKey)).toEqual({ ok: true, keyId: KEY_ID });
  });

  it('produces signatures Node (OpenSSL) verifies, over the exact Mastodon signing string', async () => {
    const headers = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey });
    const text = `(request-target): post /users/bob/inbox\nhost: b.example\ndate: ${headers.Date}\ndigest: ${headers.Digest}`;
    const sig = parseSignatureHeader(headers.Signature).signature;
    const pem = await exportPublicKeyPem(alice.publicKey);
    expect(createVerify('sha256').update(text).verify(createPublicKey(pem), sig, 'base64')).toBe(true);
  });

  it('verifies a signature made by Node from a PKCS#1 key, as the stand-in stores them', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const signer = await importPrivateKeyPem(privateKey);
    const headers = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: signer });
    expect(await verifyRequest(received(headers), await importPublicKeyPem(publicKey))).toMatchObject({ ok: true });
    // and the PKCS#8 export is the same key as Node sees it
    const exported = await exportPrivateKeyPem(signer);
    expect(createPrivateKey(exported).export({ type: 'pkcs1', format: 'pem' })).toBe(privateKey);
  });

  it('signs a GET without a digest and with host', async () => {
    const headers = await signRequest({ method: 'GET', url: 'http://127.0.0.2:8080/users/bob?x=1', keyId: KEY_ID, privateKey: alice.privateKey });
    expect(headers.Host).toBe('127.0.0.2:8080');
    expect(headers.Digest).toBeUndefined();
    expect(parseSignatureHeader(headers.Signature).headers).toEqual(['(request-target)', 'host', 'date']);
    const req = { method: 'GET', path: '/users/bob?x=1', headers: { host: headers.Host, date: headers.Date, signature: headers.Signature } };
    expect(await verifyRequest(req, alice.publicKey)).toMatchObject({ ok: true });
    expect(await verifyRequest({ ...req, path: '/users/bob?x=2' }, alice.publicKey)).toMatchObject({ ok: false, status: 401 });
  });
});

describe('rejections, each with its reason', () => {
  let headers: SignedHeaders;
  beforeAll(async () => {
    headers = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey });
  });

  it('a tampered body', async () => {
    const r = await verifyRequest(received(headers, BODY.replace('héllo', 'hullo')), alice.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: 'Digest does not match the body' });
  });

  it('a Digest rewritten to match a tampered body', async () => {
    const body = BODY.replace('héllo', 'hullo');
    const r = await verifyRequest(received(headers, body, { digest: `SHA-256=${createHashB64(body)}` }), alice.publicKey);
    expect(r).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('does not verify') });
  });

  it('the wrong key', async () => {
    const r = await verifyRequest(received(headers), mallory.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: `signature does not verify with the key of ${KEY_ID}` });
  });

  it('no Signature header', async () => {
    const r = await verifyRequest(received(headers, BODY, { signature: undefined }), alice.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: 'request is not signed (no Signature header)' });
  });

  it('a signed header missing from the request', async () => {
    const r = await verifyRequest(received(headers, BODY, { host: undefined }), alice.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: 'signed header "host" is missing from the request' });
  });

  it('a POST whose signature does not cover digest', async () => {
    const get = await signRequest({ method: 'GET', url: INBOX, keyId: KEY_ID, privateKey: alice.privateKey });
    const r = await verifyRequest(received(get), alice.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: 'a POST signature must cover digest' });
  });

  it('a stale Date (more than 65 min old) but not one within the window', async () => {
    const old = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey, date: new Date(Date.now() - 66 * 60_000) });
    const r = await verifyRequest(received(old), alice.publicKey);
    expect(r).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('outside the accepted window') });
    const recent = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey, date: new Date(Date.now() - 60 * 60_000) });
    expect(await verifyRequest(received(recent), alice.publicKey)).toMatchObject({ ok: true });
  });

  it('a Date more than an hour ahead', async () => {
    const ahead = await signRequest({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey, date: new Date(Date.now() + 62 * 60_000) });
    expect(await verifyRequest(received(ahead), alice.publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('outside the accepted window') });
  });

  it('a malformed Signature header is a 400', async () => {
    const r = await verifyRequest(received(headers, BODY, { signature: 'garbage' }), alice.publicKey);
    expect(r).toEqual({ ok: false, status: 400, reason: 'malformed Signature header' });
    expect(await verifyRequest(received(headers, BODY, { signature: 'algorithm="rsa-sha256"' }), alice.publicKey)).toMatchObject({ status: 400 });
  });

  it('an unsupported algorithm', async () => {
    const sig = headers.Signature.replace('rsa-sha256', 'hmac-sha256');
    expect(await verifyRequest(received(headers, BODY, { signature: sig }), alice.publicKey)).toEqual({
      ok: false,
      status: 401,
      reason: 'unsupported signature algorithm hmac-sha256',
    });
  });
});

describe('hs2019 pseudo-headers and older signers', () => {
  // Signed by Node from the signing string Mastodon's SignedRequest rebuilds.
  async function nodeSigned(o: { algorithm: string; headers: string; text: string; created?: number; expires?: number }) {
    const pem = await exportPrivateKeyPem(alice.privateKey);
    const sig = createSign('sha256').update(o.text).sign(createPrivateKey(pem), 'base64');
    const extra = `${o.created !== undefined ? `,created=${o.created}` : ''}${o.expires !== undefined ? `,expires=${o.expires}` : ''}`;
    return `keyId="${KEY_ID}",algorithm="${o.algorithm}"${extra},headers="${o.headers}",signature="${sig}"`;
  }
  const digest = `SHA-256=${createHashB64(BODY)}`;
  const now = Math.floor(Date.now() / 1000);
  const bag = (signature: string, extra: Record<string, string> = {}) => ({ host: 'b.example', digest, signature, ...extra });

  it('accepts hs2019 with (created) and (expires) and no Date header', async () => {
    const text = `(request-target): post /users/bob/inbox\n(created): ${now}\n(expires): ${now + 300}\nhost: b.example\ndigest: ${digest}`;
    const signature = await nodeSigned({ algorithm: 'hs2019', headers: '(request-target) (created) (expires) host digest', text, created: now, expires: now + 300 });
    expect(await verifyRequest({ method: 'POST', path: '/users/bob/inbox', headers: bag(signature), body: BODY }, alice.publicKey)).toEqual({ ok: true, keyId: KEY_ID });
  });

  it('refuses (created) under rsa-sha256, and an hs2019 signature past its expiry', async () => {
    const text = `(request-target): post /users/bob/inbox\n(created): ${now}\nhost: b.example\ndigest: ${digest}`;
    const rsa = await nodeSigned({ algorithm: 'rsa-sha256', headers: '(request-target) (created) host digest', text, created: now });
    const r = await verifyRequest({ method: 'POST', path: '/users/bob/inbox', headers: bag(rsa, { date: new Date().toUTCString() }), body: BODY }, alice.publicKey);
    expect(r).toEqual({ ok: false, status: 401, reason: 'pseudo-header (created) is only valid with hs2019' });

    const created = now - 3 * 3600;
    const oldText = `(request-target): post /users/bob/inbox\n(created): ${created}\nhost: b.example\ndigest: ${digest}`;
    const expired = await nodeSigned({ algorithm: 'hs2019', headers: '(request-target) (created) host digest', text: oldText, created, expires: created + 3600 });
    const e = await verifyRequest({ method: 'POST', path: '/users/bob/inbox', headers: bag(expired), body: BODY }, alice.publicKey);
    expect(e).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('outside the accepted window') });
  });

  it('accepts a (request-target) signed without the query string, as older Mastodon releases sign it', async () => {
    const date = new Date().toUTCString();
    const text = `(request-target): post /users/bob/inbox\nhost: b.example\ndate: ${date}\ndigest: ${digest}`;
    const signature = await nodeSigned({ algorithm: 'rsa-sha256', headers: '(request-target) host date digest', text });
    const req = { method: 'POST', path: '/users/bob/inbox?page=1', headers: bag(signature, { date }), body: BODY };
    expect(await verifyRequest(req, alice.publicKey)).toEqual({ ok: true, keyId: KEY_ID });
    expect(await verifyRequest({ ...req, path: '/users/carol/inbox?page=1' }, alice.publicKey)).toMatchObject({ ok: false, status: 401 });
  });
});

function createHashB64(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
