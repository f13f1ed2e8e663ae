// The few admin API calls a rehearsal makes on an instance: find an account,
// suspend it, delete it (Mastodon deletes only suspended accounts). Requests
// carry the token in a header only; errors never include it. A 429 waits for
// the window's end (X-RateLimit-Reset), as the admin token has Mastodon's
// 300 requests per 5 minutes like any other.

export class AdminApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface AdminClientOptions {
  baseUrl: string;
  token: string;
  /** Longest wait for a throttle window to end. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export function adminClient(o: AdminClientOptions) {
  const sleep = o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const maxWait = o.maxWaitMs ?? 5 * 60_000;

  async function call(method: string, path: string, body?: Record<string, string>): Promise<{ status: number; json: unknown }> {
    for (;;) {
      const res = await fetch(`${o.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body: new URLSearchParams(body).toString() } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 429) {
        const reset = Date.parse(res.headers.get('x-ratelimit-reset') ?? '');
        const wait = Number.isFinite(reset) ? Math.max(1000, reset - now()) : 60_000;
        if (wait > maxWait) throw new AdminApiError(`${method} ${path}: throttled for ${Math.round(wait / 1000)} s, longer than the ${Math.round(maxWait / 1000)} s allowed`, 429);
        await sleep(wait);
        continue;
      }
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: the status says enough
      }
      return { status: res.status, json };
    }
  }

  const fail = (what: string, r: { status: number; json: unknown }) =>
    new AdminApiError(`${what}: HTTP ${r.status}${(r.json as { error?: string } | null)?.error ? ` (${(r.json as { error: string }).error})` : ''}`, r.status);

  return {
    /** The local account's id, or undefined when there is none. */
    async lookup(username: string): Promise<string | undefined> {
      const r = await call('GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(username)}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw fail(`lookup ${username}`, r);
      return String((r.json as { id: string }).id);
    },
    async suspend(id: string): Promise<void> {
      // No warning mail: the synthetic addresses do not exist.
      const r = await call('POST', `/api/v1/admin/accounts/${encodeURIComponent(id)}/action`, { type: 'suspend', send_email_notification: 'false', text: 'mastodon-surge cleanup of a synthetic rehearsal account' });
      if (r.status !== 200) throw fail(`suspend account ${id}`, r);
    },
    /** POST /api/v1/admin/measures (daily figures; Mastodon caches them for 5 minutes). */
    async measures(keys: string[], startAt: string, endAt: string): Promise<unknown> {
      const body: Record<string, string> = { start_at: startAt, end_at: endAt };
      const form = new URLSearchParams(body);
      for (const k of keys) form.append('keys[]', k);
      const r = await call('POST', `/api/v1/admin/measures?${form.toString()}`);
      if (r.status !== 200) throw fail('admin measures', r);
      return r.json;
    },
    /** Mastodon answers at once and removes the data in the background (AccountDeletionWorker). */
    async delete(id: string): Promise<'deleted' | 'not-found'> {
      const r = await call('DELETE', `/api/v1/admin/accounts/${encodeURIComponent(id)}`);
      if (r.status === 404) return 'not-found';
      if (r.status !== 200) throw fail(`delete account ${id}`, r);
      return 'deleted';
    },
  };
}

export type AdminClient = ReturnType<typeof adminClient>;
