import { readActor, webfingerActor, type RemoteActor } from './activitypub.js';
import { domainOf } from './addressing.js';
import type { Federation } from './federation.js';

// ActivityPub::FetchRemoteAccountService and ResolveAccountService: remote
// accounts are rows of `accounts` with a domain, made from fetched actors.

export interface RemoteAccount {
  id: string;
  uri: string;
  domain: string;
  username: string;
  inbox: string;
  /** Shared inbox when the actor has one, else its own: where deliveries go. */
  deliveryInbox: string;
  publicKeyPem: string;
}

const COLUMNS = `id::text, uri, domain, username, inbox_url AS inbox,
  coalesce(nullif(shared_inbox_url, ''), inbox_url) AS "deliveryInbox", public_key AS "publicKeyPem"`;

export async function accountByUri(fed: Federation, uri: string): Promise<RemoteAccount | undefined> {
  const { rows } = await fed.db.query(`SELECT ${COLUMNS} FROM accounts WHERE uri = $1 AND domain IS NOT NULL LIMIT 1`, [uri]);
  return rows[0] as RemoteAccount | undefined;
}

export async function accountById(fed: Federation, id: string): Promise<RemoteAccount | undefined> {
  const { rows } = await fed.db.query(`SELECT ${COLUMNS} FROM accounts WHERE id = $1 AND domain IS NOT NULL`, [id]);
  return rows[0] as RemoteAccount | undefined;
}

/** Fetches an actor and creates or refreshes its account; throws with the reason when it cannot. */
export async function fetchRemoteAccount(fed: Federation, uri: string): Promise<RemoteAccount> {
  const res = await fed.http.getJson(uri);
  if (res.status !== 200) throw new Error(`fetching ${uri} answered ${res.status}`);
  const actor = readActor(res.body, uri);
  if (typeof actor === 'string') throw new Error(`${uri}: ${actor}`);
  return upsertRemoteAccount(fed, actor);
}

async function upsertRemoteAccount(fed: Federation, a: RemoteActor): Promise<RemoteAccount> {
  const { rows } = await fed.db.query(
    `INSERT INTO accounts (username, domain, display_name, note, locked, bot, public_key, uri, url, inbox_url, shared_inbox_url, followers_url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (lower(username), COALESCE(lower(domain), '')) DO UPDATE SET
       display_name = EXCLUDED.display_name, note = EXCLUDED.note, locked = EXCLUDED.locked, bot = EXCLUDED.bot,
       public_key = EXCLUDED.public_key, uri = EXCLUDED.uri, url = EXCLUDED.url, inbox_url = EXCLUDED.inbox_url,
       shared_inbox_url = EXCLUDED.shared_inbox_url, followers_url = EXCLUDED.followers_url, updated_at = now()
     RETURNING ${COLUMNS}`,
    [a.username, domainOf(a.uri), a.displayName, a.note, a.locked, a.bot, a.publicKeyPem, a.uri, a.url ?? null, a.inbox, a.sharedInbox ?? null, a.followers ?? null],
  );
  const account = rows[0] as RemoteAccount;
  await fed.db.query('INSERT INTO account_stats (account_id) VALUES ($1) ON CONFLICT DO NOTHING', [account.id]);
  return account;
}

/** The account behind an actor URI: known, or fetched now. */
export async function resolveActor(fed: Federation, uri: string): Promise<RemoteAccount> {
  return (await accountByUri(fed, uri)) ?? fetchRemoteAccount(fed, uri);
}

/**
 * `name@domain` → account id: a known account, or (when `resolve`) WebFinger
 * then the actor. Local names resolve to local accounts. Undefined when unknown.
 */
export async function resolveAcct(fed: Federation, acct: string, resolve: boolean): Promise<string | undefined> {
  const m = /^@?([^@\s]+)(?:@([^@\s]+))?$/.exec(acct.trim());
  if (!m) return undefined;
  const username = m[1]!;
  const domain = m[2]?.toLowerCase();
  const local = !domain || domain === fed.config.localDomain.toLowerCase();
  const { rows } = await fed.db.query(
    'SELECT id::text FROM accounts WHERE lower(username) = lower($1) AND COALESCE(lower(domain), \'\') = $2',
    [username, local ? '' : domain],
  );
  if (rows[0]) return rows[0].id as string;
  if (local || !resolve) return undefined;
  const jrd = await fed.http.getJson(
    `http://${domain}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${username}@${domain}`)}`,
    'application/jrd+json, application/json',
  );
  const actorUri = jrd.status === 200 ? webfingerActor(jrd.body) : undefined;
  if (!actorUri) return undefined;
  const account = await resolveActor(fed, actorUri);
  await fed.db.query('UPDATE accounts SET last_webfingered_at = now() WHERE id = $1', [account.id]);
  return account.id;
}
