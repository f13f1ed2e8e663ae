// A small typed Mastodon client for k6 scenarios. Async only (http.asyncRequest):
// blocking HTTP holds up its VU's whole thread on the Node runner, which then
// needs a process per VU, while async VUs share one process.
// Every request carries a `name` tag per endpoint ('POST /api/v1/accounts') and
// `target:mastodon`; every call runs one check named '<name> is <status>' and
// returns the parsed body together with the raw Response.
import { check } from 'k6';
import http, { type Params, type Response } from 'k6/http';
import { headerValue, parseLinkHeader, queryString, rebaseUrl, type PageCursor, type Query } from './links.js';
import { throttledRequests } from './metrics.js';
import { TARGET_MASTODON, TARGET_TAG } from './slo.js';

export interface MastodonOptions {
  /** Base URL of the instance, no trailing slash. */
  baseUrl: string;
  /** X-Forwarded-Proto on every request ('' = none). Real Puma behind nginx answers plain-HTTP requests with a redirect to https. */
  forwardedProto?: string;
  /**
   * Treat 429 as an expected answer (a throttle rehearsal): it passes the
   * check and is not counted by http_req_failed. Otherwise a 429 fails both.
   */
  acceptThrottled?: boolean;
  /** Per-request timeout (k6 default 60s). */
  timeout?: string;
}

/** Who is calling: a bearer token, and the client IP to present as X-Forwarded-For. */
export interface Caller {
  token?: string;
  ip?: string;
}

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  /** Parsed JSON body when ok, else undefined. */
  data: T | undefined;
  /** Mastodon's `error` text when not ok, if any. */
  error: string | undefined;
  throttled: boolean;
  res: Response;
}

export interface PageResult<T> extends ApiResult<T[]> {
  next: PageCursor | undefined;
  prev: PageCursor | undefined;
}

export interface App {
  id: string;
  name: string;
  client_id: string;
  client_secret: string;
  scopes?: string[];
}

export interface Token {
  access_token: string;
  token_type: string;
  scope: string;
  created_at: number;
}

export interface Account {
  id: string;
  username: string;
  acct: string;
  display_name?: string;
  followers_count?: number;
  following_count?: number;
  statuses_count?: number;
}

export interface Status {
  id: string;
  created_at: string;
  content: string;
  visibility: string;
  account: Account;
  reblog?: Status | null;
  favourited?: boolean;
  reblogged?: boolean;
}

export interface Relationship {
  id: string;
  following: boolean;
  requested?: boolean;
}

export interface Notification {
  id: string;
  type: string;
  created_at: string;
  account?: Account;
  status?: Status | null;
}

export interface Instance {
  uri: string;
  title: string;
  version: string;
  registrations: boolean;
  approval_required: boolean;
  /** Where the streaming API is (`wss://host`, or the streaming server's own host and port). */
  urls?: { streaming_api?: string };
}

export interface RequestSpec {
  caller?: Caller | undefined;
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Statuses that pass the check; default [200]. 'success' = any 2xx/3xx. */
  expect?: number[] | 'success';
  /** Follow redirects? default k6's (10). */
  redirects?: number;
  /** Parse the body as JSON when ok; default true. */
  parse?: boolean;
}

export interface SignUpParams {
  username: string;
  email: string;
  password: string;
  locale?: string;
  agreement?: boolean;
  reason?: string;
  dateOfBirth?: string;
}

export interface PostParams {
  status: string;
  visibility?: 'public' | 'unlisted' | 'private' | 'direct';
  inReplyToId?: string;
  language?: string;
  /** Mastodon's Idempotency-Key: a retried post with the same key returns the first one. */
  idempotencyKey?: string;
}

export interface TimelineParams extends PageCursor {
  limit?: number;
  local?: boolean;
}

function okStatus(status: number, expect: number[] | 'success'): boolean {
  return expect === 'success' ? status >= 200 && status < 400 : expect.includes(status);
}

function errorText(res: Response): string | undefined {
  try {
    const body = res.json() as unknown;
    if (body && typeof body === 'object' && 'error' in body) return String((body as { error: unknown }).error);
  } catch {
    // not JSON
  }
  return typeof res.body === 'string' && res.body.length > 0 ? res.body.slice(0, 200) : undefined;
}

export class Mastodon {
  readonly baseUrl: string;
  private readonly forwardedProto: string;
  private readonly acceptThrottled: boolean;
  private readonly timeout: string | undefined;
  // Created on first use so runners without expectedStatuses() are unaffected unless asked.
  private throttleCallback: Params['responseCallback'];

  constructor(opts: MastodonOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.forwardedProto = opts.forwardedProto ?? 'https';
    this.acceptThrottled = opts.acceptThrottled ?? false;
    this.timeout = opts.timeout;
  }

  /** One request to the instance; `name` is the endpoint's tag, e.g. 'GET /api/v1/timelines/home'. */
  async request<T>(method: string, path: string, name: string, spec: RequestSpec = {}): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...spec.headers };
    if (this.forwardedProto) headers['X-Forwarded-Proto'] = this.forwardedProto;
    if (spec.caller?.ip) headers['X-Forwarded-For'] = spec.caller.ip;
    if (spec.caller?.token) headers.Authorization = `Bearer ${spec.caller.token}`;
    let body: string | Record<string, string> | null = null;
    if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form !== undefined) {
      body = spec.form;
    }
    const params: Params = {
      headers,
      tags: { name, [TARGET_TAG]: TARGET_MASTODON },
    };
    if (spec.redirects !== undefined) params.redirects = spec.redirects;
    if (this.timeout) params.timeout = this.timeout;
    if (this.acceptThrottled) {
      this.throttleCallback ??= http.expectedStatuses({ min: 200, max: 399 }, 429);
      params.responseCallback = this.throttleCallback;
    }
    const url = `${this.baseUrl}${path}${queryString(spec.query)}`;
    const res = await http.asyncRequest(method, url, body, params);

    const expect = spec.expect ?? [200];
    const throttled = res.status === 429;
    const ok = okStatus(res.status, expect);
    if (throttled) throttledRequests.add(1, { name });
    const want = expect === 'success' ? '2xx/3xx' : expect.join('/');
    if (this.acceptThrottled && !ok) {
      check(res, { [`${name} is ${want} (or 429)`]: () => throttled });
    } else {
      check(res, { [`${name} is ${want}`]: () => ok });
    }
    let data: T | undefined;
    if (ok && spec.parse !== false) {
      try {
        data = res.json() as unknown as T;
      } catch {
        data = undefined;
      }
    }
    return { ok, status: res.status, data, error: ok ? undefined : errorText(res), throttled, res };
  }

  private async page<T>(path: string, name: string, caller: Caller | undefined, query: Query): Promise<PageResult<T>> {
    const r = await this.request<T[]>('GET', path, name, { caller, query });
    const links = parseLinkHeader(headerValue(r.res.headers, 'Link'));
    return { ...r, data: Array.isArray(r.data) ? r.data : r.ok ? [] : undefined, next: links.next, prev: links.prev };
  }

  // -- OAuth and signup ------------------------------------------------------

  /** POST /api/v1/apps (throttled 5 per 10 min per IP). Register every scope the app's users will need. */
  registerApp(p: { clientName: string; scopes: string; redirectUris?: string; website?: string; ip?: string }): Promise<ApiResult<App>> {
    return this.request<App>('POST', '/api/v1/apps', 'POST /api/v1/apps', {
      caller: p.ip ? { ip: p.ip } : undefined,
      json: {
        client_name: p.clientName,
        redirect_uris: p.redirectUris ?? 'urn:ietf:wg:oauth:2.0:oob',
        scopes: p.scopes,
        ...(p.website ? { website: p.website } : {}),
      },
    });
  }

  /** POST /oauth/token, grant client_credentials: an app token (no user) for account creation. */
  clientCredentialsToken(p: { clientId: string; clientSecret: string; scope: string; ip?: string }): Promise<ApiResult<Token>> {
    return this.request<Token>('POST', '/oauth/token', 'POST /oauth/token', {
      caller: p.ip ? { ip: p.ip } : undefined,
      json: { grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret, scope: p.scope },
    });
  }

  /**
   * POST /api/v1/accounts with an app token (scope write or write:accounts).
   * Throttled 5 per 30 min per client IP, so each newcomer presents its own
   * (X-Forwarded-For; believed only from a trusted proxy such as loopback).
   * 200 → the new user's token; it works once the address is confirmed.
   */
  signUp(appToken: string, p: SignUpParams, ip?: string): Promise<ApiResult<Token>> {
    return this.request<Token>('POST', '/api/v1/accounts', 'POST /api/v1/accounts', {
      caller: { token: appToken, ...(ip ? { ip } : {}) },
      json: {
        username: p.username,
        email: p.email,
        password: p.password,
        agreement: p.agreement ?? true,
        locale: p.locale ?? 'en',
        ...(p.reason ? { reason: p.reason } : {}),
        ...(p.dateOfBirth ? { date_of_birth: p.dateOfBirth } : {}),
      },
    });
  }

  /**
   * Follows a confirmation link from a mail, re-rooted on baseUrl, without
   * following the redirect (Devise answers 302 to the sign-in page).
   */
  confirmEmail(link: string, caller?: Caller): Promise<ApiResult<unknown>> {
    return this.request('GET', rebaseUrl(link, this.baseUrl).slice(this.baseUrl.length), 'GET /auth/confirmation', {
      caller,
      expect: 'success',
      redirects: 0,
      parse: false,
      headers: { Accept: 'text/html' },
    });
  }

  // -- The signed-in user ----------------------------------------------------

  /** GET /api/v1/accounts/verify_credentials: also what makes a new user "active" for fan-out. */
  verifyCredentials(caller: Caller): Promise<ApiResult<Account>> {
    return this.request<Account>('GET', '/api/v1/accounts/verify_credentials', 'GET /api/v1/accounts/verify_credentials', { caller });
  }

  postStatus(caller: Caller, p: PostParams): Promise<ApiResult<Status>> {
    return this.request<Status>('POST', '/api/v1/statuses', 'POST /api/v1/statuses', {
      caller,
      headers: p.idempotencyKey ? { 'Idempotency-Key': p.idempotencyKey } : {},
      json: {
        status: p.status,
        visibility: p.visibility ?? 'public',
        ...(p.inReplyToId ? { in_reply_to_id: p.inReplyToId } : {}),
        ...(p.language ? { language: p.language } : {}),
      },
    });
  }

  favourite(caller: Caller, statusId: string): Promise<ApiResult<Status>> {
    return this.request<Status>('POST', `/api/v1/statuses/${encodeURIComponent(statusId)}/favourite`, 'POST /api/v1/statuses/:id/favourite', { caller });
  }

  reblog(caller: Caller, statusId: string): Promise<ApiResult<Status>> {
    return this.request<Status>('POST', `/api/v1/statuses/${encodeURIComponent(statusId)}/reblog`, 'POST /api/v1/statuses/:id/reblog', {
      caller,
      json: { visibility: 'public' },
    });
  }

  follow(caller: Caller, accountId: string): Promise<ApiResult<Relationship>> {
    return this.request<Relationship>('POST', `/api/v1/accounts/${encodeURIComponent(accountId)}/follow`, 'POST /api/v1/accounts/:id/follow', {
      caller,
      json: {},
    });
  }

  homeTimeline(caller: Caller, p: TimelineParams = {}): Promise<PageResult<Status>> {
    return this.page<Status>('/api/v1/timelines/home', 'GET /api/v1/timelines/home', caller, {
      limit: p.limit,
      max_id: p.max_id,
      since_id: p.since_id,
      min_id: p.min_id,
    });
  }

  /** The public timeline; `caller` may be omitted (anonymous, throttled per IP). */
  publicTimeline(caller: Caller | undefined, p: TimelineParams = {}): Promise<PageResult<Status>> {
    return this.page<Status>('/api/v1/timelines/public', 'GET /api/v1/timelines/public', caller, {
      local: p.local ? true : undefined,
      limit: p.limit,
      max_id: p.max_id,
      since_id: p.since_id,
      min_id: p.min_id,
    });
  }

  notifications(caller: Caller, p: TimelineParams = {}): Promise<PageResult<Notification>> {
    return this.page<Notification>('/api/v1/notifications', 'GET /api/v1/notifications', caller, {
      limit: p.limit,
      max_id: p.max_id,
      since_id: p.since_id,
      min_id: p.min_id,
    });
  }

  // -- Anonymous -------------------------------------------------------------

  instance(caller?: Caller): Promise<ApiResult<Instance>> {
    return this.request<Instance>('GET', '/api/v1/instance', 'GET /api/v1/instance', { caller });
  }

  /** GET /api/v1/accounts/lookup: 200 if the username exists here, 404 if not (both pass the check). */
  async lookup(acct: string, caller?: Caller): Promise<ApiResult<Account>> {
    const r = await this.request<Account>('GET', '/api/v1/accounts/lookup', 'GET /api/v1/accounts/lookup', {
      caller,
      query: { acct },
      expect: [200, 404],
    });
    return r.status === 200 ? r : { ...r, data: undefined };
  }
}
