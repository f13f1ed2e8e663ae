import { KeyObject, type webcrypto } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPublicKeyPem, verifyRequest } from '../../../scenarios/lib/http-signatures.js';
import { stopService } from '../../../infra/services/child.js';
import { freePort } from '../../../infra/services/ports.js';
import { startStandin, type StandinHandle } from '../../../infra/targets/standin/standin.js';
import { activeUser, appToken, call, eventually } from '../support.js';
import { getFrom, Peer, postTo } from './peer.js';
import { signRfc9421 } from './rfc9421-signer.js';

// Two stand-ins federating on loopback (a.surge.test on 127.0.0.2, b.surge.test
// on 127.0.0.3) and a small test peer (c.surge.test on 127.0.0.4), each reached
// through FEDERATION_HOSTS: no name resolves through DNS.

const A = { domain: 'a.surge.test', bind: '127.0.0.2' };
const B = { domain: 'b.surge.test', bind: '127.0.0.3' };
const C = { domain: 'c.surge.test', bind: '127.0.0.4' };

let a: StandinHandle;
let b: StandinHandle;
let peer: Peer;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let bRedis: Redis;
let bDb: pg.Pool;

const bobActor = `http://${B.domain}/users/bob`;
const bobInbox = `${bobActor}/inbox`;

function follow(from: string, id: string) {
  return JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Follow', actor: peer.actor(from), object: bobActor });
}

async function workerMetric(handle: StandinHandle, name: string, labels: string): Promise<number> {
  const text = await (await fetch(handle.metricsUrls[1]!)).text();
  const line = text.split('\n').find((l) => (labels ? l.startsWith(`${name}{`) && l.includes(labels) : l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(async () => {
  const [portA, portB, portC] = [await freePort(A.bind), await freePort(B.bind), await freePort(C.bind)];
  const federationHosts = {
    [A.domain]: `${A.bind}:${portA}`,
    [B.domain]: `${B.bind}:${portB}`,
    [C.domain]: `${C.bind}:${portC}`,
  };
  peer = new Peer(C.domain, C.bind, portC);
  await Promise.all([peer.addActor('mallory'), peer.addActor('trudy'), peer.addActor('eve')]);
  await peer.start();
  const sizing = { webConcurrency: 1, maxThreads: 5, sidekiqConcurrency: 5 };
  [a, b] = await Promise.all([
    startStandin({ ...sizing, bind: A.bind, port: portA, localDomain: A.domain, federationHosts }),
    startStandin({ ...sizing, bind: B.bind, port: portB, localDomain: B.domain, federationHosts }),
  ]);
  [alice, bob] = await Promise.all([
    activeUser(a.baseUrl, a.mailApiUrl, await appToken(a.baseUrl, '198.18.0.1'), 'alice', '198.18.0.1'),
    activeUser(b.baseUrl, b.mailApiUrl, await appToken(b.baseUrl, '198.18.0.2'), 'bob', '198.18.0.2'),
  ]);
  bRedis = new Redis(b.redisUrl);
  bDb = new pg.Pool({ connectionString: b.postgresUrl, max: 1 });
}, 240_000);

afterAll(async () => {
  bRedis?.disconnect();
  await bDb?.end();
  await Promise.all([a?.stop(), b?.stop(), peer?.stop()]);
});

describe('discovery', () => {
  it('serves the actor with its public key, WebFinger (404 for unknown accounts) and nodeinfo', async () => {
    const actor = await getFrom(b.baseUrl, bobActor);
    expect(actor.status).toBe(200);
    expect(actor.contentType).toContain('application/activity+json');
    expect(actor.body).toMatchObject({ id: bobActor, type: 'Person', preferredUsername: 'bob', inbox: bobInbox, endpoints: { sharedInbox: `http://${B.domain}/inbox` } });
    expect(actor.body.publicKey).toMatchObject({ id: `${bobActor}#main-key`, owner: bobActor });
    await importPublicKeyPem(actor.body.publicKey.publicKeyPem);

    const wf = await call(b.baseUrl, 'GET', `/.well-known/webfinger?resource=${encodeURIComponent(`acct:bob@${B.domain}`)}`);
    expect(wf.status).toBe(200);
    expect(wf.body.subject).toBe(`acct:bob@${B.domain}`);
    expect(wf.body.links).toContainEqual({ rel: 'self', type: 'application/activity+json', href: bobActor });
    expect((await call(b.baseUrl, 'GET', `/.well-known/webfinger?resource=acct:nobody@${B.domain}`)).status).toBe(404);
    expect((await call(b.baseUrl, 'GET', `/.well-known/webfinger?resource=acct:bob@elsewhere.test`)).status).toBe(404);
    expect((await getFrom(b.baseUrl, `http://${B.domain}/users/nobody`)).status).toBe(404);

    const links = await call(b.baseUrl, 'GET', '/.well-known/nodeinfo');
    expect(links.body.links[0].href).toBe(`http://${B.domain}/nodeinfo/2.0`);
    const info = await call(b.baseUrl, 'GET', '/nodeinfo/2.0');
    expect(info.body).toMatchObject({ version: '2.0', software: { name: 'mastodon' }, protocols: ['activitypub'] });
    expect(info.body.usage.users.total).toBeGreaterThanOrEqual(1);
  });
});

describe('inbox signatures over HTTP', () => {
  it('answers 401 to unsigned, wrongly signed, tampered and stale requests, 400 to a malformed header, 202 to a valid one', async () => {
    const body = follow('mallory', `${peer.actor('mallory')}#follows/1`);
    const post = (headers: Record<string, string | undefined>, text = body, url = bobInbox) => postTo(b.baseUrl, url, headers, text, C.bind);

    const unsigned = await post({ date: new Date().toUTCString() });
    expect(unsigned).toEqual({ status: 401, body: { error: 'Request not signed' } });

    // eve's key signs a request that claims to be mallory's
    const forged = await peer.sign('eve', bobInbox, body);
    const bad = await post({ ...forged, Signature: forged.Signature.replace(peer.actor('eve'), peer.actor('mallory')) });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toContain('signature does not verify');

    const signed = await peer.sign('mallory', bobInbox, body);
    const tampered = await post({ ...signed }, body.replace('follows/1', 'follows/2'));
    expect(tampered).toEqual({ status: 401, body: { error: 'Digest does not match the body' } });

    const stale = await post({ ...(await peer.sign('mallory', bobInbox, body, new Date(Date.now() - 70 * 60_000))) });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toContain('outside the accepted window');

    expect((await post({ ...signed, Signature: 'nonsense' })).status).toBe(400);
    expect((await post({ ...signed }, body, `http://${B.domain}/users/nobody/inbox`)).status).toBe(404);

    expect(await post({ ...signed })).toEqual({ status: 202, body: {} });
    // the raw body counts whatever the declared type, as in Mastodon
    expect((await post({ ...signed, 'content-type': 'application/json' })).status).toBe(202);
    await eventually(async () => (await workerMetric(b, 'standin_federation_activities_processed_total', 'type="Follow",result="applied"')) === 2);
  });

  it('accepts RFC 9421 signatures as Mastodon 4.5 does, and refuses them when the digest is not covered', async () => {
    // A Like of nothing bob has: verified and queued, then ignored, from a signer b already knows, so no later test sees a new follower or key.
    const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actor('mallory')}#likes/1`, type: 'Like', actor: peer.actor('mallory'), object: `${bobActor}/statuses/1` });
    const privateKey = KeyObject.from(peer.keys.get('mallory')!.privateKey as unknown as webcrypto.CryptoKey);
    const sign = (components?: string[]) => signRfc9421({ method: 'POST', url: bobInbox, body, keyId: `${peer.actor('mallory')}#main-key`, privateKey, ...(components ? { components } : {}) });
    const post = (headers: Record<string, string>) => postTo(b.baseUrl, bobInbox, headers, body, C.bind);

    const uncovered = await post(sign(['@method', '@target-uri']));
    expect(uncovered).toEqual({ status: 401, body: { error: 'Mastodon requires the Content-Digest header to be signed when doing a POST request' } });
    expect(await post(sign())).toEqual({ status: 202, body: {} });
    await eventually(async () => (await workerMetric(b, 'standin_federation_activities_processed_total', 'result="ignored"')) >= 1);
  });

  it('refuses a signer whose key cannot be fetched, then blocks key fetches from that IP for 5 minutes', async () => {
    const elsewhere = '127.0.0.5';
    const body = JSON.stringify({ type: 'Follow', id: 'http://nowhere.test/1', actor: 'http://nowhere.test/users/x', object: bobActor });
    const signed = await peer.sign('mallory', bobInbox, body);
    const forged = { ...signed, Signature: signed.Signature.replace(peer.actor('mallory'), 'http://nowhere.test/users/x') };
    const res = await postTo(b.baseUrl, bobInbox, forged, body, elsewhere);
    expect(res.status).toBe(401);
    expect(res.body.error).toContain('no address for nowhere.test in FEDERATION_HOSTS');

    // eve is not known to b yet: her key would need a fetch, which that IP may not trigger now
    const eveBody = follow('eve', `${peer.actor('eve')}#follows/1`);
    const blocked = await postTo(b.baseUrl, bobInbox, { ...(await peer.sign('eve', bobInbox, eveBody)) }, eveBody, elsewhere);
    expect(blocked).toEqual({ status: 401, body: { error: `key fetches from ${elsewhere} are blocked for 5 minutes after a failed fetch` } });
    // a known signer needs no fetch
    const known = follow('mallory', `${peer.actor('mallory')}#follows/1`);
    expect((await postTo(b.baseUrl, bobInbox, { ...(await peer.sign('mallory', bobInbox, known)) }, known, elsewhere)).status).toBe(202);
  });

  it('accepts an incoming Follow with a signed Accept, and delivers a post once per shared inbox', async () => {
    const body = follow('trudy', `${peer.actor('trudy')}#follows/1`);
    expect((await postTo(b.baseUrl, `http://${B.domain}/inbox`, { ...(await peer.sign('trudy', `http://${B.domain}/inbox`, body)) }, body, C.bind)).status).toBe(202);

    // Accepts go to each follower's own inbox, signed by bob.
    const accepts = await eventually(async () => {
      const found = peer.activities().filter((r) => r.activity.type === 'Accept');
      return found.some((r) => r.path === '/users/trudy/inbox') && found;
    }, 20_000);
    expect([...new Set(accepts.map((r) => r.path))].sort()).toEqual(['/users/mallory/inbox', '/users/trudy/inbox']);
    expect(accepts.find((r) => r.path === '/users/trudy/inbox')!.activity).toMatchObject({
      type: 'Accept',
      actor: bobActor,
      object: { type: 'Follow', id: `${peer.actor('trudy')}#follows/1`, actor: peer.actor('trudy') },
    });
    const bobKey = await importPublicKeyPem((await getFrom(b.baseUrl, bobActor)).body.publicKey.publicKeyPem);
    const acceptReq = peer.received.find((r) => r.path === '/users/trudy/inbox')!;
    expect(await verifyRequest({ method: 'POST', path: acceptReq.path, headers: acceptReq.headers, body: acceptReq.body }, bobKey)).toEqual({
      ok: true,
      keyId: `${bobActor}#main-key`,
    });
    const bobOnB = await call(b.baseUrl, 'GET', `/api/v1/accounts/${bob.id}`);
    expect(bobOnB.body.followers_count).toBe(2);

    const posted = await call(b.baseUrl, 'POST', '/api/v1/statuses', { token: bob.token, json: { status: 'hello fediverse' } });
    expect(posted.status).toBe(200);
    const creates = await eventually(async () => {
      const found = peer.activities().filter((r) => r.activity.type === 'Create');
      return found.length > 0 && found;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    // two followers on c.surge.test, one shared inbox: one delivery
    expect(peer.activities().filter((r) => r.activity.type === 'Create')).toHaveLength(1);
    expect(creates[0]!.path).toBe('/inbox');
    expect(creates[0]!.activity).toMatchObject({ actor: bobActor, object: { type: 'Note', attributedTo: bobActor, content: '<p>hello fediverse</p>' } });
  });
});

describe('incoming posts', () => {
  it('keeps a remote post only when a local account follows its author or is addressed', async () => {
    const note = (id: string, content: string, cc: string[]) =>
      JSON.stringify({
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: `${peer.actor('mallory')}/statuses/${id}/activity`,
        type: 'Create',
        actor: peer.actor('mallory'),
        object: {
          id: `${peer.actor('mallory')}/statuses/${id}`,
          type: 'Note',
          attributedTo: peer.actor('mallory'),
          to: ['https://www.w3.org/ns/activitystreams#Public'],
          cc,
          content: `<p>${content}</p>`,
          published: new Date().toISOString(),
        },
      });
    const shared = `http://${B.domain}/inbox`;
    const send = async (body: string) => (await postTo(b.baseUrl, shared, { ...(await peer.sign('mallory', shared, body)) }, body, C.bind)).status;
    // nobody on b follows mallory
    expect(await send(note('1', 'to nobody in particular', [`${peer.actor('mallory')}/followers`]))).toBe(202);
    expect(await send(note('2', 'hey bob', [bobActor]))).toBe(202);
    await eventually(async () => (await workerMetric(b, 'standin_federation_activities_processed_total', 'type="Create",result="applied"')) === 1);
    expect(await workerMetric(b, 'standin_federation_activities_processed_total', 'type="Create",result="ignored"')).toBe(1);
    const remote = await call(b.baseUrl, 'GET', '/api/v1/timelines/public?remote=true');
    expect(remote.body.map((s: { content: string; account: { acct: string } }) => [s.content, s.account.acct])).toEqual([['<p>hey bob</p>', `mallory@${C.domain}`]]);
    // A remote post links to where it lives, not to this instance.
    expect(remote.body[0]).toMatchObject({ uri: `${peer.actor('mallory')}/statuses/2`, account: { uri: peer.actor('mallory') } });
    // Without flags the public timeline is the federated one, local and remote; local=true leaves remote out.
    const ids = async (query: string) => (await call(b.baseUrl, 'GET', `/api/v1/timelines/public${query}`)).body.map((s: { id: string }) => s.id);
    expect(await ids('')).toContain(remote.body[0].id);
    expect(await ids('?local=true')).not.toContain(remote.body[0].id);
  });
});

describe('two stand-ins', () => {
  it('follows across instances and brings a post into the remote follower\'s home feed', async () => {
    const search = await call(a.baseUrl, 'GET', `/api/v2/search?q=${encodeURIComponent(`bob@${B.domain}`)}&resolve=true&type=accounts`, { token: alice.token });
    expect(search.status).toBe(200);
    expect(search.body.accounts).toHaveLength(1);
    const remoteBob = search.body.accounts[0];
    expect(remoteBob.acct).toBe(`bob@${B.domain}`);
    expect((await call(a.baseUrl, 'GET', `/api/v1/accounts/lookup?acct=bob@${B.domain}`)).body.id).toBe(remoteBob.id);
    expect((await call(a.baseUrl, 'GET', `/api/v2/search?q=nobody@${B.domain}&resolve=true`, { token: alice.token })).body.accounts).toEqual([]);

    const followed = await call(a.baseUrl, 'POST', `/api/v1/accounts/${remoteBob.id}/follow`, { token: alice.token });
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ following: false, requested: true });
    await eventually(async () => {
      const rel = await call(a.baseUrl, 'GET', `/api/v1/accounts/relationships?id[]=${remoteBob.id}`, { token: alice.token });
      return rel.body[0].following === true && rel.body[0].requested === false;
    }, 20_000);
    expect((await call(b.baseUrl, 'GET', `/api/v1/accounts/${bob.id}`)).body.followers_count).toBe(3);

    const posted = await call(b.baseUrl, 'POST', '/api/v1/statuses', { token: bob.token, json: { status: 'news from b' } });
    expect(posted.status).toBe(200);
    const arrived = await eventually(async () => {
      const home = await call(a.baseUrl, 'GET', '/api/v1/timelines/home', { token: alice.token });
      return home.body.find((s: { content: string }) => s.content === '<p>news from b</p>');
    }, 20_000);
    expect(arrived.account.acct).toBe(`bob@${B.domain}`);
  });

  it('retries a delivery while the receiving instance is down and delivers once it is back', { timeout: 120_000 }, async () => {
    await stopService(a.web(), { signal: 'SIGTERM', timeoutMs: 15_000 });
    const failedBefore = await workerMetric(b, 'standin_federation_deliveries_total', `domain="${A.domain}",result="failed"`);
    const posted = await call(b.baseUrl, 'POST', '/api/v1/statuses', { token: bob.token, json: { status: 'sent during the outage' } });
    expect(posted.status).toBe(200);

    await eventually(async () => (await workerMetric(b, 'standin_federation_deliveries_total', `domain="${A.domain}",result="failed"`)) > failedBefore, 20_000);
    // the worker counts the failure, then records the day and schedules the retry
    const retry = await eventually(async () =>
      (await bRedis.zrange('retry', '0', '-1')).map((j) => JSON.parse(j)).find((j) => j.class === 'ActivityPub::DeliveryWorker'),
    );
    expect(await bRedis.smembers(`exhausted_deliveries:${A.domain}`)).toEqual([new Date().toISOString().slice(0, 10).replace(/-/g, '')]);
    expect(retry).toMatchObject({ queue: 'push', retry_count: 1, args: [expect.any(String), bob.id, `http://${A.domain}/inbox`] });

    await a.startWeb();
    const arrived = await eventually(async () => {
      const home = await call(a.baseUrl, 'GET', '/api/v1/timelines/home', { token: alice.token });
      return home.body.find((s: { content: string }) => s.content === '<p>sent during the outage</p>');
    }, 60_000);
    expect(arrived.account.acct).toBe(`bob@${B.domain}`);
    // a success clears the host's failing days
    await eventually(async () => (await bRedis.exists(`exhausted_deliveries:${A.domain}`)) === 0, 10_000);
  });
});

describe('unavailable domains', () => {
  it('skips a domain after failures on 7 distinct days, until a signed request from it comes in', { timeout: 90_000 }, async () => {
    const key = `exhausted_deliveries:${C.domain}`;
    const enqueued = () => workerMetric(b, 'standin_federation_deliveries_enqueued_total', '');
    const post = async (status: string) => {
      const before = await enqueued();
      expect((await call(b.baseUrl, 'POST', '/api/v1/statuses', { token: bob.token, json: { status } })).status).toBe(200);
      await eventually(async () => (await enqueued()) > before, 20_000);
      return (await enqueued()) - before;
    };
    // six earlier failing days, then c.surge.test is down today
    await bRedis.sadd(key, '20261101', '20261102', '20261103', '20261104', '20261105', '20261106');
    await peer.stop();
    expect(await post('while c is down')).toBe(2); // a.surge.test and c.surge.test's shared inbox
    await eventually(async () => {
      const { rows } = await bDb.query('SELECT domain FROM unavailable_domains');
      return rows.some((r) => r.domain === C.domain);
    }, 20_000);
    expect(await bRedis.scard(key)).toBe(7);

    expect(await post('c is unavailable now')).toBe(1); // a.surge.test only
    await peer.start();
    const body = follow('mallory', `${peer.actor('mallory')}#follows/again`);
    expect((await postTo(b.baseUrl, bobInbox, { ...(await peer.sign('mallory', bobInbox, body)) }, body, C.bind)).status).toBe(202);
    expect(await bRedis.exists(key)).toBe(0);
    expect((await bDb.query('SELECT domain FROM unavailable_domains')).rows).toEqual([]);
    const seen = peer.activities().length;
    expect(await post('c is back')).toBe(2);
    await eventually(async () => peer.activities().slice(seen).some((r) => r.activity.object?.content === '<p>c is back</p>'), 20_000);
  });
});
