import { Agent, request } from 'undici';
import { signRequest, type RsaKey } from '../../../../scenarios/lib/http-signatures.js';
import { resolvePeer, type HostMap } from './addressing.js';

// Outgoing federation HTTP, shaped like Mastodon's Request class: its timeouts
// (connect 5 s, read and write 10 s), a 1 MiB cap on fetched documents, its
// User-Agent form, and every connection through the FEDERATION_HOSTS map.

const MAX_DOCUMENT_BYTES = 1024 * 1024;
export const ACTIVITY_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export interface FetchedDocument {
  status: number;
  body: unknown;
}

export interface DeliveryResponse {
  status: number;
  ms: number;
}

export class FederationHttp {
  private readonly agent: Agent;
  private readonly userAgent: string;

  /**
   * `localAddress`: the instance's own loopback address, so peers see each
   * instance's requests come from its own IP, as on separate hosts (Mastodon
   * keys its key-fetch circuit on the source IP).
   */
  constructor(
    private readonly hosts: HostMap,
    version: string,
    base: string,
    localAddress?: string,
  ) {
    this.userAgent = `mastodon-surge-standin (Mastodon/${version}; +${base}/)`;
    this.agent = new Agent({ connect: { timeout: 5_000 }, localAddress, headersTimeout: 10_000, bodyTimeout: 10_000, connections: 64 });
  }

  /** A JSON document (actor, WebFinger); throws on network errors, oversized or non-JSON bodies. */
  async getJson(url: string, accept = ACTIVITY_ACCEPT): Promise<FetchedDocument> {
    const peer = resolvePeer(url, this.hosts);
    const res = await request(`${peer.origin}${peer.target}`, {
      method: 'GET',
      headers: { host: peer.host, accept, 'user-agent': this.userAgent },
      dispatcher: this.agent,
    });
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > MAX_DOCUMENT_BYTES) {
      res.body.destroy();
      throw new Error(`${url}: document larger than 1 MiB`);
    }
    const text = await res.body.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url}: document larger than 1 MiB`);
    if (res.statusCode !== 200) return { status: res.statusCode, body: undefined };
    try {
      return { status: 200, body: JSON.parse(text) as unknown };
    } catch {
      throw new Error(`${url}: answer is not JSON`);
    }
  }

  /** A signed POST of an activity to an inbox; network errors throw, any HTTP answer returns. */
  async deliver(inboxUrl: string, json: string, keyId: string, key: RsaKey): Promise<DeliveryResponse> {
    const peer = resolvePeer(inboxUrl, this.hosts);
    const signed = await signRequest({ method: 'POST', url: inboxUrl, body: json, keyId, privateKey: key });
    const started = performance.now();
    const res = await request(`${peer.origin}${peer.target}`, {
      method: 'POST',
      headers: {
        host: signed.Host,
        date: signed.Date,
        digest: signed.Digest!,
        signature: signed.Signature,
        'content-type': 'application/activity+json',
        'user-agent': this.userAgent,
      },
      body: json,
      dispatcher: this.agent,
    });
    await res.body.dump();
    return { status: res.statusCode, ms: performance.now() - started };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
