import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enqueue } from '../jobs/queue.js';
import { authorize, requireUser } from '../web/auth.js';
import type { WebContext } from '../web/context.js';
import { ApiError } from '../web/errors.js';
import { str } from '../web/params.js';
import { loadAccounts } from '../web/queries.js';
import { renderAccount } from '../web/render.js';
import { MASTODON_VERSION } from '../web/routes/instance.js';
import { registrationsMode } from '../web/settings.js';
import { ACTIVITY_JSON, actorDocument, nodeinfoDocument, nodeinfoLinks, webfingerDocument, webfingerUsername } from './activitypub.js';
import { Federation } from './federation.js';
import { verifyInboxPost } from './inbox.js';
import { accountByUri, resolveAcct, resolveActor } from './remote-accounts.js';

// The federation surface of the web processes: actors, WebFinger, nodeinfo,
// the shared and personal inboxes, and /api/v2/search's account resolution.

const perContext = new WeakMap<WebContext, Federation>();

/** This web process's Federation (HTTP client and key caches) for a context. */
export function webFederation(ctx: WebContext): Federation {
  let fed = perContext.get(ctx);
  if (!fed) {
    fed = new Federation(ctx.config, ctx.db, ctx.redis);
    perContext.set(ctx, fed);
  }
  return fed;
}

// Inbox bodies must reach the signature check byte for byte (Digest): in the
// inboxes' own plugin scope every body, whatever its type (Mastodon reads the
// raw body too), is read as text and kept aside per request.
const rawBodies = new WeakMap<object, string>();

async function localActorRow(ctx: WebContext, username: string) {
  const { rows } = await ctx.db.query(
    `SELECT a.id::text, a.username, a.display_name, a.note, a.locked, a.bot, a.discoverable, a.public_key, a.created_at
       FROM accounts a JOIN users u ON u.account_id = a.id
      WHERE lower(a.username) = lower($1) AND a.domain IS NULL AND NOT u.disabled`,
    [username],
  );
  return rows[0];
}

export function federationRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { baseUrl, localDomain } = ctx.config;
  const fed = () => webFederation(ctx);
  app.addHook('onClose', async () => {
    await perContext.get(ctx)?.close();
  });

  app.get('/users/:username', { config: { controller: 'accounts', action: 'show' } }, async (req, reply) => {
    const row = await localActorRow(ctx, (req.params as { username: string }).username);
    if (!row) return reply.code(404).type(ACTIVITY_JSON).send({ error: 'Record not found' });
    return reply.type(ACTIVITY_JSON).send(actorDocument(baseUrl, row));
  });

  app.get('/.well-known/webfinger', { config: { controller: 'well_known/webfinger', action: 'show' } }, async (req, reply) => {
    const resource = str(req.params_, 'resource');
    if (!resource) return reply.code(400).send({ error: 'resource parameter is required' });
    const username = webfingerUsername(resource, localDomain, baseUrl);
    const row = username ? await localActorRow(ctx, username) : undefined;
    if (!row) return reply.code(404).send({ error: 'Record not found' });
    return reply.type('application/jrd+json; charset=utf-8').send(webfingerDocument(baseUrl, localDomain, row.username));
  });

  app.get('/.well-known/nodeinfo', { config: { controller: 'well_known/node_info', action: 'index' } }, async () => nodeinfoLinks(baseUrl));

  app.get('/nodeinfo/2.0', { config: { controller: 'well_known/node_info', action: 'show' } }, async (_req, reply) => {
    const { rows } = await ctx.db.query(
      `SELECT (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM users WHERE current_sign_in_at > now() - interval '30 days') AS month,
              (SELECT count(*) FROM users WHERE current_sign_in_at > now() - interval '180 days') AS halfyear,
              (SELECT count(*) FROM statuses WHERE local) AS posts`,
    );
    const r = rows[0];
    const mode = await registrationsMode(ctx.db, ctx.config.registrationsMode);
    const doc = nodeinfoDocument({
      version: MASTODON_VERSION,
      users: Number(r.users),
      activeMonth: Number(r.month),
      activeHalfyear: Number(r.halfyear),
      localPosts: Number(r.posts),
      openRegistrations: mode !== 'none',
    });
    return reply.type('application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"').send(doc);
  });

  const inbox = async (req: FastifyRequest, reply: FastifyReply, deliveredTo: string | null) => {
    const raw = rawBodies.get(req) ?? '';
    const verdict = await verifyInboxPost(fed(), req, raw);
    if (!verdict.ok) return reply.code(verdict.status).send({ error: verdict.reason });
    await enqueue(ctx.redis, 'ingress', 'ActivityPub::ProcessingWorker', [verdict.account.id, raw, deliveredTo]);
    return reply.code(202).send();
  };
  const inboxCfg = { config: { controller: 'activitypub/inboxes', action: 'create' } };
  void app.register(async (inboxes) => {
    inboxes.removeAllContentTypeParsers();
    inboxes.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
      rawBodies.set(req, body as string);
      done(null, {});
    });
    inboxes.post('/inbox', inboxCfg, (req, reply) => inbox(req, reply, null));
    inboxes.post('/users/:username/inbox', inboxCfg, async (req, reply) => {
      const row = await localActorRow(ctx, (req.params as { username: string }).username);
      if (!row) return reply.code(404).send({ error: 'Record not found' });
      return inbox(req, reply, row.id as string);
    });
  });

  // Accounts only: `name@domain` or an actor URL, resolved over the network with resolve=true.
  app.get('/api/v2/search', { config: { controller: 'api/v2/search', action: 'index' } }, async (req) => {
    const q = (str(req.params_, 'q') ?? '').trim();
    const type = str(req.params_, 'type');
    const resolve = str(req.params_, 'resolve') === 'true' || req.params_.resolve === true;
    if (resolve && !req.auth?.userId) {
      throw new ApiError(401, 'Search queries that resolve remote resources are not supported without authentication');
    }
    if (req.auth) await requireUser(ctx.db, authorize(req.auth, 'read:search'));
    if (q === '') throw new ApiError(400, 'Validation failed: q is missing');
    const empty = { accounts: [] as unknown[], statuses: [], hashtags: [] };
    if (type && type !== 'accounts') return empty;
    const fedCtx = fed();
    const find = async () =>
      /^https?:\/\//.test(q) ? (resolve ? await resolveActor(fedCtx, q) : await accountByUri(fedCtx, q))?.id : resolveAcct(fedCtx, q, resolve);
    // An unreachable or invalid remote answers with no results, as Mastodon's search does.
    const id = await find().catch(() => undefined);
    if (!id) return empty;
    const account = (await loadAccounts(ctx.db, [id])).get(id);
    return { ...empty, accounts: account ? [renderAccount(account, baseUrl)] : [] };
  });

}
