import type { FastifyRequest } from 'fastify';
import { parseSignatureHeader, SignatureError, verifyRequest, type Verification } from '../../../../scenarios/lib/http-signatures.js';
import { messageSignatureKeyId, verifyMessageSignature } from './message-signatures.js';
import type { Federation } from './federation.js';
import { trackSuccess } from './failure-tracker.js';
import { accountByUri, fetchRemoteAccount, type RemoteAccount } from './remote-accounts.js';

// SignatureVerification for inbox POSTs: the signer's key comes from its
// account, fetched from the actor URL during the request when unknown (and
// refetched once when a known key fails, as after a key rotation). One failed
// fetch blocks key fetches for requests from that IP for 5 minutes, as
// Mastodon's per-source circuit does.

const KEY_FETCH_BLOCK_SEC = 5 * 60;
const breakerKey = (ip: string) => `stoplight:signature_fetch:source:${ip}`;

export type InboxVerdict = { ok: true; account: RemoteAccount } | { ok: false; status: 400 | 401; reason: string };

async function fetchKey(fed: Federation, actorUri: string, ip: string): Promise<RemoteAccount | string> {
  if (await fed.redis.exists(breakerKey(ip))) return `key fetches from ${ip} are blocked for 5 minutes after a failed fetch`;
  try {
    return await fetchRemoteAccount(fed, actorUri);
  } catch (e) {
    await fed.redis.set(breakerKey(ip), '1', 'EX', KEY_FETCH_BLOCK_SEC);
    return `could not fetch the key of ${actorUri}: ${(e as Error).message}`;
  }
}

export async function verifyInboxPost(fed: Federation, req: FastifyRequest, rawBody: string): Promise<InboxVerdict> {
  const header = joined(req.headers.signature);
  if (header === undefined) return { ok: false, status: 401, reason: 'Request not signed' };
  // Mastodon 4.5 reads an RFC 9421 signature whenever Signature-Input is there.
  const messageInput = joined(req.headers['signature-input']);
  let keyId: string;
  try {
    keyId = messageInput !== undefined ? messageSignatureKeyId(messageInput) : parseSignatureHeader(header).keyId;
  } catch (e) {
    if (e instanceof SignatureError) return { ok: false, status: e.status, reason: e.message };
    throw e;
  }
  const actorUri = keyId.replace(/#.*$/, '');
  const ip = req.socket.remoteAddress ?? '';
  const received = { method: req.method, path: req.url, headers: req.headers, body: rawBody };
  const check = async (a: RemoteAccount): Promise<Verification> => {
    const key = await fed.publicKey(a.publicKeyPem);
    return messageInput !== undefined ? verifyMessageSignature({ ...received, targetUri: targetUri(fed, req) }, key) : verifyRequest(received, key);
  };

  let account: RemoteAccount | string | undefined = await accountByUri(fed, actorUri);
  let verdict: Verification | undefined;
  if (account) {
    verdict = await check(account);
    if (!verdict.ok && verdict.reason.startsWith('signature does not verify')) account = await fetchKey(fed, actorUri, ip);
    else if (!verdict.ok) return verdict;
  } else {
    account = await fetchKey(fed, actorUri, ip);
  }
  if (typeof account === 'string') return { ok: false, status: 401, reason: account };
  if (!verdict?.ok) verdict = await check(account);
  if (!verdict.ok) return verdict;
  // A validly signed request proves the host is up: DeliveryFailureTracker.track_inverse_success!
  await trackSuccess(fed, account.domain);
  return { ok: true, account };
}

function joined(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The URI the sender signed as @target-uri, as Rack rebuilds it: the scheme a
 * proxy forwarded (else the instance's own), the Host, the path and query.
 */
function targetUri(fed: Federation, req: FastifyRequest): string {
  const scheme = joined(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim() || new URL(fed.config.baseUrl).protocol.slice(0, -1);
  const host = joined(req.headers['x-forwarded-host'])?.split(',')[0]?.trim() || req.headers.host || new URL(fed.config.baseUrl).host;
  // Rack's host_with_port leaves out the scheme's default port.
  const defaultPort = { http: ':80', https: ':443' }[scheme] ?? '';
  const authority = defaultPort !== '' && host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host;
  return `${scheme}://${authority}${req.url}`;
}
