import type pg from 'pg';
import { renderStatus, type AccountRow, type StatusRow } from './render.js';

// Loading for rendering: statuses with their stats, the reblogged originals and
// every author, in three queries whatever the page size, like Mastodon's
// cache_collection + preloading. The statements are named so each connection
// prepares them once, as Mastodon's ActiveRecord does (prepared_statements
// defaults to true in its database.yml); every timeline page runs them.

const ACCOUNT_COLUMNS = `a.id::text, a.username, a.domain, a.display_name, a.note, a.locked, a.bot, a.discoverable, a.created_at,
  s.statuses_count, s.following_count, s.followers_count, s.last_status_at`;

export async function loadAccounts(db: pg.Pool | pg.PoolClient, ids: string[]): Promise<Map<string, AccountRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<AccountRow>({
    name: 'load_accounts',
    text: `SELECT ${ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN account_stats s ON s.account_id = a.id WHERE a.id = ANY($1::bigint[])`,
    values: [ids],
  });
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findLocalAccount(db: pg.Pool, id: string): Promise<AccountRow | undefined> {
  if (!/^\d{1,19}$/.test(id)) return undefined;
  return (await loadAccounts(db, [id])).get(id);
}

export async function loadStatuses(db: pg.Pool, ids: string[], viewerId?: string): Promise<Map<string, StatusRow>> {
  if (ids.length === 0) return new Map();
  const viewer = viewerId ?? null;
  const { rows } = await db.query<StatusRow>({
    name: 'load_statuses',
    text: `SELECT st.id::text, st.account_id::text, st.text, st.spoiler_text, st.sensitive, st.visibility, st.language,
            st.in_reply_to_id::text, st.in_reply_to_account_id::text, st.reblog_of_id::text, st.created_at,
            ss.replies_count, ss.reblogs_count, ss.favourites_count,
            ($2::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = st.id AND f.account_id = $2)) AS favourited,
            ($2::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM statuses r WHERE r.reblog_of_id = st.id AND r.account_id = $2)) AS reblogged
       FROM statuses st LEFT JOIN status_stats ss ON ss.status_id = st.id
      WHERE st.id = ANY($1::bigint[])`,
    values: [ids, viewer],
  });
  return new Map(rows.map((r) => [r.id, r]));
}

/** Renders statuses in the given order, skipping ids that no longer exist (deleted since they were fanned out). */
export async function renderStatuses(db: pg.Pool, ids: string[], base: string, viewerId?: string): Promise<Record<string, unknown>[]> {
  const statuses = await loadStatuses(db, ids, viewerId);
  const reblogIds = [...statuses.values()].map((s) => s.reblog_of_id).filter((x): x is string => x !== null && !statuses.has(x));
  for (const [id, s] of await loadStatuses(db, reblogIds, viewerId)) statuses.set(id, s);
  const accounts = await loadAccounts(db, [...new Set([...statuses.values()].map((s) => s.account_id))]);
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const s = statuses.get(id);
    if (!s) continue;
    const original = s.reblog_of_id ? statuses.get(s.reblog_of_id) : undefined;
    if (s.reblog_of_id && !original) continue;
    const reblog = original ? renderStatus(original, accounts, base, null, viewerId) : null;
    out.push(renderStatus(s, accounts, base, reblog, viewerId));
  }
  return out;
}
