import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bearer, lookupToken } from './auth.js';
import type { WebContext } from './context.js';
import { ApiError, errors } from './errors.js';
import { fromPairs, parseFormEncoded, type Params } from './params.js';
import { clientIp, throttleKeyIp } from './remote-ip.js';
import { checkThrottles } from './throttle.js';
import type { ThreadPool } from './threads.js';
import type { WebMetrics } from '../metrics.js';
import { accountListRoutes } from './routes/account-lists.js';
import { accountRoutes } from './routes/accounts.js';
import { accountStatusRoutes } from './routes/account-statuses.js';
import { credentialRoutes } from './routes/credentials.js';
import { adminRoutes } from './routes/admin.js';
import { federationRoutes } from '../federation/routes.js';
import { appRoutes } from './routes/apps.js';
import { authRoutes } from './routes/auth.js';
import { instanceRoutes } from './routes/instance.js';
import { notificationRoutes } from './routes/notifications.js';
import { statusContextRoutes } from './routes/status-context.js';
import { statusRoutes } from './routes/statuses.js';
import { timelineRoutes } from './routes/timelines.js';

const PAGING_KEYS = ['page', 'min_id', 'max_id', 'since_id'];
// Mastodon's nginx allows large uploads, but no JSON API body is legitimately
// this big; anything larger is refused before parsing.
const BODY_LIMIT = 1024 * 1024;

export function buildApp(ctx: WebContext, threads: ThreadPool, metrics?: WebMetrics): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, trustProxy: false, return503OnClosing: true });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, {});
    try {
      const parsed: unknown = JSON.parse(body as string);
      done(null, typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {});
    } catch {
      done(new ApiError(400, 'Error while parsing request: malformed JSON body'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseFormEncoded(body as string)),
  );
  // Client libraries (masto.js among them) send forms as multipart; file parts
  // are dropped since the stand-in serves no media.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    new Response(body as Buffer, { headers: { 'content-type': req.headers['content-type']! } })
      .formData()
      .then((form) => {
        const fields: [string, string][] = [];
        form.forEach((value, key) => {
          if (typeof value === 'string') fields.push([key, value]);
        });
        done(null, fromPairs(fields));
      })
      .catch(() => done(new ApiError(400, 'Error while parsing request: malformed multipart body'), undefined));
  });
  // Bodies of other types are ignored, as Rails ignores formats it cannot parse.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, {}));

  app.decorateRequest('auth', undefined);
  app.decorateRequest('clientIp', '');
  app.decorateRequest('params_', undefined as unknown as Params);

  app.addHook('onRequest', async (req, reply) => {
    (req as FastifyRequest & { startedAt: bigint }).startedAt = process.hrtime.bigint();
    await threads.acquire();
    // The response's 'close' fires once whether it finished or the client hung
    // up, so the thread always comes back, even for requests aborted in the backlog.
    if (reply.raw.closed) threads.release();
    else reply.raw.once('close', () => threads.release());
    req.clientIp = clientIp(req.socket.remoteAddress ?? '127.0.0.1', header(req, 'x-forwarded-for'), ctx.proxies);
  });

  // After body parsing: merge params as Rails does, then authenticate and throttle
  // (Rack::Attack runs before the controller but needs the token's owner).
  app.addHook('preHandler', async (req, reply) => {
    const query = (req.query ?? {}) as Params;
    const body = (req.body ?? {}) as Params;
    req.params_ = { ...query, ...body, ...(req.params as Params) };
    // An unknown token counts as none, as Doorkeeper finds no token for it:
    // endpoints open to anonymous callers still answer, those that need a
    // token refuse with 401 when they authorize. A revoked one is found, and
    // refused with its own message wherever a token is checked.
    const token = bearer(header(req, 'authorization'), req.params_);
    if (token) req.auth = await lookupToken(ctx.db, token);
    const live = req.auth && !req.auth.revoked ? req.auth : undefined;
    const outcome = await checkThrottles(ctx.redis, {
      method: req.method,
      path: req.url.split('?')[0]!,
      ip: throttleKeyIp(req.clientIp),
      userId: live?.userId ?? undefined,
      tokenId: live?.tokenId,
      paging: PAGING_KEYS.some((k) => typeof req.params_[k] === 'string' && req.params_[k] !== ''),
    });
    if (outcome.throttled) throw errors.tooMany(outcome.headers);
    if (req.url.startsWith('/api')) reply.headers(outcome.headers);
  });

  app.addHook('onResponse', async (req, reply) => {
    const startedAt = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    if (metrics && startedAt !== undefined) {
      const controller = req.routeOptions.config?.controller ?? 'unmatched';
      const action = req.routeOptions.config?.action ?? 'unmatched';
      metrics.requests.inc({ controller, action, status: String(reply.statusCode) });
      metrics.duration.observe({ controller, action }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api')) return reply.code(404).send({ error: 'Record not found' });
    return reply.code(404).type('text/html').send('<!DOCTYPE html><title>The page you are looking for isn\'t here.</title>');
  });

  for (const register of [appRoutes, authRoutes, credentialRoutes, accountRoutes, accountStatusRoutes, accountListRoutes, statusRoutes, statusContextRoutes, timelineRoutes, notificationRoutes, instanceRoutes, adminRoutes, federationRoutes]) {
    register(app, ctx);
  }
  return app;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function sendError(err: Error & { statusCode?: number; code?: string }, _req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof ApiError) return reply.code(err.status).headers(err.headers).send(err.body);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: 'Request entity too large' });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send({ error: err.message });
  }
  process.stderr.write(`standin web: ${err.stack ?? err.message}\n`);
  return reply.code(500).send({ error: 'An unexpected error occurred' });
}
