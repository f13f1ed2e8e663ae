import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BCRYPT_COST } from '../../infra/targets/standin/web/sign-up.js';
import { Api, eachLimit } from './http.js';
import { PASSWORD, type SignedUp } from './signups.js';

// A realistic small instance for the home-timeline read benchmark:
//  - authors: users who signed up over the API, confirmed by the mailed link
//    and signed in (verify_credentials), follow one another and post through
//    POST /api/v1/statuses, so the worker fans their posts out;
//  - readers: many users (with a few app tokens each, like a phone and a
//    browser) created directly in the database, because each token may make
//    only 300 API calls per 5 minutes and no API mints more user tokens; they
//    follow authors through the API, and the worker's MergeWorker fills their
//    home feeds.

export interface Author {
  token: string;
  accountId: string;
}

export interface Reader {
  accountId: string;
  tokens: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function confirmationLink(mailApiUrl: string, address: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${mailApiUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
    const list = (await res.json()) as { messages: { ID: string; To: { Address: string }[] }[] };
    const hit = list.messages.find((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase()));
    if (hit) {
      const msg = (await (await fetch(`${mailApiUrl}/api/v1/message/${encodeURIComponent(hit.ID)}`)).json()) as { Text: string };
      const m = /https?:\/\/\S+\/auth\/confirmation\?confirmation_token=[^\s"<>]+/.exec(msg.Text);
      if (!m) throw new Error(`no confirmation link in the mail to ${address}`);
      return m[0];
    }
    if (Date.now() > until) throw new Error(`no confirmation mail for ${address} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** Confirms signed-up users through the mailed link and signs them in once. */
export async function confirmAuthors(api: Api, mailApiUrl: string, users: SignedUp[]): Promise<Author[]> {
  const authors: Author[] = new Array(users.length);
  await eachLimit(users, 8, async (u, i) => {
    const link = new URL(await confirmationLink(mailApiUrl, u.email));
    const r = await api.call('GET', `${link.pathname}${link.search}`);
    if (r.status !== 302) throw new Error(`confirmation of ${u.email} answered ${r.status}`);
    const me = await api.ok('GET', '/api/v1/accounts/verify_credentials', { token: u.token });
    authors[i] = { token: u.token, accountId: String(me.id) };
  });
  return authors;
}

const SAMPLE_TEXT = [
  'Just arrived here from the bird site. Hello fediverse! Looking for people who post about gardening and birds.',
  'Does anyone know a good guide for choosing an instance? The one I picked seems busy tonight.',
  'Today I learned that home timelines are computed on write. Every follower gets a copy in their feed.',
  'Coffee, rain, and a long queue of confirmation emails. A very normal Tuesday for an admin.',
  'Reading https://joinmastodon.org again to understand how federation works. Worth a look.',
];

export async function followAndPost(api: Api, authors: Author[], postsEach: number): Promise<void> {
  const follows = authors.flatMap((a, i) => authors.filter((_, j) => j !== i).map((b) => [a, b] as const));
  await eachLimit(follows, 16, async ([a, b]) => void (await api.ok('POST', `/api/v1/accounts/${b.accountId}/follow`, { token: a.token })));
  // Interleaved, so feeds mix authors as a busy home timeline does.
  const posts = Array.from({ length: postsEach * authors.length }, (_, k) => ({ author: authors[k % authors.length]!, n: k }));
  await eachLimit(posts, 16, async ({ author, n }) => {
    const text = `${SAMPLE_TEXT[n % SAMPLE_TEXT.length]} #${n}`;
    await api.ok('POST', '/api/v1/statuses', { token: author.token, body: { status: text, visibility: 'public', language: 'en' } });
  });
}

export async function insertReaders(postgresUrl: string, appId: string, count: number, tokensEach: number): Promise<Reader[]> {
  const db = new pg.Client({ connectionString: postgresUrl });
  await db.connect();
  try {
    const encrypted = await bcrypt.hash(PASSWORD, BCRYPT_COST);
    await db.query('BEGIN');
    const accounts = await db.query<{ id: string }>(
      `INSERT INTO accounts (username, discoverable) SELECT 'reader' || g, NULL FROM generate_series(1, $1) g RETURNING id::text`,
      [count],
    );
    const accountIds = accounts.rows.map((r) => r.id);
    await db.query('INSERT INTO account_stats (account_id) SELECT unnest($1::bigint[])', [accountIds]);
    const users = await db.query<{ id: string; account_id: string }>(
      `INSERT INTO users (account_id, email, encrypted_password, confirmed_at, approved, agreement, locale, created_by_application_id, current_sign_in_at)
       SELECT a.id, a.username || '@bench.surge.test', $2, now(), true, true, 'en', $3, now()
         FROM accounts a WHERE a.id = ANY($1::bigint[])
       RETURNING id::text, account_id::text`,
      [accountIds, encrypted, appId],
    );
    const readers: Reader[] = [];
    const tokens: string[] = [];
    const owners: string[] = [];
    for (const u of users.rows) {
      const mine = Array.from({ length: tokensEach }, () => randomBytes(32).toString('base64url'));
      readers.push({ accountId: u.account_id, tokens: mine });
      tokens.push(...mine);
      owners.push(...mine.map(() => u.id));
    }
    await db.query(
      `INSERT INTO oauth_access_tokens (token, application_id, resource_owner_id, scopes)
       SELECT t, $3, u, 'read write follow' FROM unnest($1::text[], $2::bigint[]) AS x(t, u)`,
      [tokens, owners, appId],
    );
    await db.query('COMMIT');
    return readers;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
}

/** Each reader follows `followsEach` authors through the API (MergeWorker then fills the feed). */
export async function readersFollow(api: Api, readers: Reader[], authors: Author[], followsEach: number): Promise<void> {
  // Round by round, so follows in flight at once mostly target different authors
  // (a follow locks its target's counters until it commits).
  const follows = Array.from({ length: followsEach }, (_, k) => readers.map((r, i) => [r, authors[(i + k) % authors.length]!] as const)).flat();
  await eachLimit(follows, 16, async ([r, a]) => void (await api.ok('POST', `/api/v1/accounts/${a.accountId}/follow`, { token: r.tokens[0] })));
}

/** Waits until the worker has drained its queues and every feed holds what fan-out should have put there. */
export async function waitForFeeds(redisUrl: string, expected: { accountId: string; size: number }[], timeoutMs = 90_000): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const t0 = Date.now();
  try {
    for (;;) {
      const p = redis.pipeline();
      for (const e of expected) p.zcard(`feed:home:${e.accountId}`);
      p.llen('queue:default');
      const res = (await p.exec())!.map(([, n]) => Number(n));
      const backlog = res.pop()!;
      const short = expected.filter((e, i) => res[i]! < e.size).length;
      if (short === 0 && backlog === 0) return (Date.now() - t0) / 1000;
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(`fan-out incomplete after ${timeoutMs / 1000} s: ${short} of ${expected.length} feeds short, ${backlog} jobs queued`);
      }
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}
