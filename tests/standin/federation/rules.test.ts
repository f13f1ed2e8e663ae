import { describe, expect, it } from 'vitest';
import {
  actorDocument,
  createNoteActivity,
  htmlToText,
  readActor,
  readNote,
  webfingerActor,
  webfingerDocument,
  webfingerUsername,
} from '../../../infra/targets/standin/federation/activitypub.js';
import { domainOf, parseHostMap, resolvePeer } from '../../../infra/targets/standin/federation/addressing.js';
import { circuitColour, deliveryOutcome, failureDay } from '../../../infra/targets/standin/federation/delivery-rules.js';
import { ConfigError, readConfig } from '../../../infra/targets/standin/config.js';

const BASE = 'http://b.surge.test';

describe('FEDERATION_HOSTS', () => {
  const map = parseHostMap('a.surge.test=127.0.0.2:4001, *.fleet.test=https://127.0.0.9:5443,*.deep.fleet.test=127.0.0.10:80');

  it('reaches a mapped name at its address and keeps the name as Host', () => {
    expect(resolvePeer('http://a.surge.test/users/alice/inbox?x=1', map)).toEqual({
      origin: 'http://127.0.0.2:4001',
      host: 'a.surge.test',
      target: '/users/alice/inbox?x=1',
    });
  });

  it('matches the longest *.suffix, and scheme given in the map wins over the URI\'s', () => {
    expect(resolvePeer('http://s1.fleet.test/inbox', map).origin).toBe('https://127.0.0.9:5443');
    expect(resolvePeer('https://x.deep.fleet.test/inbox', map).origin).toBe('http://127.0.0.10:80');
  });

  it('reaches IP literals directly and refuses any other name instead of asking DNS', () => {
    expect(resolvePeer('http://127.0.0.3:4002/inbox', map)).toMatchObject({ origin: 'http://127.0.0.3:4002', host: '127.0.0.3:4002' });
    expect(() => resolvePeer('https://mastodon.social/inbox', map)).toThrow('no address for mastodon.social in FEDERATION_HOSTS');
  });

  it('rejects entries that are not domain=address with a message naming the fix', () => {
    expect(() => parseHostMap('a.surge.test=example.com:80')).toThrow(/FEDERATION_HOSTS entry "a.surge.test=example.com:80" is not domain=address\[:port\]/);
    expect(() => parseHostMap('127.0.0.2:4001')).toThrow(/is not domain=address/);
    const env = { PORT: '1', WEB_METRICS_PORT: '2', WORKER_METRICS_PORT: '3', SMTP_PORT: '4', DATABASE_URL: 'x', REDIS_URL: 'y' };
    expect(() => readConfig({ ...env, FEDERATION_HOSTS: 'nonsense' })).toThrow(ConfigError);
    expect(readConfig({ ...env, FEDERATION_HOSTS: 'a.surge.test=127.0.0.2:4001' }).federationHosts.get('a.surge.test')).toEqual({ origin: 'http://127.0.0.2:4001' });
  });

  it('keys domains on the URI authority', () => {
    expect(domainOf('http://B.Surge.Test/users/bob')).toBe('b.surge.test');
    expect(domainOf('http://127.0.0.3:4002/inbox')).toBe('127.0.0.3:4002');
  });
});

describe('delivery rules', () => {
  it('counts 2xx, 501 and most 4xx as done; retries 401, 408, 429 and 5xx', () => {
    expect([200, 202, 501, 400, 403, 404, 410, 422].map(deliveryOutcome)).toEqual([
      'delivered', 'delivered', 'unsalvageable', 'unsalvageable', 'unsalvageable', 'unsalvageable', 'unsalvageable', 'unsalvageable',
    ]);
    expect([401, 408, 429, 500, 502, 503, 302].map(deliveryOutcome)).toEqual(Array(7).fill('retry'));
  });

  it('writes failing days as UTC YYYYMMDD', () => {
    expect(failureDay(new Date('2026-11-27T23:59:59-05:00'))).toBe('20261128');
  });

  it('opens the inbox circuit at 10 failures, lets one try through after 60 s', () => {
    expect(circuitColour(9, 0, 1_000)).toBe('green');
    expect(circuitColour(10, 1_000, 60_999)).toBe('red');
    expect(circuitColour(10, 1_000, 61_000)).toBe('yellow');
  });
});

describe('ActivityPub documents', () => {
  const row = {
    username: 'bob', display_name: 'Bob', note: '', locked: false, bot: false, discoverable: true,
    public_key: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n', created_at: new Date('2026-01-02T03:04:05Z'),
  };

  it('an actor, read back as a remote account by a peer', () => {
    const doc = actorDocument(BASE, row);
    expect(doc).toMatchObject({ id: `${BASE}/users/bob`, inbox: `${BASE}/users/bob/inbox`, endpoints: { sharedInbox: `${BASE}/inbox` } });
    expect(readActor(doc, `${BASE}/users/bob`)).toMatchObject({
      uri: `${BASE}/users/bob`, username: 'bob', sharedInbox: `${BASE}/inbox`, keyId: `${BASE}/users/bob#main-key`, publicKeyPem: row.public_key,
    });
  });

  it('refuses an actor served from another host than its id, or without a key', () => {
    expect(readActor(actorDocument(BASE, row), 'http://evil.test/users/bob')).toBe('actor id http://b.surge.test/users/bob is not on the host it was fetched from');
    const { publicKey: _k, ...keyless } = actorDocument(BASE, row);
    expect(readActor(keyless, `${BASE}/users/bob`)).toBe('actor has no publicKey');
  });

  it('WebFinger names only this instance\'s accounts', () => {
    expect(webfingerUsername('acct:bob@b.surge.test', 'b.surge.test', BASE)).toBe('bob');
    expect(webfingerUsername('acct:bob@a.surge.test', 'b.surge.test', BASE)).toBeUndefined();
    expect(webfingerUsername(`${BASE}/users/bob`, 'b.surge.test', BASE)).toBe('bob');
    expect(webfingerActor(webfingerDocument(BASE, 'b.surge.test', 'bob'))).toBe(`${BASE}/users/bob`);
  });

  it('a post as Create(Note) addressed like Mastodon, read back with its visibility', () => {
    const status = { id: '1', text: 'hi & bye', spoiler_text: '', sensitive: false, visibility: 1, language: 'en', created_at: new Date('2026-11-27T03:00:00.123Z') };
    const create = createNoteActivity(BASE, 'bob', status, '<p>hi &amp; bye</p>');
    expect(create).toMatchObject({ type: 'Create', actor: `${BASE}/users/bob`, published: '2026-11-27T03:00:00Z', to: [`${BASE}/users/bob/followers`] });
    expect(readNote(create.object)).toMatchObject({ uri: `${BASE}/users/bob/statuses/1`, text: 'hi & bye', visibility: 1, language: 'en' });
    for (const [visibility, expected] of [[0, 0], [2, 2]] as const) {
      expect((readNote(createNoteActivity(BASE, 'bob', { ...status, visibility }, '').object) as { visibility: number }).visibility).toBe(expected);
    }
    expect(readNote({ type: 'Note', id: 'x', attributedTo: 'y', to: ['http://x/users/z'] })).toMatchObject({ visibility: 3 });
    expect(readNote({ type: 'Video', id: 'x' })).toBe('object type Video is not supported');
  });

  it('turns remote HTML into the text the stand-in stores', () => {
    expect(htmlToText('<p>one<br>two</p><p>&lt;three&gt; &amp; <a href="x">four</a></p>')).toBe('one\ntwo\n\n<three> & four');
  });
});
