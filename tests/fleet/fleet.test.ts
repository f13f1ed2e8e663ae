import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNote, LD_JSON, sharedInboxOf } from '../../infra/fleet/activities.js';
import { startControl } from '../../infra/fleet/control.js';
import { startFleet, type Fleet } from '../../infra/fleet/fleet.js';
import { startFleetProcess } from '../../infra/fleet/process.js';
import { mappedAgent } from '../../infra/fleet/resolve.js';
import { signRequest } from '../../scenarios/lib/http-signatures.js';

// Two fleets on loopback: `senders` plays a target delivering to `receivers`,
// which must fetch the sender's key, verify, and time each Note.

let senders: Fleet;
let receivers: Fleet;

beforeAll(async () => {
  [senders, receivers] = await Promise.all([startFleet({ domains: [{ actors: 2 }] }), startFleet({ domains: [{ actors: 1 }, { actors: 2 }] })]);
});
afterAll(async () => {
  await Promise.all([senders?.stop(), receivers?.stop()]);
});

describe('remote fleet', () => {
  it('serves each domain its own actors, keys, WebFinger and nodeinfo', async () => {
    const [d0, d1] = receivers.domains;
    expect(d0!.domain).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(d0!.domain).not.toBe(d1!.domain);
    const wf = await fetch(`${d1!.base}/.well-known/webfinger?resource=acct:fleet_1@${d1!.domain}`);
    expect(wf.status).toBe(200);
    const self = ((await wf.json()) as { links: { rel: string; href: string }[] }).links.find((l) => l.rel === 'self')!.href;
    const actor = (await (await fetch(self, { headers: { accept: 'application/activity+json' } })).json()) as any;
    expect(actor.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(actor.endpoints.sharedInbox).toBe(`${d1!.base}/inbox`);
    expect(receivers.actor({ domain: 0, actor: 0 }).publicKeyPem).not.toBe(actor.publicKey.publicKeyPem);
    expect((await fetch(`${d0!.base}/.well-known/webfinger?resource=acct:fleet_1@${d0!.domain}`)).status).toBe(404);
    expect((await (await fetch(`${d0!.base}/nodeinfo/2.0`)).json()) as any).toMatchObject({ usage: { users: { total: 1 } } });
  });

  it('verifies a signed delivery, times it from the Note\'s published, and counts a repeat once', async () => {
    const published = new Date(Date.now() - 1500);
    const note = createNote(senders.actor({ domain: 0, actor: 1 }).ref, 'n1', 'hello fleet', published);
    const inbox = sharedInboxOf(receivers.domains[1]!.base);
    expect(await senders.send({ domain: 0, actor: 1 }, inbox, note)).toBe(202);
    expect(await senders.send({ domain: 0, actor: 1 }, inbox, note)).toBe(202);
    const s = receivers.summary();
    expect(s.arrivals).toBe(1);
    expect(s.duplicates).toBe(1);
    expect(s.latency.p50Ms).toBeGreaterThanOrEqual(1500);
    expect(s.latency.p50Ms).toBeLessThan(10_000);
    expect(Object.keys(s.bySource)).toEqual([senders.domains[0]!.domain]);
    expect(s.byDomain[receivers.domains[1]!.domain]!.count).toBe(1);

    const control = await startControl(receivers);
    try {
      const metrics = await (await fetch(`${control.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`fleet_delivery_latency_seconds_count\\{domain="${receivers.domains[1]!.domain}",source="${senders.domains[0]!.domain}"\\} 1`));
      expect(metrics).toContain('fleet_duplicate_deliveries_total');
      expect(((await (await fetch(`${control.url}/arrivals`)).json()) as unknown[]).length).toBe(1);
    } finally {
      control.server.close();
    }
  });

  it('refuses unsigned, tampered and wrongly attributed deliveries with 401', async () => {
    const a = senders.actor({ domain: 0, actor: 0 });
    const inbox = sharedInboxOf(receivers.domains[0]!.base);
    const body = JSON.stringify(createNote(a.ref, 'n2', 'original', new Date()));
    const before = receivers.summary();

    const unsigned = await fetch(inbox, { method: 'POST', body, headers: { 'content-type': LD_JSON } });
    expect(unsigned.status).toBe(401);

    const signed = await signRequest({ method: 'POST', url: inbox, body, keyId: `${a.ref.base}/users/${a.ref.username}#main-key`, privateKey: a.privateKey });
    const tampered = await fetch(inbox, { method: 'POST', body: body.replace('original', 'changed!'), headers: { date: signed.Date, digest: signed.Digest!, signature: signed.Signature, 'content-type': LD_JSON } });
    expect(tampered.status).toBe(401);

    // Signed by one actor, claiming to be another.
    const other = senders.actor({ domain: 0, actor: 1 });
    const forged = JSON.stringify(createNote(other.ref, 'n3', 'forged', new Date()));
    const s2 = await signRequest({ method: 'POST', url: inbox, body: forged, keyId: `${a.ref.base}/users/${a.ref.username}#main-key`, privateKey: a.privateKey });
    const wrongActor = await fetch(inbox, { method: 'POST', body: forged, headers: { date: s2.Date, digest: s2.Digest!, signature: s2.Signature, 'content-type': LD_JSON } });
    expect(wrongActor.status).toBe(401);

    const after = receivers.summary();
    expect(after.arrivals).toBe(before.arrivals);
    expect(after.rejected.unsigned).toBe(before.rejected.unsigned + 1);
    expect(after.rejected.badSignature).toBe(before.rejected.badSignature + 2);
  });

  it('follows by WebFinger address and waits for the signed Accept', async () => {
    const target = receivers.domains[1]!;
    const r = await senders.follow({ domain: 0, actor: 0 }, `fleet_0@${target.domain}`, 10_000);
    expect(r).toMatchObject({ status: 202, accepted: true, object: `${target.base}/users/fleet_0` });
    expect(receivers.actor({ domain: 1, actor: 0 }).followers.has(`${senders.domains[0]!.base}/users/fleet_0`)).toBe(true);
  });
});

describe('fleet process', () => {
  it('runs as its own process, hands over its keys in a private file, and measures deliveries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-proc-'));
    const fleet = await startFleetProcess({ domains: [{ actors: 1 }], keyFile: join(dir, 'keys.json') });
    try {
      const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as { actors: { actor: string; keyId: string; privateKeyPem: string }[] };
      expect(keys.actors).toHaveLength(1);
      expect((await stat(join(dir, 'keys.json'))).mode & 0o077).toBe(0);
      expect(keys.actors[0]!.privateKeyPem).toContain('BEGIN PRIVATE KEY');
      const published = new Date(Date.now() - 200);
      expect(await senders.send({ domain: 0, actor: 0 }, sharedInboxOf(fleet.domains[0]!.base), createNote(senders.actor({ domain: 0, actor: 0 }).ref, 'p1', 'to a process', published))).toBe(202);
      const summary = await fleet.summary();
      expect(summary.arrivals).toBe(1);
      expect(summary.latency.p50Ms).toBeGreaterThanOrEqual(200);
      expect(await (await fetch(fleet.metricsUrl)).text()).toContain('fleet_delivery_latency_seconds_bucket');
    } finally {
      await fleet.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fleet over TLS with named domains', () => {
  it('serves https://d0.fleet.surge.test to a client that trusts its CA and maps the name to loopback, and to no other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-tls-'));
    const fleet = await startFleet({ domains: [{ actors: 1 }, { actors: 1 }], naming: 'named', tlsDir: dir });
    try {
      const d1 = fleet.domains[1]!;
      expect(d1.base).toMatch(/^https:\/\/d1\.fleet\.surge\.test:\d+$/);
      expect(fleet.hostsLines).toContain('127.0.0.1 d1.fleet.surge.test');
      const hosts = { 'd0.fleet.surge.test': '127.0.0.1', 'd1.fleet.surge.test': '127.0.0.1' };
      const url = `${d1.base}/.well-known/webfinger?resource=acct:fleet_0@${d1.domain}`;
      const trusting = mappedAgent(hosts, fleet.tls!.ca);
      const res = await undiciFetch(url, { dispatcher: trusting });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { subject: string }).subject).toBe(`acct:fleet_0@${d1.domain}`);
      await trusting.close();
      const untrusting = mappedAgent(hosts);
      await expect(undiciFetch(url, { dispatcher: untrusting })).rejects.toThrow();
      await untrusting.close();
      await expect(undiciFetch(url, { dispatcher: mappedAgent({}, fleet.tls!.ca) })).rejects.toThrow();
    } finally {
      await fleet.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
