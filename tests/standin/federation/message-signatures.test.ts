import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importPublicKeyPem } from '../../../scenarios/lib/http-signatures.js';
import { messageSignatureKeyId, verifyMessageSignature } from '../../../infra/targets/standin/federation/message-signatures.js';
import { signRfc9421, type Rfc9421Options } from './rfc9421-signer.js';

// RFC 9421 signatures as Mastodon 4.5's inbox verifies them, signed by an
// independent node:crypto signer.

const INBOX = 'https://b.example/users/bob/inbox';
const KEY_ID = 'https://a.example/users/alice#main-key';
const BODY = JSON.stringify({ type: 'Create', object: { type: 'Note', content: 'héllo 🐘' } });

const alice = generateKeyPairSync('rsa', { modulusLength: 2048 });
const mallory = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alicePublic = importPublicKeyPem(alice.publicKey.export({ type: 'spki', format: 'pem' }) as string);

function signed(o: Partial<Rfc9421Options> = {}) {
  return signRfc9421({ method: 'POST', url: INBOX, body: BODY, keyId: KEY_ID, privateKey: alice.privateKey, ...o });
}

async function verify(headers: Record<string, string>, o: { body?: string; targetUri?: string; method?: string; now?: Date } = {}) {
  return verifyMessageSignature(
    { method: o.method ?? 'POST', targetUri: o.targetUri ?? INBOX, headers: { host: 'b.example', ...headers }, body: o.body ?? BODY },
    await alicePublic,
    o.now ? { now: o.now } : {},
  );
}

describe('RFC 9421 message signatures', () => {
  it('accepts a POST covering @method, @target-uri and content-digest, and names the key', async () => {
    const headers = signed();
    expect(messageSignatureKeyId(headers['signature-input']!)).toBe(KEY_ID);
    expect(await verify(headers)).toEqual({ ok: true, keyId: KEY_ID });
    expect(await verify(signed({ alg: 'rsa-v1_5-sha256', components: ['@method', '@target-uri', '@authority', 'content-digest'] }))).toEqual({ ok: true, keyId: KEY_ID });
  });

  it('refuses a tampered body, another key, another URI and another method', async () => {
    expect(await verify(signed(), { body: BODY.replace('héllo', 'hello') })).toEqual({ ok: false, status: 401, reason: 'Content-Digest does not match the body' });
    const forged = await verify(signed({ privateKey: mallory.privateKey }));
    expect(forged).toMatchObject({ ok: false, status: 401 });
    expect((forged as { reason: string }).reason).toContain('does not verify');
    expect(await verify(signed(), { targetUri: 'https://b.example/inbox' })).toMatchObject({ ok: false, status: 401 });
    expect(await verify(signed({ method: 'PUT' }))).toMatchObject({ ok: false, status: 401 });
  });

  it('enforces what Mastodon requires to be signed', async () => {
    expect(await verify(signed({ omitCreated: true }))).toEqual({ ok: false, status: 401, reason: 'Incompatible request signature. keyid and created are required' });
    expect(await verify(signed({ components: ['@method', 'content-digest'] }))).toEqual({
      ok: false,
      status: 401,
      reason: 'Mastodon requires the @method and @target-uri derived components to be signed',
    });
    expect(await verify(signed({ components: ['@method', '@target-uri'] }))).toEqual({
      ok: false,
      status: 401,
      reason: 'Mastodon requires the Content-Digest header to be signed when doing a POST request',
    });
    // a GET needs no digest
    const get = signRfc9421({ method: 'GET', url: INBOX, keyId: KEY_ID, privateKey: alice.privateKey });
    expect(await verify(get, { method: 'GET', body: '' })).toEqual({ ok: true, keyId: KEY_ID });
    expect(await verify(signed({ alg: 'rsa-pss-sha512' }))).toMatchObject({ ok: false, status: 401 });
  });

  it('applies the clock window to created and expires', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await verify(signed({ created: now - 60 * 60 }))).toMatchObject({ ok: true });
    expect(await verify(signed({ created: now - 70 * 60 }))).toMatchObject({ ok: false, status: 401 });
    expect(await verify(signed({ created: now + 2 * 60 * 60 }))).toMatchObject({ ok: false, status: 401 });
    expect(await verify(signed({ created: now - 2 * 60 * 60, expires: now }))).toMatchObject({ ok: true });
    expect(await verify(signed({ created: now - 3 * 60 * 60, expires: now - 2 * 60 * 60 }))).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 400 to headers that are not structured fields', async () => {
    const headers = signed();
    expect(await verify({ ...headers, 'signature-input': 'sig1=("@method" "@target-uri"' })).toMatchObject({ ok: false, status: 400 });
    expect(await verify({ ...headers, 'content-digest': 'sha-256=not base64' })).toMatchObject({ ok: false, status: 400 });
    expect(await verify({ ...headers, signature: 'sig2=:AAAA:' })).toMatchObject({ ok: false, status: 401 });
  });
});
