import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, sumOf } from '../../reports/collect/exposition.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { activeUser, appToken, call, confirmationLink, eventually, signUp } from './support.js';

// The stand-in's HTTP API as Mastodon answers it: throttles, validation, bad
// input, scopes, fan-out rules, approvals and metrics, on real services.

let s: StandinHandle;
let db: pg.Client;
let appTok: string;

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 2, maxThreads: 4, sidekiqConcurrency: 3 });
  db = new pg.Client({ connectionString: s.postgresUrl });
  await db.connect();
  appTok = await appToken(s.baseUrl, '198.51.100.1');
});
afterAll(async () => {
  await db?.end();
  await s?.stop();
});

/**
 * Sends only the headers of an oversized POST: the server must refuse it from
 * Content-Length alone (a client streaming the body would see the connection
 * close mid-upload, as with nginx's client_max_body_size).
 */
function statusForDeclaredLength(path: string, length: number): Promise<number> {
  const url = new URL(s.baseUrl);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(url.port), url.hostname, () => {
      sock.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    });
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      data += d;
      const m = /^HTTP\/1\.1 (\d{3})/m.exec(data.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''));
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', reject);
  });
}

describe('sign-up throttle (5 per 30 minutes per client IP)', () => {
  it('answers the 6th signup from one forwarded IP with 429 while another IP still signs up', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await signUp(s.baseUrl, appTok, `wave_a${i}`, '203.0.113.7');
      expect(ok.status).toBe(200);
    }
    const sixth = await signUp(s.baseUrl, appTok, 'wave_a5', '203.0.113.7');
    expect(sixth.status).toBe(429);
    expect(sixth.body).toEqual({ error: 'Too many requests' });
    expect(sixth.headers.get('x-ratelimit-limit')).toBe('5');
    expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Date.parse(sixth.headers.get('x-ratelimit-reset')!);
    expect(reset).toBeGreaterThan(Date.now());
    expect(reset).toBeLessThanOrEqual(Date.now() + 30 * 60 * 1000 + 1000);

    const other = await signUp(s.baseUrl, appTok, 'wave_b0', '203.0.113.8');
    expect(other.status).toBe(200);
  });

  it('counts IPv6 clients by their /64', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await signUp(s.baseUrl, appTok, `v6_${i}`, `2001:db8:1:2::${i + 1}`)).status).toBe(200);
    }
    expect((await signUp(s.baseUrl, appTok, 'v6_5', '2001:db8:1:2:ffff::9')).status).toBe(429);
  });

  it('throttles app registrations at 5 per 10 minutes per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(s.baseUrl, 'POST', '/api/v1/apps', {
        ip: '192.0.2.200',
        json: { client_name: `app${i}`, redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' },
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('validation and bad input', () => {
  it('rejects invalid signups with Mastodon 422 details, listing every field', async () => {
    const r = await call(s.baseUrl, 'POST', '/api/v1/accounts', {
      token: appTok,
      ip: '198.18.0.1',
      json: { username: 'bad name!', email: 'nope', password: 'short', agreement: false },
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/^Validation failed: /);
    expect(r.body.details.username[0].error).toBe('ERR_INVALID');
    expect(r.body.details.email[0].error).toBe('ERR_INVALID');
    expect(r.body.details.password[0].error).toBe('ERR_TOO_SHORT');
    expect(r.body.details.agreement[0].error).toBe('ERR_ACCEPTED');
    // The sentence uses Mastodon's attribute labels (activerecord.en.yml), the details keep the parameter names.
    expect(r.body.error).toContain('E-mail address is invalid');
    expect(r.body.error).toContain('Service agreement must be accepted');
  });

  it('rejects a taken username and a 31-character one', async () => {
    expect((await signUp(s.baseUrl, appTok, 'taken_name', '198.18.0.2')).status).toBe(200);
    const again = await signUp(s.baseUrl, appTok, 'TAKEN_NAME', '198.18.0.3', { email: 'other@surge.test' });
    expect(again.status).toBe(422);
    expect(again.body.details.username[0]).toEqual({ error: 'ERR_TAKEN', description: 'has already been taken' });
    expect(again.body.error).toBe('Validation failed: Username has already been taken');
    const long = await signUp(s.baseUrl, appTok, 'a'.repeat(31), '198.18.0.4');
    expect(long.body.details.username[0].error).toBe('ERR_TOO_LONG');
    const longPw = await signUp(s.baseUrl, appTok, 'pw_long', '198.18.0.4', { password: 'x'.repeat(73) });
    expect(longPw.body.details.password[0].error).toBe('ERR_TOO_LONG');
  });

  it('answers malformed JSON, wrong types and oversized bodies with 4xx, never 5xx', async () => {
    const malformed = await call(s.baseUrl, 'POST', '/api/v1/accounts', { token: appTok, ip: '198.18.0.5', raw: '{"username": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/pars/i);

    const wrongTypes = await call(s.baseUrl, 'POST', '/api/v1/accounts', {
      token: appTok,
      ip: '198.18.0.6',
      json: { username: ['x'], email: { a: 1 }, password: 12345678, agreement: 'yes' },
    });
    expect(wrongTypes.status).toBe(422);
    expect(wrongTypes.body.details.username[0].error).toBe('ERR_BLANK');

    const arrayBody = await call(s.baseUrl, 'POST', '/api/v1/apps', { ip: '198.18.0.7', raw: '[1,2,3]' });
    expect(arrayBody.status).toBe(422);

    expect(await statusForDeclaredLength('/api/v1/apps', 2 * 1024 * 1024)).toBe(413);

    const badId = await call(s.baseUrl, 'GET', '/api/v1/statuses/not-a-number');
    expect(badId.status).toBe(404);
    expect(badId.body).toEqual({ error: 'Record not found' });
  });

  it('accepts form-encoded bodies as Mastodon.py sends them', async () => {
    const r = await call(s.baseUrl, 'POST', '/api/v1/apps', {
      ip: '198.18.0.9',
      form: 'client_name=Mastodon.py+app&redirect_uris=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&scopes=read+write',
    });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('Mastodon.py app');
    expect(r.body.scopes).toEqual(['read', 'write']);
  });
});

describe('OAuth tokens and scopes', () => {
  it('refuses a client_credentials scope the app was not registered with, and unknown clients', async () => {
    const app = await call(s.baseUrl, 'POST', '/api/v1/apps', {
      ip: '198.18.1.1',
      json: { client_name: 'readonly', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' },
    });
    expect(app.body.scopes).toEqual(['read']);
    const wider = await call(s.baseUrl, 'POST', '/oauth/token', {
      json: { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret, scope: 'write' },
    });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    const unknown = await call(s.baseUrl, 'POST', '/oauth/token', {
      json: { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'nope' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_client');
    const password = await call(s.baseUrl, 'POST', '/oauth/token', {
      json: { grant_type: 'password', client_id: app.body.client_id, client_secret: app.body.client_secret, username: 'a', password: 'b' },
    });
    expect(password.body.error).toBe('unsupported_grant_type');
    const noGrant = await call(s.baseUrl, 'POST', '/oauth/token', { json: { client_id: app.body.client_id, client_secret: app.body.client_secret } });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: grant_type.' });

    // The default scope is `read`, which cannot create accounts.
    const readTok = await call(s.baseUrl, 'POST', '/oauth/token', {
      json: { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret },
    });
    expect(readTok.body.scope).toBe('read');
    const denied = await signUp(s.baseUrl, readTok.body.access_token, 'readonly_user', '198.18.1.2');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('This action is outside the authorized scopes');
  });

  it('tells apart missing tokens, app tokens on user endpoints and user tokens on signup', async () => {
    const none = await call(s.baseUrl, 'GET', '/api/v1/timelines/home');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('The access token is invalid');
    const bogus = await call(s.baseUrl, 'GET', '/api/v1/timelines/home', { token: 'bogus' });
    expect(bogus.status).toBe(401);
    const asApp = await call(s.baseUrl, 'GET', '/api/v1/timelines/home', { token: appTok });
    expect(asApp.status).toBe(403);
    const post = await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: appTok, json: { status: 'x' } });
    expect(post.status).toBe(422);
    expect(post.body.error).toBe('This method requires an authenticated user');

    const user = await signUp(s.baseUrl, appTok, 'token_kinds', '198.18.1.3');
    const nested = await signUp(s.baseUrl, user.body.access_token, 'token_kinds2', '198.18.1.4');
    expect(nested.status).toBe(403);
  });
});

describe('fan-out, idempotency and approvals', () => {
  it('delivers posts to active followers only, and Idempotency-Key returns the same status', async () => {
    const author = await activeUser(s.baseUrl, s.mailApiUrl, appTok, 'fan_author', '198.18.2.1');
    const active = await activeUser(s.baseUrl, s.mailApiUrl, appTok, 'fan_active', '198.18.2.2');
    const idle = await activeUser(s.baseUrl, s.mailApiUrl, appTok, 'fan_idle', '198.18.2.3');
    const merges = async () =>
      sumOf(parseExposition(await (await fetch(s.metricsUrls[1]!)).text()), 'sidekiq_jobs_total', { job_name: 'MergeWorker' });
    const mergedBefore = await merges();
    for (const f of [active, idle]) {
      expect((await call(s.baseUrl, 'POST', `/api/v1/accounts/${author.id}/follow`, { token: f.token })).body.following).toBe(true);
    }
    // Each follow queues a MergeWorker that copies the author's recent posts into
    // the follower's feed; one running after the post would put it there too.
    await eventually(async () => (await merges()) >= mergedBefore + 2);
    // Eight days without signing in: Mastodon stops filling this follower's home feed.
    await db.query("UPDATE users SET current_sign_in_at = now() - interval '8 days' WHERE account_id = $1", [idle.id]);

    const headers = { 'idempotency-key': 'wave-post-1' };
    const first = await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: author.token, json: { status: 'fan-out check' }, headers });
    const second = await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: author.token, json: { status: 'fan-out check' }, headers });
    expect(first.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);

    await eventually(async () => {
      const home = await call(s.baseUrl, 'GET', '/api/v1/timelines/home', { token: active.token });
      return home.body.some((st: { id: string }) => st.id === first.body.id);
    });
    // The idle follower's own feed is checked in Redis terms through the API:
    // reading it signs them in again, so read the count from the database first.
    const { rows } = await db.query('SELECT count(*)::int AS n FROM statuses WHERE account_id = $1', [author.id]);
    expect(rows[0].n).toBe(1);
    const idleHome = await call(s.baseUrl, 'GET', '/api/v1/timelines/home', { token: idle.token });
    expect(idleHome.body.map((st: { id: string }) => st.id)).not.toContain(first.body.id);
  });

  it('in approved mode, confirmed users wait for an admin, who approves them through the admin API', async () => {
    await db.query("INSERT INTO settings (var, value) VALUES ('registrations_mode', 'approved') ON CONFLICT (var) DO UPDATE SET value = 'approved'");
    try {
      const instance = await call(s.baseUrl, 'GET', '/api/v2/instance');
      expect(instance.body.registrations.approval_required).toBe(true);
      const r = await signUp(s.baseUrl, appTok, 'needs_approval', '198.18.3.1');
      expect(r.status).toBe(200);
      const link = await confirmationLink(s.mailApiUrl, 'needs_approval@surge.test');
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
      const pending = await call(s.baseUrl, 'GET', '/api/v1/accounts/verify_credentials', { token: r.body.access_token });
      expect(pending.status).toBe(403);
      expect(pending.body.error).toBe('Your login is currently pending approval');

      const { rows } = await db.query("SELECT id::text FROM accounts WHERE username = 'needs_approval'");
      const notAdmin = await call(s.baseUrl, 'POST', `/api/v1/admin/accounts/${rows[0].id}/approve`, { token: r.body.access_token });
      expect(notAdmin.status).toBe(403);
      const approved = await call(s.baseUrl, 'POST', `/api/v1/admin/accounts/${rows[0].id}/approve`, { token: s.adminToken });
      expect(approved.status).toBe(200);
      expect(approved.body.approved).toBe(true);
      const ok = await call(s.baseUrl, 'GET', '/api/v1/accounts/verify_credentials', { token: r.body.access_token });
      expect(ok.status).toBe(200);

      await db.query("UPDATE settings SET value = 'none' WHERE var = 'registrations_mode'");
      const closed = await signUp(s.baseUrl, appTok, 'when_closed', '198.18.3.2');
      expect(closed.status).toBe(403);
    } finally {
      await db.query("DELETE FROM settings WHERE var = 'registrations_mode'");
    }
  });

  it('refuses a confirmation link twice and an invented one', async () => {
    const r = await signUp(s.baseUrl, appTok, 'confirm_twice', '198.18.4.1');
    expect(r.status).toBe(200);
    const link = await confirmationLink(s.mailApiUrl, 'confirm_twice@surge.test');
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(422);
    expect((await fetch(`${s.baseUrl}/auth/confirmation?confirmation_token=invented`, { redirect: 'manual' })).status).toBe(422);
  });
});

describe('metrics under Mastodon exporter names', () => {
  it('serves web and worker metrics that parse and count what happened', async () => {
    const [web, worker] = await Promise.all(s.metricsUrls.map(async (u) => parseExposition(await (await fetch(u)).text())));
    expect(sumOf(web!, 'http_requests_total', { controller: 'api/v1/accounts', action: 'create', status: '429' })).toBeGreaterThanOrEqual(2);
    expect(sumOf(web!, 'http_request_duration_seconds_count')).toBeGreaterThan(20);
    for (const name of ['puma_request_backlog', 'puma_max_threads', 'active_record_connection_pool_size', 'active_record_connection_pool_waiting']) {
      expect(web!.has(name), name).toBe(true);
    }
    expect(sumOf(web!, 'active_record_connection_pool_size')).toBe(8);
    expect(sumOf(worker!, 'sidekiq_jobs_total', { job_name: 'ActionMailer::MailDeliveryJob', queue: 'mailers' })).toBeGreaterThanOrEqual(5);
    expect(sumOf(worker!, 'sidekiq_process_concurrency')).toBe(3);
    for (const q of ['default', 'push', 'ingress', 'mailers', 'pull', 'scheduler']) {
      expect(worker!.get('sidekiq_queue_latency_seconds')!.samples.some((x) => x.labels.queue === q), q).toBe(true);
    }
    expect(worker!.has('sidekiq_job_duration_seconds')).toBe(true);
  });
});
