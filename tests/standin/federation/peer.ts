import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';
import {
  exportPublicKeyPem,
  generateRsaKeyPair,
  signRequest,
  type RsaKeyPair,
  type SignedHeaders,
} from '../../../scenarios/lib/http-signatures.js';

// A small remote ActivityPub server for tests: actors with their own keys at
// http://<domain>/users/<name>, a shared inbox and personal inboxes that keep
// every POST, and a signed-POST helper that talks to a stand-in the way a
// remote Mastodon would (Host = the stand-in's domain, connection to loopback).

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class Peer {
  readonly received: Received[] = [];
  readonly keys = new Map<string, RsaKeyPair>();
  private readonly pems = new Map<string, string>();
  private server: Server | undefined;

  constructor(
    readonly domain: string,
    readonly address: string,
    readonly port: number,
  ) {}

  actor(name: string): string {
    return `http://${this.domain}/users/${name}`;
  }

  async addActor(name: string): Promise<void> {
    const pair = await generateRsaKeyPair();
    this.keys.set(name, pair);
    this.pems.set(name, await exportPublicKeyPem(pair.publicKey));
  }

  private actorDocument(name: string): Record<string, unknown> {
    const id = this.actor(name);
    return {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id,
      type: 'Person',
      preferredUsername: name,
      name,
      inbox: `${id}/inbox`,
      followers: `${id}/followers`,
      endpoints: { sharedInbox: `http://${this.domain}/inbox` },
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: this.pems.get(name) },
    };
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const user = /^\/users\/([^/]+)$/.exec(path);
        if (req.method === 'GET' && user && this.pems.has(user[1]!)) {
          res.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(this.actorDocument(user[1]!)));
        } else if (req.method === 'POST' && /^\/(users\/[^/]+\/)?inbox$/.test(path)) {
          this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.writeHead(202).end();
        } else {
          res.writeHead(404).end();
        }
      });
    });
    this.server.listen(this.port, this.address);
    await once(this.server, 'listening');
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.close();
    this.server.closeAllConnections();
  }

  /** Activities received so far, parsed, with the path they arrived on. */
  activities(): { path: string; activity: Record<string, any> }[] {
    return this.received.map((r) => ({ path: r.path, activity: JSON.parse(r.body) as Record<string, any> }));
  }

  /** Headers signed by `name` for a POST of `body` to `url`. */
  sign(name: string, url: string, body: string, date?: Date): Promise<SignedHeaders> {
    return signRequest({ method: 'POST', url, body, keyId: `${this.actor(name)}#main-key`, privateKey: this.keys.get(name)!.privateKey, date });
  }
}

const agents = new Map<string, Agent>();
/** A connection pool whose requests leave from `localAddress`, as from that host. */
function from(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (!agent) agents.set(localAddress, (agent = new Agent({ localAddress })));
  return agent;
}

/** POSTs to `url` (a federation URL) through `origin`, from `localAddress`, with the given headers; returns status and body. */
export async function postTo(origin: string, url: string, headers: Record<string, string | undefined>, body: string, localAddress: string) {
  const m = /^https?:\/\/([^/]+)(\/.*)$/.exec(url)!;
  const clean: Record<string, string> = { host: m[1]!, 'content-type': 'application/activity+json' };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete clean[k.toLowerCase()];
    else clean[k.toLowerCase()] = v;
  }
  const res = await request(`${origin}${m[2]}`, { method: 'POST', headers: clean, body, dispatcher: from(localAddress) });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function getFrom(origin: string, url: string, accept = 'application/activity+json') {
  const m = /^https?:\/\/([^/]+)(\/.*)$/.exec(url)!;
  const res = await request(`${origin}${m[2]}`, { headers: { host: m[1]!, accept } });
  const text = await res.body.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body };
}
