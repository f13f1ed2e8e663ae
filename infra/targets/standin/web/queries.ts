import type { Redis } from 'ioredis';
import type pg from 'pg';
import { readCachedStatuses, writeCachedStatuses } from '../status-cache.js';
import { localMentions } from './mentions.js';
import { assembleStatus, renderAccount, statusPieces, type AccountRow, type Mention, type StatusPieces, type StatusRow } from './render.js';

// Loading for rendering, as Mastodon renders a timeline page: rendered statuses
// from the cache (../status-cache.ts), misses from Postgres, then one query for
// what must be fresh on every read, whatever the page size. The statements are
// named so each connection prepares them once, as Mastodon's ActiveRecord does
// (prepared_statements defaults to true in its database.yml).

const ACCOUNT_COLUMNS = `a.id::text, a.username, a.domain, a.display_name, a.note, a.locked, a.bot, a.discoverable, a.created_at, a.uri, a.url,
  s.statuses_count, s.following_count, s.followers_count, s.last_status_at`;

const accountsSql = (idsParam: string) =>
  `SELECT ${ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN account_stats s ON s.account_id = a.id WHERE a.id = ANY(${idsParam}::bigint[])`;

export async function loadAccounts(db: pg.Pool | pg.PoolClient, ids: string[]): Promise<Map<string, AccountRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<AccountRow>({
    name: 'load_accounts',
    text: accountsSql('$1'),
    values: [ids],
  });
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findLocalAccount(db: pg.Pool, id: string): Promise<AccountRow | undefined> {
  if (!/^\d{1,19}$/.test(id)) return undefined;
  return (await loadAccounts(db, [id])).get(id);
}

/**
 * Whether a post is shown to this viewer: public and unlisted ones to anyone,
 * the others to their author only (followers-only delivery is not modelled).
 * Mastodon answers 404, not 403, for a post it does not show.
 */
export function shownTo(s: { visibility: number; account_id: string }, viewer: string | undefined): boolean {
  return s.visibility <= 1 || s.account_id === viewer;
}

export async function loadStatuses(db: pg.Pool, ids: string[], viewerId?: string): Promise<Map<string, StatusRow>> {
  if (ids.length === 0) return new Map();
  const viewer = viewerId ?? null;
  const { rows } = await db.query<StatusRow>({
    name: 'load_statuses',
    text: `SELECT st.id::text, st.account_id::text, st.text, st.spoiler_text, st.sensitive, st.visibility, st.language,
            st.in_reply_to_id::text, st.in_reply_to_account_id::text, st.reblog_of_id::text, st.created_at, st.uri,
            ss.replies_count, ss.reblogs_count, ss.favourites_count, a.username AS account_username,
            app.name AS application_name, app.website AS application_website,
            ${VERSION} AS version,
            ($2::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = st.id AND f.account_id = $2)) AS favourited,
            ($2::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM statuses r WHERE r.reblog_of_id = st.id AND r.account_id = $2)) AS reblogged
       FROM statuses st JOIN accounts a ON a.id = st.account_id LEFT JOIN status_stats ss ON ss.status_id = st.id
       LEFT JOIN oauth_applications app ON app.id = st.application_id
      WHERE st.id = ANY($1::bigint[])`,
    values: [ids, viewer],
  });
  return new Map(rows.map((r) => [r.id, r]));
}

// A status's cache version, as Mastodon's cache_key carries updated_at.
const VERSION = '(extract(epoch FROM st.updated_at) * 1000000)::bigint::text';

async function loadPieces(db: pg.Pool, ids: string[], base: string): Promise<StatusPieces[]> {
  const rows = [...(await loadStatuses(db, ids)).values()];
  const mentioned = await mentionedAccounts(db, rows, new URL(base).hostname);
  return rows.map((r) => statusPieces(r, r.account_username!, base, mentioned.get(r.id)));
}

/**
 * The local accounts each local post names, in the order named (Mastodon keeps
 * them as Mention rows made when posting; here they are found again when the
 * post is rendered, one query for the whole page).
 */
async function mentionedAccounts(db: pg.Pool, rows: StatusRow[], host: string): Promise<Map<string, Mention[]>> {
  const names = new Map<string, string[]>();
  for (const r of rows) if (!r.uri && !r.reblog_of_id && r.text.includes('@')) names.set(r.id, localMentions(r.text, host));
  const wanted = [...new Set([...names.values()].flat())];
  if (wanted.length === 0) return new Map();
  const { rows: found } = await db.query<Mention & { lower: string }>(
    'SELECT id::text, username, lower(username) AS lower FROM accounts WHERE domain IS NULL AND lower(username) = ANY($1::text[])',
    [wanted],
  );
  const byName = new Map(found.map((a) => [a.lower, { id: a.id, username: a.username }]));
  return new Map([...names].map(([id, list]) => [id, list.flatMap((n) => byName.get(n) ?? [])]));
}

/**
 * cache_collection: the page's statuses and the originals of its reblogs from
 * the cache, the misses from Postgres (then cached). Two rounds at most.
 */
async function gather(
  db: pg.Pool,
  redis: Redis | undefined,
  ids: string[],
  base: string,
  prefetched: Map<string, StatusPieces> | undefined,
): Promise<Map<string, StatusPieces>> {
  const out = new Map<string, StatusPieces>();
  let want = ids;
  for (let round = 0; round < 2 && want.length > 0; round++) {
    const cached = round === 0 && prefetched ? prefetched : redis ? await readCachedStatuses(redis, want) : new Map<string, StatusPieces>();
    const loaded = await loadPieces(db, want.filter((id) => !cached.has(id)), base);
    if (redis) await writeCachedStatuses(redis, loaded);
    for (const p of cached.values()) out.set(p.id, p);
    for (const p of loaded) out.set(p.id, p);
    want = [...new Set([...out.values()].map((p) => p.reblogOfId).filter((x): x is string => x !== null && !out.has(x)))];
  }
  return out;
}

interface PageState {
  /** id → version of the statuses that still exist (Mastodon's cache_ids query). */
  live: Record<string, string>;
  favourited: string[];
  reblogged: string[];
  accounts: (Omit<AccountRow, 'created_at' | 'last_status_at'> & { created_at: string; last_status_at: string | null })[];
}

/**
 * What a page needs besides the cached statuses, in one round trip: which of
 * them still exist and at which version, the viewer's favourites and reblogs
 * among them (StatusRelationshipsPresenter, one lookup per relation), and their
 * authors, reloaded on every read as Mastodon reloads stale associations.
 */
async function pageState(db: pg.Pool, ids: string[], viewerId: string | undefined, accountIds: string[]): Promise<PageState> {
  const { rows } = await db.query<{ page: PageState }>({
    name: 'status_page_state',
    text: `SELECT json_build_object(
      'live', (SELECT coalesce(json_object_agg(st.id::text, ${VERSION}), '{}') FROM statuses st WHERE st.id = ANY($1::bigint[])),
      'favourited', (SELECT coalesce(json_agg(f.status_id::text), '[]') FROM favourites f WHERE f.account_id = $2::bigint AND f.status_id = ANY($1::bigint[])),
      'reblogged', (SELECT coalesce(json_agg(r.reblog_of_id::text), '[]') FROM statuses r WHERE r.account_id = $2::bigint AND r.reblog_of_id = ANY($1::bigint[])),
      'accounts', (SELECT coalesce(json_agg(x), '[]') FROM (${accountsSql('$3')}) x)
    ) AS page`,
    values: [ids, viewerId ?? null, accountIds],
  });
  return rows[0]!.page;
}

/**
 * Statuses as Mastodon's JSON text, in the given order, skipping ids that no
 * longer exist (deleted since they were fanned out) and reblogs of deleted
 * posts. With `redis`, rendered statuses come from and go to the cache;
 * `cached` holds the entries of `ids` already read with them (readHomePage).
 */
export async function renderStatusesJson(
  db: pg.Pool,
  ids: string[],
  base: string,
  viewerId?: string,
  redis?: Redis,
  cached?: Map<string, StatusPieces>,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const pieces = await gather(db, redis, ids, base, cached);
  if (pieces.size === 0) return [];
  const state = await pageState(db, [...pieces.keys()], viewerId, [...new Set([...pieces.values()].map((p) => p.accountId))]);
  // Changed since cached (an edit bumps updated_at): render those again.
  const stale = [...pieces.values()].filter((p) => state.live[p.id] !== undefined && state.live[p.id] !== p.version).map((p) => p.id);
  if (stale.length > 0) {
    const fresh = await loadPieces(db, stale, base);
    if (redis) await writeCachedStatuses(redis, fresh);
    for (const p of fresh) pieces.set(p.id, p);
  }
  const accounts = new Map<string, string>();
  for (const a of state.accounts) {
    const row: AccountRow = { ...a, created_at: new Date(a.created_at), last_status_at: a.last_status_at === null ? null : new Date(a.last_status_at) };
    accounts.set(a.id, JSON.stringify(renderAccount(row, base)));
  }
  const favourited = new Set(state.favourited);
  const reblogged = new Set(state.reblogged);
  const one = (p: StatusPieces, original?: StatusPieces): string => {
    const viewer = viewerId === undefined ? undefined : { accountId: viewerId, favourited: favourited.has(p.id), reblogged: reblogged.has(p.id) };
    return assembleStatus(p, viewer, original ? one(original) : null, accounts.get(p.accountId)!, original);
  };
  const usable = (p: StatusPieces | undefined): p is StatusPieces => p !== undefined && state.live[p.id] !== undefined && accounts.has(p.accountId);
  const out: string[] = [];
  for (const id of ids) {
    const p = pieces.get(id);
    if (!usable(p)) continue;
    if (p.reblogOfId === null) {
      out.push(one(p));
      continue;
    }
    const original = pieces.get(p.reblogOfId);
    if (usable(original)) out.push(one(p, original));
  }
  return out;
}

/** renderStatusesJson as objects, for answers that embed statuses in other entities. */
export async function renderStatuses(db: pg.Pool, ids: string[], base: string, viewerId?: string, redis?: Redis): Promise<Record<string, unknown>[]> {
  return (await renderStatusesJson(db, ids, base, viewerId, redis)).map((s) => JSON.parse(s) as Record<string, unknown>);
}
