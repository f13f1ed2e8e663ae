import { setTimeout as sleep } from 'node:timers/promises';
import { rebaseUrl } from '../../scenarios/lib/links.js';

// Test-side helpers that talk to a stand-in only over its public surfaces:
// HTTP API and the Mailpit-shaped mail API, as a k6 scenario or client would.

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; form?: string; ip?: string; headers?: Record<string, string>; raw?: string; contentType?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.ip) headers['x-forwarded-for'] = opts.ip;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = opts.form;
  } else if (opts.raw !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = opts.raw;
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
  /** A client_credentials token with scope write, for signups. */
  token: string;
}

/** A registered app, its client credentials and an app token. */
export async function registerApp(baseUrl: string, ip: string, scopes = 'read write follow'): Promise<AppCredentials> {
  const app = await call(baseUrl, 'POST', '/api/v1/apps', {
    ip,
    json: { client_name: 'surge-test', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes },
  });
  if (app.status !== 200) throw new Error(`apps: ${app.status} ${JSON.stringify(app.body)}`);
  const token = await call(baseUrl, 'POST', '/oauth/token', {
    ip,
    json: { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret, scope: 'write' },
  });
  if (token.status !== 200) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`);
  return { clientId: app.body.client_id, clientSecret: app.body.client_secret, token: token.body.access_token };
}

export async function appToken(baseUrl: string, ip: string, scopes = 'read write follow'): Promise<string> {
  return (await registerApp(baseUrl, ip, scopes)).token;
}

export function signUp(baseUrl: string, appTok: string, username: string, ip: string, extra: Record<string, unknown> = {}) {
  return call(baseUrl, 'POST', '/api/v1/accounts', {
    token: appTok,
    ip,
    json: { username, email: `${username}@surge.test`, password: 'correct horse battery', agreement: true, locale: 'en', ...extra },
  });
}

/** The confirmation link from the newest mail to `address`, waiting for the worker to send it. */
export async function confirmationLink(mailApiUrl: string, address: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const search = (await (await fetch(`${mailApiUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`)).json()) as {
      messages: { ID: string }[];
    };
    if (search.messages.length > 0) {
      const msg = (await (await fetch(`${mailApiUrl}/api/v1/message/${search.messages[0]!.ID}`)).json()) as { Text: string };
      const m = /https?:\/\/\S+\/auth\/confirmation\?confirmation_token=[\w-]+/.exec(msg.Text);
      if (!m) throw new Error(`no confirmation link in mail to ${address}: ${msg.Text}`);
      return m[0];
    }
    await sleep(100);
  }
  throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
}

/** Signs a user up, confirms the address by mail and signs in once, so fan-out counts them as active. */
export async function activeUser(baseUrl: string, mailApiUrl: string, appTok: string, username: string, ip: string) {
  const res = await signUp(baseUrl, appTok, username, ip);
  if (res.status !== 200) throw new Error(`signup ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const link = await confirmationLink(mailApiUrl, `${username}@surge.test`);
  // The link carries LOCAL_DOMAIN, which may be a federation name with no DNS entry.
  const confirmed = await fetch(rebaseUrl(link, baseUrl), { redirect: 'manual' });
  if (confirmed.status !== 302) throw new Error(`confirmation of ${username}: ${confirmed.status}`);
  const me = await call(baseUrl, 'GET', '/api/v1/accounts/verify_credentials', { token: res.body.access_token });
  if (me.status !== 200) throw new Error(`verify_credentials ${username}: ${me.status}`);
  return { token: res.body.access_token as string, id: me.body.id as string };
}

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
