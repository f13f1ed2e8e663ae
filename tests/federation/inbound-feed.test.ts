import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNote, sharedInboxOf } from '../../infra/fleet/activities.js';
import { startFleet, type Fleet } from '../../infra/fleet/fleet.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { syntheticUser } from '../../scenarios/lib/users.js';
import { follow, homeTimeline, postStatus, relationship, resolveAccount, signUpMember, type Member } from '../../scripts/federation/accounts.js';

// A stand-in account follows a fleet account across loopback; the fleet's
// signed Create(Note) then lands in that follower's home feed, and the
// follower's own post is delivered back to the fleet and timed.

let standin: StandinHandle;
let fleet: Fleet;
let member: Member;
let api: { baseUrl: string; mailApiUrl: string };

beforeAll(async () => {
  [standin, fleet] = await Promise.all([
    startStandin({ bind: '127.0.0.9', webConcurrency: 1, maxThreads: 3, sidekiqConcurrency: 3 }),
    startFleet({ domains: [{ actors: 2 }] }),
  ]);
  api = { baseUrl: standin.baseUrl, mailApiUrl: standin.mailApiUrl };
  member = await signUpMember(api, syntheticUser(Date.now() % 100_000, 0, { namespace: 'f' }));
}, 180_000);

afterAll(async () => {
  await Promise.all([standin?.stop(), fleet?.stop()]);
});

describe('fleet ↔ stand-in', () => {
  it('delivers a signed Create from the fleet into the home feed of the account following its author', async () => {
    const author = fleet.actor({ domain: 0, actor: 0 });
    const remoteId = await resolveAccount(api, member, `fleet_0@${fleet.domains[0]!.domain}`);
    await follow(api, member, remoteId);
    // The follow is a request until the fleet's Accept is processed on ingress.
    const deadline = Date.now() + 30_000;
    while (!(await relationship(api, member, remoteId)).following) {
      if (Date.now() > deadline) throw new Error('the fleet never accepted the follow');
      await sleep(200);
    }
    expect(author.followers.size).toBe(1);

    // Matched by account and text: the stand-in renders a remote status's `uri`
    // with its own base (a stand-in bug at the time of writing), not the Note's id.
    const marker = `hello from the fleet ${Date.now()}`;
    const shows = (list: { content: string; account: { acct: string } }[], acct: string, text: string) => list.some((s) => s.account.acct === acct && s.content.includes(text));
    const note = createNote(author.ref, `feed-${Date.now()}`, marker, new Date());
    expect(await fleet.send({ domain: 0, actor: 0 }, sharedInboxOf(standin.baseUrl), note)).toBe(202);
    let found = false;
    for (let i = 0; i < 100 && !found; i++) {
      found = shows(await homeTimeline(api, member), `fleet_0@${fleet.domains[0]!.domain}`, marker);
      if (!found) await sleep(200);
    }
    expect(found).toBe(true);

    // Someone the member does not follow: the same kind of post reaches no home feed.
    const stranger = createNote(fleet.actor({ domain: 0, actor: 1 }).ref, `stranger-${Date.now()}`, `${marker} (not followed)`, new Date());
    expect(await fleet.send({ domain: 0, actor: 1 }, sharedInboxOf(standin.baseUrl), stranger)).toBe(202);
    await sleep(2000);
    expect(shows(await homeTimeline(api, member), `fleet_1@${fleet.domains[0]!.domain}`, 'not followed')).toBe(false);
  });

  it('receives the stand-in\'s delivery of a post by an account the fleet follows, and times it', async () => {
    const r = await fleet.follow({ domain: 0, actor: 1 }, `${member.user.username}@${standin.localDomain}`, 30_000);
    expect(r.accepted).toBe(true);
    const posted = await postStatus(api, member, 'a post for my remote follower', `fleet-test-${Date.now()}`);
    let arrival;
    for (let i = 0; i < 150 && !arrival; i++) {
      arrival = fleet.arrivals().find((a) => a.note === posted.uri);
      if (!arrival) await sleep(200);
    }
    // Mastodon renders `published` to the second.
    expect(arrival).toMatchObject({ source: standin.localDomain, domain: fleet.domains[0]!.domain, publishedMs: Math.floor(posted.createdAtMs / 1000) * 1000 });
    expect(arrival!.arrivedMs - arrival!.publishedMs).toBeGreaterThanOrEqual(0);
    expect(arrival!.arrivedMs - arrival!.publishedMs).toBeLessThan(30_000);
    expect(fleet.summary().rejected.badSignature).toBe(0);
  });
});
