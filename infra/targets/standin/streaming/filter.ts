import type pg from 'pg';

// The per-update check Mastodon's streaming server makes for public and hashtag
// streams: an update is not sent to someone who blocks or mutes its author or
// a mentioned account, who is blocked by the author, or who blocks the
// author's domain. One pooled connection per update per listener — the cost
// that makes the streaming server's DB pool a limit on busy public streams.

interface StatusLike {
  account?: { id?: unknown; acct?: unknown };
  mentions?: { id?: unknown }[];
}

function asStatus(payload: unknown): StatusLike | undefined {
  if (typeof payload === 'object' && payload !== null) return payload as StatusLike;
  if (typeof payload !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    return typeof parsed === 'object' && parsed !== null ? (parsed as StatusLike) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `viewerId` may see this update; a payload that is not a status passes unchecked. */
export async function visibleTo(db: pg.Pool, viewerId: string, payload: unknown): Promise<boolean> {
  const status = asStatus(payload);
  const authorId = status?.account?.id;
  if (typeof authorId !== 'string') return true;
  const targets = [authorId, ...(status!.mentions ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string')];
  const acct = typeof status!.account!.acct === 'string' ? status!.account!.acct : '';
  const domain = acct.includes('@') ? acct.split('@')[1]! : null;
  const client = await db.connect();
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM blocks WHERE (account_id = $1 AND target_account_id = ANY($2::bigint[])) OR (account_id = $3 AND target_account_id = $1)
       UNION ALL SELECT 1 FROM mutes WHERE account_id = $1 AND target_account_id = ANY($2::bigint[])
       UNION ALL SELECT 1 FROM account_domain_blocks WHERE $4::text IS NOT NULL AND account_id = $1 AND domain = $4
       LIMIT 1`,
      [viewerId, targets, authorId, domain],
    );
    return rows.length === 0;
  } finally {
    client.release();
  }
}
