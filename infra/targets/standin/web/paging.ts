import type { Params } from './params.js';
import { str } from './params.js';

// Mastodon's id-based pagination: max_id and since_id are exclusive bounds on a
// newest-first list; min_id returns the page just above it, still newest first.

export interface Page {
  maxId: string | undefined;
  sinceId: string | undefined;
  minId: string | undefined;
  limit: number;
}

const ID = /^\d{1,19}$/;

export function page(p: Params, limit: number): Page {
  const id = (k: string) => {
    const v = str(p, k);
    return v && ID.test(v) ? v : undefined;
  };
  return { maxId: id('max_id'), sinceId: id('since_id'), minId: id('min_id'), limit };
}

export interface LinkOptions {
  /**
   * Whether rel="next" is offered. Timelines and notifications always offer it;
   * account statuses and follower lists only after a full page
   * (Mastodon's records_continue?), so a client stops without asking for an empty page.
   */
  more?: boolean;
  /** The bound rel="prev" carries: min_id, or since_id on follower lists. */
  prevKey?: 'min_id' | 'since_id';
}

/** Link header with rel="next" (older) and rel="prev" (newer), keeping the caller's other parameters. */
export function linkHeader(url: string, query: Params, ids: string[], opts: LinkOptions = {}): string | undefined {
  if (ids.length === 0) return undefined;
  const make = (key: 'max_id' | 'min_id' | 'since_id', value: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (['max_id', 'min_id', 'since_id', 'access_token'].includes(k)) continue;
      if (typeof v === 'string') q.set(k, v);
      // Array filters (notifications' types[], exclude_types[]) stay on both links, as in Mastodon.
      else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') q.append(k.endsWith('[]') ? k : `${k}[]`, x);
    }
    q.set(key, value);
    return `<${url}?${q.toString()}>`;
  };
  const prev = `${make(opts.prevKey ?? 'min_id', ids[0]!)}; rel="prev"`;
  return opts.more === false ? prev : `${make('max_id', ids[ids.length - 1]!)}; rel="next", ${prev}`;
}
