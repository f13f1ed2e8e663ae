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

// Each newcomer comes from its own address, as a wave's do, so the sign-up
// and app-registration throttles (5 per IP) leave room for every test.
let newcomers = 0;

async function newcomer(username: string) {
  const requestInit = { headers: { 'X-Forwarded-For': `198.51.100.${++newcomers}` } };
  const anon = createRestAPIClient({ url: standin.baseUrl, requestInit });
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
  const asApp = createRestAPIClient({ url: standin.baseUrl, accessToken: appToken.accessToken, requestInit });
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
    expect(me.source).toMatchObject({ privacy: 'public', note: '', fields: [], quotePolicy: 'public' });
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

/** A newcomer who has confirmed the address and signed in once. */
async function member(username: string) {
  const client = await newcomer(username);
  await confirm(username);
  return { client, id: (await client.v1.accounts.verifyCredentials()).id };
}

describe('accounts, notifications and tokens through masto.js', () => {
  let star: Awaited<ReturnType<typeof member>>;
  const fans: Awaited<ReturnType<typeof member>>[] = [];

  beforeAll(async () => {
    star = await member('star_masto');
    for (const name of ['fan1_masto', 'fan2_masto', 'fan3_masto']) {
      const fan = await member(name);
      await fan.client.v1.accounts.$select(star.id).follow();
      fans.push(fan);
    }
  });

  it('pages followers newest first and stops on a short page, as Mastodon offers no next link there', async () => {
    const pages: string[][] = [];
    for await (const page of star.client.v1.accounts.$select(star.id).followers.list({ limit: 2 })) pages.push(page.map((a) => a.id));
    expect(pages).toEqual([[fans[2]!.id, fans[1]!.id], [fans[0]!.id]]);

    const anonymous = createRestAPIClient({ url: standin.baseUrl });
    const follows = await anonymous.v1.accounts.$select(fans[0]!.id).following.list();
    expect(follows.map((a) => a.id)).toEqual([star.id]);
  });

  it("pages an account's posts to the end without an empty last request, and boosts carry their activity uri", async () => {
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) posted.push((await star.client.v1.statuses.create({ status: `star post ${i}` })).id);
    const pages: string[][] = [];
    for await (const page of fans[0]!.client.v1.accounts.$select(star.id).statuses.list({ limit: 2 })) pages.push(page.map((s) => s.id));
    expect(pages).toEqual([[posted[2], posted[1]], [posted[0]]]);

    const boost = await fans[0]!.client.v1.statuses.$select(posted[0]!).reblog();
    expect(boost.reblog!.id).toBe(posted[0]);
    // Favouriting the boost as a timeline shows it favourites the boosted post.
    const faved = await fans[1]!.client.v1.statuses.$select(boost.id).favourite();
    expect(faved.id).toBe(boost.id);
    expect(faved.reblog).toMatchObject({ id: posted[0], favourited: true, favouritesCount: 1 });
    expect(faved.favouritesCount).toBe(0);
    const original = createRestAPIClient({ url: standin.baseUrl }).v1.statuses.$select(posted[0]!);
    expect((await original.favouritedBy.list()).map((a) => a.id)).toEqual([fans[1]!.id]);
    expect((await original.rebloggedBy.list()).map((a) => a.id)).toEqual([fans[0]!.id]);
    expect(boost.uri).toBe(`${standin.baseUrl}/users/fan1_masto/statuses/${boost.id}/activity`);

    // A profile loads pinned posts first (the stand-in has none), and may leave out boosts.
    expect(await star.client.v1.accounts.$select(star.id).statuses.list({ pinned: true })).toEqual([]);
    const fanPosts = fans[0]!.client.v1.accounts.$select(fans[0]!.id).statuses;
    expect((await fanPosts.list()).map((st) => st.id)).toEqual([boost.id]);
    expect(await fanPosts.list({ excludeReblogs: true })).toEqual([]);
  });

  it("carries 4.5's quote_approval, and a delete hands back the source text instead of the content, for redrafting", async () => {
    const post = await star.client.v1.statuses.create({ status: 'redraft <me>', visibility: 'unlisted', spoilerText: 'cw' });
    expect(post).toMatchObject({ spoilerText: 'cw', sensitive: true, visibility: 'unlisted' });
    expect(post.quoteApproval).toEqual({ automatic: ['public'], manual: [], currentUser: 'automatic' });
    const seenByFan = await fans[1]!.client.v1.statuses.$select(post.id).fetch();
    expect(seenByFan.quoteApproval.currentUser).toBe('automatic');
    // The app that posted it, shown to everyone (show_application defaults to true).
    expect(seenByFan.application).toEqual({ name: 'masto-e2e', website: null });
    const notTheirs = await fans[1]!.client.v1.statuses.$select(post.id).remove().catch((e: unknown) => e);
    expect(notTheirs).toMatchObject({ statusCode: 404, message: 'Record not found' });
    const removed = await star.client.v1.statuses.$select(post.id).remove();
    expect(removed.text).toBe('redraft <me>');
    expect(removed).not.toHaveProperty('content');
  });

  it('counts a long link as 23 characters against the limit the instance announces', async () => {
    const { configuration } = await star.client.v2.instance.fetch();
    const url = `https://example.org/${'long-path/'.repeat(30)}`;
    const text = `${'x'.repeat(configuration.statuses.maxCharacters - configuration.statuses.charactersReservedPerUrl - 1)} ${url}`;
    expect((await star.client.v1.statuses.create({ status: text })).content).toContain(`href="${url}"`);
    const over = await star.client.v1.statuses.create({ status: `x${text}` }).catch((e: unknown) => e);
    expect(over).toMatchObject({ statusCode: 422, message: 'Validation failed: Text character limit of 500 exceeded' });
  });

  it("refuses a reply to a post that is gone or not shown, and an unknown visibility, with Mastodon's messages", async () => {
    const secret = await star.client.v1.statuses.create({ status: 'followers only', visibility: 'private' });
    for (const inReplyToId of [secret.id, '123']) {
      const refused = await fans[0]!.client.v1.statuses.create({ status: 'reply', inReplyToId }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ statusCode: 404, message: 'The post you are trying to reply to does not appear to exist.' });
    }
    const bad = await fans[0]!.client.v1.statuses.create({ status: 'x', visibility: 'everyone' as 'public' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ statusCode: 422, message: 'Validation failed: Visibility is not included in the list' });
  });

  it('shows a thread around a post: ancestors oldest first, replies depth first, nothing the viewer may not see', async () => {
    const root = await star.client.v1.statuses.create({ status: 'thread root' });
    const reply = await fans[0]!.client.v1.statuses.create({ status: 'first reply', inReplyToId: root.id });
    const deeper = await star.client.v1.statuses.create({ status: 'reply to the reply', inReplyToId: reply.id });
    const second = await fans[1]!.client.v1.statuses.create({ status: 'second reply', inReplyToId: root.id });
    const hidden = await fans[2]!.client.v1.statuses.create({ status: 'private reply', inReplyToId: root.id, visibility: 'private' });

    const fromRoot = await fans[1]!.client.v1.statuses.$select(root.id).context.fetch();
    expect(fromRoot.ancestors).toEqual([]);
    expect(fromRoot.descendants.map((st) => st.id)).toEqual([reply.id, deeper.id, second.id]);
    const ownView = await fans[2]!.client.v1.statuses.$select(root.id).context.fetch();
    expect(ownView.descendants.map((st) => st.id)).toContain(hidden.id);

    const anonymous = createRestAPIClient({ url: standin.baseUrl });
    const fromLeaf = await anonymous.v1.statuses.$select(deeper.id).context.fetch();
    expect(fromLeaf.ancestors.map((st) => st.id)).toEqual([root.id, reply.id]);
    expect(fromLeaf.descendants).toEqual([]);
    expect(await anonymous.v1.customEmojis.list()).toEqual([]);
  });

  it('sets up a profile with update_credentials, and refuses a display name over 30 characters', async () => {
    const me = await fans[2]!.client.v1.accounts.updateCredentials({ displayName: 'Fan Three 🐘', note: 'Here for the wave', bot: true });
    expect(me).toMatchObject({ displayName: 'Fan Three 🐘', note: '<p>Here for the wave</p>', bot: true, source: { note: 'Here for the wave' } });
    expect((await star.client.v1.accounts.$select(fans[2]!.id).fetch()).displayName).toBe('Fan Three 🐘');
    const tooLong = await fans[2]!.client.v1.accounts.updateCredentials({ displayName: 'x'.repeat(31) }).catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ statusCode: 422, message: 'Validation failed: Display name is too long (maximum is 30 characters)' });
    expect((await fans[2]!.client.v1.accounts.verifyCredentials()).displayName).toBe('Fan Three 🐘');
  });

  it('notifies an account mentioned in a post', async () => {
    const post = await fans[2]!.client.v1.statuses.create({ status: '@star_masto look at this' });
    expect(post.mentions).toEqual([{ id: star.id, username: 'star_masto', acct: 'star_masto', url: `${standin.baseUrl}/@star_masto` }]);
    expect(post.content).toBe(
      `<p><span class="h-card" translate="no"><a href="${standin.baseUrl}/@star_masto" class="u-url mention">@<span>star_masto</span></a></span> look at this</p>`,
    );
    const mention = await eventually(async () => (await star.client.v1.notifications.list({ types: ['mention'] }))[0]);
    expect(mention).toMatchObject({ type: 'mention', account: { id: fans[2]!.id }, status: { id: post.id } });
  });

  it('dismisses one notification, then answers 404 for it', async () => {
    const before = await eventually(async () => {
      const n = await star.client.v1.notifications.list({ types: ['follow'] });
      return n.length === 3 ? n : undefined;
    });
    await star.client.v1.notifications.$select(before[0]!.id).dismiss();
    const after = await star.client.v1.notifications.list({ types: ['follow'] });
    expect(after.map((n) => n.id)).toEqual(before.slice(1).map((n) => n.id));
    const again = await star.client.v1.notifications.$select(before[0]!.id).dismiss().catch((e: unknown) => e);
    expect((again as MastoHttpError).statusCode).toBe(404);

    const follows = (accountId: string) => star.client.v1.notifications.list({ accountId, types: ['follow'] });
    expect((await follows(before[1]!.account.id)).map((n) => n.id)).toEqual([before[1]!.id]);
    expect(await follows(before[0]!.account.id)).toEqual([]);
  });

  it('answers relationships in the order asked, leaving out ids that name no account', async () => {
    const rels = await fans[0]!.client.v1.accounts.relationships.fetch({ id: [fans[2]!.id, '123', star.id] });
    expect(rels.map((r) => [r.id, r.following])).toEqual([
      [fans[2]!.id, false],
      [star.id, true],
    ]);
  });

  it('serves public endpoints to a client holding an unknown token, and refuses it where a token is needed', async () => {
    const stale = createRestAPIClient({ url: standin.baseUrl, accessToken: 'no-such-token' });
    expect((await stale.v2.instance.fetch()).configuration.statuses.maxCharacters).toBe(500);
    expect((await stale.v1.instance.fetch()).thumbnail).toBe(`${standin.baseUrl}/packs/media/images/preview.png`);
    expect((await stale.v1.accounts.$select(star.id).fetch()).id).toBe(star.id);
    // A paginator is only thenable, hence Promise.resolve.
    await expect(Promise.resolve(stale.v1.timelines.home.list())).rejects.toMatchObject({ statusCode: 401 });
  });

  it('lets an app token read the public timeline, and holds a token without read scopes to them where one is optional', async () => {
    const anonymous = createRestAPIClient({ url: standin.baseUrl, requestInit: { headers: { 'X-Forwarded-For': '198.51.100.201' } } });
    const oauth = createOAuthAPIClient({ url: standin.baseUrl });
    const tokenFor = async (scopes: string) => {
      const app = await anonymous.v1.apps.create({ clientName: `scoped ${scopes}`, redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes });
      const t = await oauth.token.create({
        grantType: 'client_credentials',
        redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
        clientId: app.clientId!,
        clientSecret: app.clientSecret!,
        scope: scopes,
      });
      return createRestAPIClient({ url: standin.baseUrl, accessToken: t.accessToken });
    };
    const reader = await tokenFor('read');
    const timeline = await reader.v1.timelines.public.list({ limit: 40 });
    expect(timeline.length).toBeGreaterThan(0);
    expect(timeline[0]).not.toHaveProperty('favourited');

    const writer = await tokenFor('write');
    const refused = await writer.v1.accounts.$select(star.id).fetch().catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 403, message: 'This action is outside the authorized scopes' });
  });

  it("revokes a token for the app it was issued to and refuses another app's credentials", async () => {
    const anonymous = createRestAPIClient({ url: standin.baseUrl, requestInit: { headers: { 'X-Forwarded-For': '198.51.100.200' } } });
    const register = (clientName: string) => anonymous.v1.apps.create({ clientName, redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
    const mine = await register('revoker');
    const other = await register('bystander');
    const oauth = createOAuthAPIClient({ url: standin.baseUrl });
    const { accessToken } = await oauth.token.create({
      grantType: 'client_credentials',
      redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
      clientId: mine.clientId!,
      clientSecret: mine.clientSecret!,
      scope: 'read',
    });
    const asApp = createRestAPIClient({ url: standin.baseUrl, accessToken });

    const refused = await oauth.revoke({ clientId: other.clientId!, clientSecret: other.clientSecret!, token: accessToken }).catch((e: unknown) => e);
    expect((refused as MastoHttpError).statusCode).toBe(403);
    expect((await asApp.v1.apps.verifyCredentials()).name).toBe('revoker');

    // without client credentials Doorkeeper refuses too: every Mastodon app is confidential
    const anonymousRevoke = await fetch(`${standin.baseUrl}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: accessToken }) });
    expect(anonymousRevoke.status).toBe(403);
    expect(await anonymousRevoke.json()).toMatchObject({ error: 'unauthorized_client' });

    await oauth.revoke({ clientId: mine.clientId!, clientSecret: mine.clientSecret!, token: accessToken });
    const revoked = await asApp.v1.apps.verifyCredentials().catch((e: unknown) => e);
    expect(revoked).toMatchObject({ statusCode: 401, message: 'The access token was revoked' });
    // where a token is optional, a revoked one is still refused (authorize_if_got_token!), an unknown one is not
    const revokedRead = await Promise.resolve(asApp.v1.timelines.public.list()).catch((e: unknown) => e);
    expect(revokedRead).toMatchObject({ statusCode: 401, message: 'The access token was revoked' });
    const unknown = createRestAPIClient({ url: standin.baseUrl, accessToken: 'no-such-token' });
    expect(Array.isArray(await unknown.v1.timelines.public.list())).toBe(true);
    // revoking an unknown token is no error (RFC 7009)
    await oauth.revoke({ clientId: mine.clientId!, clientSecret: mine.clientSecret!, token: 'no-such-token' });
  });
});
