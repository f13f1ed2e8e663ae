import type pg from 'pg';
import { loadAccounts, renderStatuses } from './queries.js';
import { renderAccount } from './render.js';

// REST::NotificationSerializer, shared by the notifications API and the
// worker that pushes a new notification onto the user's stream.

export interface NotificationRow {
  id: string;
  type: string;
  created_at: Date;
  from_account_id: string;
  status_id: string | null;
}

export const NOTIFICATION_COLUMNS = 'id::text, type, created_at, from_account_id::text, status_id::text';

export async function renderNotifications(db: pg.Pool, rows: NotificationRow[], base: string, viewer: string) {
  const accounts = await loadAccounts(db, [...new Set(rows.map((r) => r.from_account_id))]);
  const statusIds = [...new Set(rows.map((r) => r.status_id).filter((x): x is string => x !== null))];
  const statuses = new Map((await renderStatuses(db, statusIds, base, viewer)).map((s) => [s.id as string, s]));
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    created_at: r.created_at.toISOString(),
    group_key: `ungrouped-${r.id}`,
    account: renderAccount(accounts.get(r.from_account_id)!, base),
    ...(r.status_id ? { status: statuses.get(r.status_id) ?? null } : {}),
  }));
}
