import { Pool } from 'undici';

// JSON calls to the stand-in over one keep-alive pool, with the headers a load
// generator behind a proxy would send (Bearer token, X-Forwarded-For).

export interface CallOptions {
  token?: string;
  ip?: string;
  body?: Record<string, unknown>;
}

export interface CallResult<T = any> {
  status: number;
  data: T;
  ms: number;
}

export class Api {
  readonly pool: Pool;

  constructor(readonly baseUrl: string, connections: number) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  async call<T = any>(method: 'GET' | 'POST', path: string, o: CallOptions = {}): Promise<CallResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.ip) headers['x-forwarded-for'] = o.ip;
    if (o.body) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const res = await this.pool.request({ method, path, headers, body: o.body ? JSON.stringify(o.body) : undefined });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      // HTML or plain text (redirects, /health): keep the text.
    }
    return { status: res.statusCode, data: data as T, ms };
  }

  /** Like call, but a non-2xx answer is an error naming the call. */
  async ok<T = any>(method: 'GET' | 'POST', path: string, o: CallOptions = {}): Promise<T> {
    const r = await this.call<T>(method, path, o);
    if (r.status < 200 || r.status >= 300) {
      throw new Error(`${method} ${path} answered ${r.status}: ${typeof r.data === 'string' ? r.data : JSON.stringify(r.data)}`.slice(0, 500));
    }
    return r.data;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs fn over items with at most `concurrency` in flight; fails on the first error. */
export async function eachLimit<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** A distinct client address per index in 198.18.0.0/15 (RFC 2544's benchmarking range). */
export function benchIp(i: number): string {
  const n = i + 1;
  if (n >= 1 << 17) throw new Error('out of benchmark addresses');
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}
