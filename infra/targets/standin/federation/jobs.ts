import type { JobClass, JobEnv } from '../jobs/handlers.js';
import { deliveryDelay, sidekiqDelay } from '../jobs/backoff.js';
import { enqueue, enqueueBulk } from '../jobs/queue.js';
import { formatContent } from '../web/render.js';
import { acceptActivity, createNoteActivity, objectId, readNote, webfingerUsername } from './activitypub.js';
import { domainOf } from './addressing.js';
import { deliveryOutcome, DELIVERY_MAX_RETRIES } from './delivery-rules.js';
import { circuitFailure, circuitOpen, circuitSuccess, isUnavailable, trackFailure, trackSuccess } from './failure-tracker.js';
import type { Federation } from './federation.js';
import { deleteFollow, DELIVERY_WORKER, insertFollow } from './follows.js';
import { accountById, type RemoteAccount } from './remote-accounts.js';

// The federation workers by Mastodon's names: ActivityPub::DistributionWorker
// and ActivityPub::DeliveryWorker on `push`, ActivityPub::ProcessingWorker on
// `ingress` (8 retries, Sidekiq's backoff).

const s = (v: unknown) => String(v);

/** Local followers' inboxes (shared preferred), one per inbox, skipping unavailable domains. */
async function followerInboxes(fed: Federation, accountId: string): Promise<string[]> {
  const { rows } = await fed.db.query(
    `SELECT DISTINCT coalesce(nullif(a.shared_inbox_url, ''), a.inbox_url) AS inbox
       FROM follows f JOIN accounts a ON a.id = f.account_id
      WHERE f.target_account_id = $1 AND a.domain IS NOT NULL AND a.inbox_url IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM unavailable_domains u WHERE u.domain = a.domain)`,
    [accountId],
  );
  return rows.map((r) => r.inbox as string);
}

async function distribute(fed: Federation, statusId: string): Promise<void> {
  const { rows } = await fed.db.query(
    `SELECT st.id::text, st.account_id::text, st.text, st.spoiler_text, st.sensitive, st.visibility, st.language, st.created_at, a.username
       FROM statuses st JOIN accounts a ON a.id = st.account_id
      WHERE st.id = $1 AND st.local AND a.domain IS NULL AND st.reblog_of_id IS NULL AND st.visibility < 3`,
    [statusId],
  );
  const row = rows[0];
  if (!row) return;
  const inboxes = await followerInboxes(fed, row.account_id);
  fed.metrics?.distributed.inc();
  if (inboxes.length === 0) return;
  const json = JSON.stringify(createNoteActivity(fed.config.baseUrl, row.username, row, formatContent(row.text)));
  await enqueueBulk(fed.redis, 'push', DELIVERY_WORKER, inboxes.map((inbox) => [json, row.account_id, inbox]));
  fed.metrics?.enqueued.inc(inboxes.length);
}

async function deliver(fed: Federation, json: string, sourceAccountId: string, inbox: string): Promise<void> {
  const domain = domainOf(inbox);
  const count = (result: string) => fed.metrics?.deliveries.inc({ domain, result });
  if (await isUnavailable(fed, domain)) return void count('skipped_unavailable');
  let failure: string;
  if (await circuitOpen(fed, inbox)) {
    count('circuit_open');
    failure = `circuit open for ${inbox} after repeated failures`;
  } else {
    try {
      const signer = await fed.signingKey(sourceAccountId);
      const res = await fed.http.deliver(inbox, json, signer.keyId, signer.key);
      const outcome = deliveryOutcome(res.status);
      fed.metrics?.deliveryDuration.observe({ domain }, res.ms / 1000);
      if (outcome !== 'retry') {
        count(outcome);
        await circuitSuccess(fed, inbox);
        await trackSuccess(fed, domain);
        return;
      }
      failure = `${inbox} answered ${res.status}`;
    } catch (e) {
      failure = `${inbox}: ${(e as Error).message}`;
    }
    count('failed');
    await circuitFailure(fed, inbox);
  }
  await trackFailure(fed, domain);
  throw new Error(`delivery failed: ${failure}`);
}

/** The local account an actor URI of this instance names. */
async function localAccount(fed: Federation, actorUri: string | undefined): Promise<{ id: string; username: string } | undefined> {
  const username = actorUri && webfingerUsername(actorUri, fed.config.localDomain, fed.config.baseUrl);
  if (!username) return undefined;
  const { rows } = await fed.db.query('SELECT id::text, username FROM accounts WHERE lower(username) = lower($1) AND domain IS NULL', [username]);
  return rows[0] as { id: string; username: string } | undefined;
}

async function followedLocally(fed: Federation, accountId: string): Promise<boolean> {
  const { rowCount } = await fed.db.query(
    'SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id WHERE f.target_account_id = $1 AND a.domain IS NULL LIMIT 1',
    [accountId],
  );
  return (rowCount ?? 0) > 0;
}

type Handler = (fed: Federation, signer: RemoteAccount, activity: Record<string, unknown>) => Promise<boolean>;

/** Each returns whether the activity changed anything (false: ignored, as Mastodon ignores what it cannot use). */
const HANDLERS: Record<string, Handler> = {
  async Follow(fed, signer, a) {
    const target = await localAccount(fed, objectId(a.object));
    const id = objectId(a);
    if (!target || !id) return false;
    if (await insertFollow(fed, signer.id, target.id)) {
      await enqueue(fed.redis, 'default', 'LocalNotificationWorker', [target.id, signer.id, 'Follow', 'follow']);
    }
    // Accept goes to the follower's own inbox, as Mastodon sends it.
    const accept = acceptActivity(fed.uris(target.username).actor, { id, actor: signer.uri });
    await enqueue(fed.redis, 'push', DELIVERY_WORKER, [JSON.stringify(accept), target.id, signer.inbox]);
    return true;
  },

  async Accept(fed, signer, a) {
    const follow = a.object as Record<string, unknown> | string | undefined;
    const followId = objectId(follow);
    const follower = typeof follow === 'object' ? (await localAccount(fed, objectId(follow.actor)))?.id : undefined;
    const { rows } = await fed.db.query(
      `DELETE FROM follow_requests WHERE target_account_id = $1 AND (uri = $2 OR account_id = $3)
       RETURNING account_id::text, show_reblogs, notify`,
      [signer.id, followId ?? '', follower ?? null],
    );
    const request = rows[0];
    if (!request) return false;
    if (await insertFollow(fed, request.account_id, signer.id, request.show_reblogs, request.notify)) {
      await enqueue(fed.redis, 'default', 'MergeWorker', [signer.id, request.account_id, 'home']);
    }
    return true;
  },

  async Undo(fed, signer, a) {
    const inner = a.object as Record<string, unknown> | undefined;
    if (inner?.type !== 'Follow') return false;
    const target = await localAccount(fed, objectId(inner.object));
    if (!target) return false;
    await deleteFollow(fed, signer.id, target.id);
    return true;
  },

  async Create(fed, signer, a) {
    const note = readNote(a.object);
    if (typeof note === 'string' || note.attributedTo !== signer.uri || note.visibility === 3) return false;
    // Mastodon keeps a remote post only when it concerns someone here (related_to_local_activity?).
    const local = `${fed.config.baseUrl}/users/`;
    if (!note.audience.some((x) => x.startsWith(local)) && !(await followedLocally(fed, signer.id))) return false;
    const { rows } = await fed.db.query(
      `INSERT INTO statuses (account_id, text, spoiler_text, sensitive, visibility, language, local, uri, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8)
       ON CONFLICT (uri) WHERE uri IS NOT NULL DO NOTHING RETURNING id::text`,
      [signer.id, note.text, note.spoilerText, note.sensitive, note.visibility, note.language, note.uri, note.published],
    );
    const id = rows[0]?.id as string | undefined;
    if (!id) return false;
    await fed.db.query(
      'UPDATE account_stats SET statuses_count = statuses_count + 1, last_status_at = greatest(last_status_at, $2) WHERE account_id = $1',
      [signer.id, note.published],
    );
    // FanOutOnWriteService runs for remote posts too: local followers' home feeds.
    await enqueue(fed.redis, 'default', 'DistributionWorker', [id]);
    return true;
  },
};

async function processActivity(fed: Federation, signerId: string, body: string): Promise<void> {
  const signer = await accountById(fed, signerId);
  let activity: Record<string, unknown> | undefined;
  try {
    activity = JSON.parse(body) as Record<string, unknown>;
  } catch {
    activity = undefined;
  }
  const type = typeof activity?.type === 'string' ? activity.type : 'invalid';
  const handler = HANDLERS[type];
  // Without Linked Data Signatures (not modelled), only the signer's own activities count.
  if (!signer || !activity || objectId(activity.actor) !== signer.uri) {
    fed.metrics?.processed.inc({ type, result: 'rejected' });
    return;
  }
  const applied = handler ? await handler(fed, signer, activity) : false;
  fed.metrics?.processed.inc({ type: handler ? type : 'other', result: applied ? 'applied' : 'ignored' });
}

export const FEDERATION_JOB_CLASSES: Record<string, JobClass> = {
  'ActivityPub::DistributionWorker': {
    maxRetries: DELIVERY_MAX_RETRIES,
    delay: deliveryDelay,
    perform: (env: JobEnv, [statusId]) => distribute(env.federation, s(statusId)),
  },
  [DELIVERY_WORKER]: {
    maxRetries: DELIVERY_MAX_RETRIES,
    delay: deliveryDelay,
    perform: (env: JobEnv, [json, accountId, inbox]) => deliver(env.federation, s(json), s(accountId), s(inbox)),
  },
  'ActivityPub::ProcessingWorker': {
    maxRetries: 8,
    delay: sidekiqDelay,
    perform: (env: JobEnv, [accountId, body]) => processActivity(env.federation, s(accountId), s(body)),
  },
};
