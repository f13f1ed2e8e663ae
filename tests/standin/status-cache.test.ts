import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { activeUser, appToken, call, eventually } from './support.js';

// Home timelines are rendered from statuses cached in Redis (Mastodon's
// cache_collection). What a user sees must never lag behind what they did:
// counts and their own flags right after a favourite, reblog or reply, a
// deleted post gone at once, an edited one showing its new text. Two web
// processes, so a write and the next read usually land in different ones.

let s: StandinHandle;
let db: pg.Client;
let redis: Redis;
let author: { token: string; id: string };
let reader: { token: string; id: string };

interface Status {
  id: string;
  content: string;
  favourites_count: number;
  reblogs_count: number;
  replies_count: number;
  favourited: boolean;
  reblogged: boolean;
  reblog: Status | null;
  account: { id: string; statuses_count: number; followers_count: number };
}

const home = async (token: string) => {
  const r = await call<Status[]>(s.baseUrl, 'GET', '/api/v1/timelines/home', { token });
  expect(r.status).toBe(200);
  return r.body;
};
const find = async (token: string, id: string) => (await home(token)).find((st) => st.id === id);

/** Posts as the author and waits until the reader's home feed has it (and has rendered it once, so it is cached). */
async function postSeen(text: string): Promise<Status> {
  const posted = await call<Status>(s.baseUrl, 'POST', '/api/v1/statuses', { token: author.token, json: { status: text } });
  expect(posted.status).toBe(200);
  return eventually(() => find(reader.token, posted.body.id));
}

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 2, maxThreads: 4, sidekiqConcurrency: 3 });
  db = new pg.Client({ connectionString: s.postgresUrl });
  await db.connect();
  redis = new Redis(s.redisUrl, { maxRetriesPerRequest: 2 });
  const appTok = await appToken(s.baseUrl, '198.51.100.40');
  author = await activeUser(s.baseUrl, s.mailApiUrl, appTok, 'cache_author', '198.18.40.1');
  reader = await activeUser(s.baseUrl, s.mailApiUrl, appTok, 'cache_reader', '198.18.40.2');
  const follow = await call(s.baseUrl, 'POST', `/api/v1/accounts/${author.id}/follow`, { token: reader.token });
  expect(follow.body.following).toBe(true);
});
afterAll(async () => {
  redis?.disconnect();
  await db?.end();
  await s?.stop();
});

describe('home timeline from the status cache', () => {
  it('keeps rendered statuses in Redis once read', async () => {
    const st = await postSeen('cached once read');
    expect(await redis.exists(`cache:statuses/${st.id}`)).toBe(1);
    // Served again from the cache, the answer is the same.
    expect(await find(reader.token, st.id)).toEqual(st);
  });

  it('shows a favourite at once: favourited for the one who did it, the count for everyone', async () => {
    const st = await postSeen('favourite me');
    expect(st).toMatchObject({ favourited: false, favourites_count: 0 });
    const fav = await call<Status>(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/favourite`, { token: reader.token });
    expect(fav.body).toMatchObject({ favourited: true, favourites_count: 1 });
    expect(await find(reader.token, st.id)).toMatchObject({ favourited: true, favourites_count: 1 });
    expect(await find(author.token, st.id)).toMatchObject({ favourited: false, favourites_count: 1 });

    await call(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/unfavourite`, { token: reader.token });
    expect(await find(reader.token, st.id)).toMatchObject({ favourited: false, favourites_count: 0 });
  });

  it('shows a reblog at once in the original’s count and the reblogger’s flag, and a reply in replies_count', async () => {
    const st = await postSeen('reblog and reply to me');
    const reblog = await call<Status>(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/reblog`, { token: reader.token });
    expect(reblog.status).toBe(200);
    expect(await find(author.token, st.id)).toMatchObject({ reblogs_count: 1, reblogged: false });
    expect(await find(reader.token, st.id)).toMatchObject({ reblogs_count: 1, reblogged: true });

    const reply = await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: reader.token, json: { status: 'a reply', in_reply_to_id: st.id } });
    expect(reply.status).toBe(200);
    expect(await find(author.token, st.id)).toMatchObject({ replies_count: 1 });

    await call(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/unreblog`, { token: reader.token });
    expect(await find(reader.token, st.id)).toMatchObject({ reblogs_count: 0, reblogged: false });
  });

  it('drops a deleted post from home at once, together with reblogs of it', async () => {
    const st = await postSeen('delete me');
    const reblog = await call<Status>(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/reblog`, { token: reader.token });
    // The reader's own reblog reaches their home feed through fan-out.
    await eventually(async () => (await home(reader.token)).some((x) => x.id === reblog.body.id));
    const del = await call(s.baseUrl, 'DELETE', `/api/v1/statuses/${st.id}`, { token: author.token });
    expect(del.status).toBe(200);
    const ids = (await home(reader.token)).flatMap((x) => [x.id, x.reblog?.id]);
    expect(ids).not.toContain(st.id);
    expect(ids).not.toContain(reblog.body.id);
    expect((await home(author.token)).map((x) => x.id)).not.toContain(st.id);
  });

  it('shows an edited post’s new text: a change of updated_at makes the cached copy stale', async () => {
    const st = await postSeen('before the edit');
    expect(st.content).toBe('<p>before the edit</p>');
    // What Mastodon's UpdateStatusService writes; the stand-in has no edit endpoint yet.
    await db.query("UPDATE statuses SET text = 'after the edit', updated_at = now() WHERE id = $1", [st.id]);
    expect((await find(reader.token, st.id))?.content).toBe('<p>after the edit</p>');
  });

  it('shows the author’s current counts, not those of when the status was cached', async () => {
    const st = await postSeen('author counts');
    const before = st.account.statuses_count;
    await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: author.token, json: { status: 'one more' } });
    expect((await find(reader.token, st.id))?.account.statuses_count).toBe(before + 1);
  });

  it('answers the same bytes as the single-status endpoint for the same viewer', async () => {
    const st = await postSeen('same bytes');
    await call(s.baseUrl, 'POST', `/api/v1/statuses/${st.id}/favourite`, { token: reader.token });
    const res = await fetch(`${s.baseUrl}/api/v1/timelines/home`, { headers: { authorization: `Bearer ${reader.token}` } });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const page = JSON.parse(await res.text()) as Status[];
    const one = await call<Status>(s.baseUrl, 'GET', `/api/v1/statuses/${st.id}`, { token: reader.token });
    expect(JSON.stringify(page.find((x) => x.id === st.id))).toBe(JSON.stringify(one.body));
  });
});
