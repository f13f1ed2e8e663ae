// The client side of a federation run on one instance, through its public API
// only, as people and their apps would: sign up from their own IP, confirm the
// mail, resolve a remote account by its address, follow, post.

import { setTimeout as sleep } from 'node:timers/promises';
import type { SyntheticUser } from '../../scenarios/lib/users.js';

export interface InstanceApi {
  baseUrl: string;
  mailApiUrl: string;
}

export interface Member {
  user: SyntheticUser;
  token: string;
  accountId: string;
}

export interface Posted {
  id: string;
  uri: string;
  createdAtMs: number;
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(api: InstanceApi, method: string, path: string, opts: { token?: string; ip?: string; json?: unknown; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.ip) headers['x-forwarded-for'] = opts.ip;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError(res.status, `${method} ${path.replace(/\?.*$/, '')}: ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A confirmed account with a token for `read write follow`. */
export async function signUpMember(api: InstanceApi, user: SyntheticUser): Promise<Member> {
  const ip = user.ip;
  const app = await call<{ client_id: string; client_secret: string }>(api, 'POST', '/api/v1/apps', {
    ip,
    json: { client_name: 'surge-federation', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' },
  });
  const appToken = await call<{ access_token: string }>(api, 'POST', '/oauth/token', {
    ip,
    json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'write' },
  });
  const account = await call<{ access_token: string }>(api, 'POST', '/api/v1/accounts', {
    token: appToken.access_token,
    ip,
    json: { username: user.username, email: user.email, password: user.password, agreement: true, locale: user.locale },
  });
  await fetchOk(await confirmationLink(api.mailApiUrl, user.email));
  const me = await call<{ id: string }>(api, 'GET', '/api/v1/accounts/verify_credentials', { token: account.access_token, ip });
  return { user, token: account.access_token, accountId: me.id };
}

async function fetchOk(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`confirmation link answered ${res.status}`);
}

async function confirmationLink(mailApiUrl: string, address: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; Date.now() < deadline; wait = Math.min(1000, wait * 1.5)) {
    const search = (await (await fetch(`${mailApiUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`)).json()) as { messages: { ID: string }[] };
    const first = search.messages[0];
    if (first) {
      const msg = (await (await fetch(`${mailApiUrl}/api/v1/message/${first.ID}`)).json()) as { Text: string };
      const m = /https?:\/\/\S+\/auth\/confirmation\?confirmation_token=[\w-]+/.exec(msg.Text);
      if (!m) throw new Error(`the confirmation mail to ${address} has no link`);
      return m[0];
    }
    await sleep(wait);
  }
  throw new Error(`no confirmation mail to ${address} within ${timeoutMs / 1000} s`);
}

/** The local id of `acct` (user@domain), resolving it over federation (WebFinger + actor) if new. */
export async function resolveAccount(api: InstanceApi, m: Member, acct: string): Promise<string> {
  const found = await call<{ accounts: { id: string; acct: string }[] }>(api, 'GET', `/api/v2/search?type=accounts&resolve=true&q=${encodeURIComponent(acct)}`, { token: m.token, ip: m.user.ip });
  const id = found.accounts[0]?.id;
  if (!id) throw new Error(`${acct} could not be resolved from ${api.baseUrl}`);
  return id;
}

export async function follow(api: InstanceApi, m: Member, accountId: string): Promise<{ following: boolean; requested: boolean }> {
  return call(api, 'POST', `/api/v1/accounts/${accountId}/follow`, { token: m.token, ip: m.user.ip, json: {} });
}

export async function relationship(api: InstanceApi, m: Member, accountId: string): Promise<{ following: boolean; requested: boolean }> {
  const list = await call<{ following: boolean; requested: boolean }[]>(api, 'GET', `/api/v1/accounts/relationships?id[]=${accountId}`, { token: m.token, ip: m.user.ip });
  return list[0] ?? { following: false, requested: false };
}

export async function postStatus(api: InstanceApi, m: Member, status: string, idempotencyKey: string): Promise<Posted> {
  const s = await call<{ id: string; uri: string; created_at: string }>(api, 'POST', '/api/v1/statuses', {
    token: m.token,
    ip: m.user.ip,
    json: { status, visibility: 'public' },
    headers: { 'idempotency-key': idempotencyKey },
  });
  return { id: s.id, uri: s.uri, createdAtMs: Date.parse(s.created_at) };
}

export async function homeTimeline(api: InstanceApi, m: Member): Promise<{ id: string; uri: string; content: string; account: { acct: string } }[]> {
  return call(api, 'GET', '/api/v1/timelines/home?limit=40', { token: m.token, ip: m.user.ip });
}
