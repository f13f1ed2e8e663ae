// The remote fleet, in one process: many synthetic ActivityPub servers, each
// with its own accounts and RSA keys, serving actor documents, WebFinger,
// nodeinfo and signed inboxes on loopback. Deliveries from a target are
// verified as Mastodon verifies them (the sender's key fetched from the
// sender) and timed from the Note's `published` to arrival. Follows sent by
// the fleet wait for the target's Accept; Follows received are Accepted.

import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateRsaKeyPair,
  importPublicKeyPem,
  parseSignatureHeader,
  signRequest,
  verifyRequest,
  type RsaKey,
} from '../../scenarios/lib/http-signatures.js';
import {
  accept,
  ACTIVITY_JSON,
  actorDocument,
  actorId,
  domainOf,
  follow,
  keyId,
  LD_JSON,
  nodeinfoDocument,
  nodeinfoLinks,
  objectId,
  parseAcct,
  webfingerDocument,
  type Activity,
  type ActorRef,
} from './activities.js';
import { ArrivalLog, type Arrival, type FleetSummary } from './arrivals.js';
import { domainByHost, hostsFileLines, layoutDomains, NAMED_SUFFIX, type FleetDomain, type FleetDomainSpec, type FleetNaming } from './layout.js';
import { fleetMetrics, type FleetMetrics } from './metrics.js';
import { mappedAgent, mappedFetch, type FetchLike, type HostMap } from './resolve.js';
import { makeFleetTls, readFleetTls, type FleetTls } from './tls.js';

export interface FleetOptions {
  domains: readonly FleetDomainSpec[];
  /** Default 'loopback': one plain-HTTP port per domain, the domain being 127.0.0.1:<port>. */
  naming?: FleetNaming;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port for `named` domains (one TLS listener); default a free one. */
  port?: number;
  /** Folder for the CA and server certificate (`named` only). */
  tlsDir?: string;
  /** Use these files instead of making a CA in tlsDir (`named` only). */
  tlsFiles?: { ca: string; cert: string; key: string };
  /** Targets' host names → loopback addresses, or VIA_RESOLVER for a container's network names. */
  hosts?: HostMap;
  /** A CA to trust for the targets' HTTPS (e.g. a real Mastodon's). */
  targetCa?: string;
  /** The same as a file, for a fleet whose options are JSON. */
  targetCaFile?: string;
  log?: (line: string) => void;
}

export interface FleetActor {
  domain: FleetDomain;
  ref: ActorRef;
  publicKeyPem: string;
  privateKeyPem: string;
  privateKey: RsaKey;
  followers: Set<string>;
}

export interface FollowResult {
  /** The target account's actor URI. */
  object: string;
  status: number;
  accepted: boolean;
}

export interface ActorAddress {
  domain: number;
  actor: number;
}

export interface Fleet {
  domains: FleetDomain[];
  metrics: FleetMetrics;
  tls: FleetTls | undefined;
  /** /etc/hosts lines for named domains (empty for loopback). */
  hostsLines: string[];
  actor(at: ActorAddress): FleetActor;
  /** Signs and POSTs an activity from a fleet actor; resolves with the answer's status. */
  send(from: ActorAddress, inbox: string, activity: Activity): Promise<number>;
  /** Follows `target` (acct `user@domain` or an actor URI) and waits up to `timeoutMs` for the Accept. */
  follow(from: ActorAddress, target: string, timeoutMs?: number): Promise<FollowResult>;
  summary(): FleetSummary;
  arrivals(): readonly Arrival[];
  /** Writes the actors and their private keys for a k6 scenario (mode 0600). */
  writeKeyFile(file: string): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const naming = opts.naming ?? 'loopback';
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const tls = naming !== 'named' ? undefined
    : opts.tlsFiles ? await readFleetTls(opts.tlsFiles)
      : await makeFleetTls(required(opts.tlsDir, 'tlsDir or tlsFiles is needed for named (TLS) domains'), NAMED_SUFFIX);
  const dispatcher = mappedAgent(opts.hosts ?? {}, opts.targetCa ?? (opts.targetCaFile ? await readFile(opts.targetCaFile, 'utf8') : undefined));
  const http = mappedFetch(dispatcher);

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const listen = async (port: number): Promise<Server> => {
    const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, (q, s) => handler(q, s)) : createHttpServer((q, s) => handler(q, s));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  };
  const servers: Server[] = [];
  try {
    for (let i = 0; i < (naming === 'loopback' ? opts.domains.length : 1); i++) servers.push(await listen(naming === 'loopback' ? 0 : (opts.port ?? 0)));
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  const domains = layoutDomains(opts.domains, naming, { host, ports });
  const byHost = domainByHost(domains);

  const actors = new Map<string, FleetActor>();
  const actorList: FleetActor[][] = [];
  for (const d of domains) {
    const list = await Promise.all(
      d.usernames.map(async (username) => {
        const pair = await generateRsaKeyPair();
        const a: FleetActor = {
          domain: d,
          ref: { base: d.base, username },
          publicKeyPem: await exportPublicKeyPem(pair.publicKey),
          privateKeyPem: await exportPrivateKeyPem(pair.privateKey),
          privateKey: pair.privateKey,
          followers: new Set(),
        };
        actors.set(actorId(a.ref), a);
        return a;
      }),
    );
    actorList.push(list);
  }
  const metrics = fleetMetrics(actors.size, domains.length);
  const log_ = new ArrivalLog();
  const pendingFollows = new Map<string, (accepted: boolean) => void>();
  const remote = new RemoteActors(http);

  const actorAt = (at: ActorAddress): FleetActor => {
    const a = actorList[at.domain]?.[at.actor];
    if (!a) throw new RangeError(`no fleet actor ${at.actor} on domain ${at.domain}`);
    return a;
  };

  const send = async (from: FleetActor, inbox: string, activity: Activity): Promise<number> => {
    const body = JSON.stringify(activity);
    const signed = await signRequest({ method: 'POST', url: inbox, body, keyId: keyId(from.ref), privateKey: from.privateKey });
    let status = 0;
    try {
      const res = await http(inbox, {
        method: 'POST',
        headers: { Date: signed.Date, Digest: signed.Digest!, Signature: signed.Signature, 'Content-Type': LD_JSON, Accept: ACTIVITY_JSON },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      status = res.status;
    } finally {
      metrics.sent.inc({ domain: from.domain.domain, type: activity.type, status: String(status) });
    }
    return status;
  };

  const onActivity = async (d: FleetDomain, activity: Activity, arrivedMs: number): Promise<void> => {
    const source = domainOf(activity.actor);
    if (activity.type === 'Create') {
      const note = activity.object as { id?: string; type?: string; published?: string } | undefined;
      const published = Date.parse(note?.published ?? String(activity.published ?? ''));
      if (!note?.id || Number.isNaN(published)) return;
      const fresh = log_.record({ note: note.id, source, domain: d.domain, publishedMs: published, arrivedMs });
      if (fresh) metrics.latency.observe({ domain: d.domain, source }, Math.max(0, arrivedMs - published) / 1000);
      else metrics.duplicates.inc({ domain: d.domain });
    } else if (activity.type === 'Follow') {
      const target = actors.get(objectId(activity.object) ?? '');
      if (!target || target.domain !== d) return;
      target.followers.add(activity.actor);
      const inbox = await remote.inbox(activity.actor);
      const status = await send(target, inbox, accept(target.ref, activity, String(Date.now())));
      if (status >= 300) log(`fleet: Accept to ${inbox} answered ${status}`);
    } else if (activity.type === 'Accept' || activity.type === 'Reject') {
      const followId = objectId(activity.object);
      const done = followId ? pendingFollows.get(followId) : undefined;
      if (done) done(activity.type === 'Accept');
    } else if (activity.type === 'Undo') {
      const inner = activity.object as { type?: string; object?: unknown } | undefined;
      if (inner?.type === 'Follow') actors.get(objectId(inner.object) ?? '')?.followers.delete(activity.actor);
    }
  };

  handler = (req, res) => {
    const arrivedMs = Date.now();
    const d = byHost.get(String(req.headers.host ?? '').toLowerCase());
    if (!d) return void json(res, 404, { error: `unknown host ${String(req.headers.host)}` });
    const url = new URL(req.url ?? '/', d.base);
    const path = url.pathname;
    if (req.method === 'POST' && (path === '/inbox' || /^\/users\/[^/]+\/inbox$/.test(path))) {
      void readBody(req).then(
        (body) => inbox(d, req, res, url, body, arrivedMs),
        () => json(res, 413, { error: 'body too large' }),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void json(res, 405, { error: 'method not allowed' });
    if (path === '/.well-known/webfinger') {
      const acct = parseAcct(url.searchParams.get('resource') ?? '');
      const a = acct && acct.domain === d.domain.toLowerCase() ? actors.get(`${d.base}/users/${acct.username}`) : undefined;
      return void (a ? json(res, 200, webfingerDocument(a.ref), 'application/jrd+json') : json(res, 404, { error: 'Record not found' }));
    }
    if (path === '/.well-known/nodeinfo') return void json(res, 200, nodeinfoLinks(d.base));
    if (path === '/nodeinfo/2.0') return void json(res, 200, nodeinfoDocument(d.usernames.length));
    const m = /^\/users\/([^/]+)(\/followers)?$/.exec(path);
    const a = m ? actors.get(`${d.base}/users/${m[1]}`) : undefined;
    if (!a) return void json(res, 404, { error: 'Record not found' });
    if (m![2]) return void json(res, 200, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorId(a.ref)}/followers`, type: 'OrderedCollection', totalItems: a.followers.size }, ACTIVITY_JSON);
    json(res, 200, actorDocument(a.ref, a.publicKeyPem), ACTIVITY_JSON);
  };

  const inbox = async (d: FleetDomain, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, arrivedMs: number) => {
    const answer = (status: number, type: string, payload: unknown) => {
      metrics.inbox.inc({ domain: d.domain, type, status: String(status) });
      json(res, status, payload);
    };
    const signature = req.headers.signature;
    if (typeof signature !== 'string') {
      log_.unsigned++;
      return answer(401, 'unsigned', { error: 'Request not signed' });
    }
    let activity: Activity;
    try {
      activity = JSON.parse(body.toString('utf8')) as Activity;
      if (typeof activity.type !== 'string' || typeof activity.actor !== 'string') throw new Error('not an activity');
    } catch {
      return answer(400, 'invalid', { error: 'Error parsing JSON' });
    }
    let verdict;
    try {
      const { keyId: kid } = parseSignatureHeader(signature);
      if (kid.replace(/#.*$/, '') !== activity.actor) throw new Error(`signed by ${kid}, not by the actor ${activity.actor}`);
      verdict = await verifyRequest({ method: 'POST', path: url.pathname + url.search, headers: req.headers, body }, await remote.key(kid));
    } catch (err) {
      verdict = { ok: false as const, status: 401 as const, reason: (err as Error).message };
    }
    if (!verdict.ok) {
      log_.badSignature++;
      return answer(verdict.status, activity.type, { error: verdict.reason });
    }
    answer(202, activity.type, {});
    onActivity(d, activity, arrivedMs).catch((err) => log(`fleet: ${activity.type} from ${activity.actor}: ${(err as Error).message}`));
  };

  return {
    domains,
    metrics,
    tls,
    hostsLines: naming === 'named' ? hostsFileLines(domains, host) : [],
    actor: actorAt,
    send: (from, inboxUrl, activity) => send(actorAt(from), inboxUrl, activity),
    async follow(from, target, timeoutMs = 30_000) {
      const a = actorAt(from);
      const object = target.includes('://') ? target : await remote.webfinger(target);
      const activity = follow(a.ref, object, `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
      const accepted = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        pendingFollows.set(activity.id, (ok) => {
          clearTimeout(timer);
          resolve(ok);
        });
      });
      try {
        const status = await send(a, await remote.inbox(object), activity);
        if (status >= 300) return { object, status, accepted: false };
        return { object, status, accepted: await accepted };
      } finally {
        pendingFollows.delete(activity.id);
      }
    },
    summary: () => log_.summary(),
    arrivals: () => log_.arrivals,
    async writeKeyFile(file) {
      const list = [...actors.values()].map((a) => ({ domain: a.domain.domain, actor: actorId(a.ref), keyId: keyId(a.ref), privateKeyPem: a.privateKeyPem }));
      await writeFile(file, `${JSON.stringify({ actors: list })}\n`, { mode: 0o600 });
    },
    async stop() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      await dispatcher.close();
    },
  };
}

/** Remote actors' keys and inboxes, fetched once (as Mastodon caches accounts) and again after a failure. */
class RemoteActors {
  private readonly docs = new Map<string, Promise<Record<string, any>>>();
  private readonly keys = new Map<string, Promise<RsaKey>>();

  constructor(private readonly http: FetchLike) {}

  private doc(uri: string): Promise<Record<string, any>> {
    let p = this.docs.get(uri);
    if (!p) {
      p = this.getJson(uri);
      this.docs.set(uri, p);
      p.catch(() => this.docs.delete(uri));
    }
    return p;
  }

  private async getJson(uri: string): Promise<Record<string, any>> {
    const res = await this.http(uri, { headers: { Accept: ACTIVITY_JSON }, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${uri} answered ${res.status}`);
    return JSON.parse(text) as Record<string, any>;
  }

  key(kid: string): Promise<RsaKey> {
    let p = this.keys.get(kid);
    if (!p) {
      p = this.doc(kid.replace(/#.*$/, '')).then((d) => {
        const pem = d.publicKey?.id === kid || !d.publicKey?.id ? d.publicKey?.publicKeyPem : undefined;
        if (typeof pem !== 'string') throw new Error(`${kid} is not the key of the actor it names`);
        return importPublicKeyPem(pem);
      });
      this.keys.set(kid, p);
      p.catch(() => this.keys.delete(kid));
    }
    return p;
  }

  async inbox(actor: string): Promise<string> {
    const d = await this.doc(actor);
    const inbox = d.endpoints?.sharedInbox ?? d.inbox;
    if (typeof inbox !== 'string') throw new Error(`${actor} has no inbox`);
    return inbox;
  }

  /** acct `user@domain` → actor URI, by WebFinger on the domain (http for IP literals, https for names). */
  async webfinger(acct: string): Promise<string> {
    const parsed = parseAcct(acct);
    if (!parsed) throw new Error(`"${acct}" is not an account address like alice@example.social`);
    const scheme = /^[\d.]+(:\d+)?$|^\[/.test(parsed.domain) ? 'http' : 'https';
    const res = await this.http(`${scheme}://${parsed.domain}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${parsed.username}@${parsed.domain}`)}`, {
      headers: { Accept: 'application/jrd+json' },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`WebFinger for ${acct} answered ${res.status}`);
    const self = (JSON.parse(text) as { links?: { rel?: string; href?: string }[] }).links?.find((l) => l.rel === 'self')?.href;
    if (!self) throw new Error(`WebFinger for ${acct} has no self link`);
    return self;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new Error('too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function required<T>(v: T | undefined, message: string): T {
  if (v === undefined) throw new Error(message);
  return v;
}
