import { createOAuthAPIClient, createRestAPIClient, MastoHttpError } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { confirmationLink, eventually } from './support.js';

// An ordinary Mastodon client library (masto.js) drives the whole newcomer
// journey against the stand-in and gets Mastodon's answers at every step.

let standin: StandinHandle;

beforeAll(async () => {
  standin = await startStandin({ webConcurrency: 1, maxThreads: 5, sidekiqConcurrency: 3 });
});
afterAll(async () => {
  await standin?.stop();
});

async function newcomer(username: string) {
  const anon = createRestAPIClient({ url: standin.baseUrl });
  const app = await anon.v1.apps.create({
    clientName: 'masto-e2e',
    redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow',
  });
  const oauth = createOAuthAPIClient({ url: standin.baseUrl });
  const appToken = await oauth.token.create({
    grantType: 'client_credentials',
    // masto's types insist on it; Doorkeeper ignores it for client_credentials.
    redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
    clientId: app.clientId!,
    clientSecret: app.clientSecret!,
    scope: 'write',
  });
  const asApp = createRestAPIClient({ url: standin.baseUrl, accessToken: appToken.accessToken });
  const userToken = await asApp.v1.accounts.create({
    username,
    email: `${username}@surge.test`,
    password: 'correct horse battery',
    agreement: true,
    locale: 'en',
  });
  expect(userToken.scope).toBe('read write follow');
  return createRestAPIClient({ url: standin.baseUrl, accessToken: userToken.accessToken });
}

async function confirm(username: string) {
  const link = await confirmationLink(standin.mailApiUrl, `${username}@surge.test`);
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
}

describe('a newcomer with masto.js', () => {
  it('signs up, is refused until the mail is confirmed, then follows, posts and reads timelines', async () => {
    const alice = await newcomer('alice_masto');
    const bob = await newcomer('bob_masto');

    const refused = await alice.v1.accounts.verifyCredentials().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MastoHttpError);
    expect((refused as MastoHttpError).statusCode).toBe(403);
    expect((refused as MastoHttpError).message).toBe('Your login is missing a confirmed e-mail address');

    await confirm('alice_masto');
    await confirm('bob_masto');
    const me = await alice.v1.accounts.verifyCredentials();
    expect(me.username).toBe('alice_masto');
    expect(me.acct).toBe('alice_masto');
    const bobMe = await bob.v1.accounts.verifyCredentials();

    const rel = await bob.v1.accounts.$select(me.id).follow();
    expect(rel.following).toBe(true);
    const [seen] = await alice.v1.accounts.relationships.fetch({ id: [bobMe.id] });
    expect(seen!.followedBy).toBe(true);

    const status = await alice.v1.statuses.create({ status: 'Hello fediverse <3 https://example.org' });
    expect(status.content).toContain('Hello fediverse &lt;3');
    expect(status.account.id).toBe(me.id);

    const home = await eventually(async () => {
      const page = await bob.v1.timelines.home.list({ limit: 20 });
      return page.some((s) => s.id === status.id) ? page : undefined;
    });
    expect(home[0]!.id).toBe(status.id);

    const pub = await bob.v1.timelines.public.list({ limit: 5 });
    expect(pub.map((s) => s.id)).toContain(status.id);

    const faved = await bob.v1.statuses.$select(status.id).favourite();
    expect(faved.favourited).toBe(true);
    expect(faved.favouritesCount).toBe(1);

    const notes = await eventually(async () => {
      const n = await alice.v1.notifications.list();
      return n.length >= 2 ? n : undefined;
    });
    expect(notes.map((n) => n.type).sort()).toEqual(['favourite', 'follow']);

    const instance = await alice.v2.instance.fetch();
    expect(instance.configuration.statuses.maxCharacters).toBe(500);
    expect(instance.registrations.enabled).toBe(true);
  });

  it('pages through a home timeline with Link headers', async () => {
    const carol = await newcomer('carol_masto');
    await confirm('carol_masto');
    await carol.v1.accounts.verifyCredentials();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await carol.v1.statuses.create({ status: `post ${i}` })).id);
    await eventually(async () => (await carol.v1.timelines.home.list({ limit: 40 })).length >= 5);

    const seen: string[] = [];
    for await (const page of carol.v1.timelines.home.list({ limit: 2 })) {
      seen.push(...page.map((s) => s.id));
      if (seen.length >= 6) break;
    }
    expect(seen).toEqual([...ids].reverse());
  });
});
