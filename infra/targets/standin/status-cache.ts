import type { Redis } from 'ioredis';
import { decodePieces, encodePieces, type StatusPieces } from './web/render.js';

// Rendered statuses in Redis, as Mastodon's cache_collection keeps them in
// Rails.cache: read for a whole page in one MGET, written for the misses, and
// deleted by whatever changes what they show (counts, text). Deletions need no
// call here: readers check that the statuses still exist (Mastodon's cache_ids).
// Entries expire like Rails.cache's, so a missed invalidation heals by itself.

const TTL_SEC = 600;

export const STATUS_CACHE_PREFIX = 'cache:statuses/';
export const statusCacheKey = (id: string) => `${STATUS_CACHE_PREFIX}${id}`;

/** The usable entries among raw cache values read for `ids` (same order). */
export function decodeCached(ids: string[], raw: (string | null)[]): Map<string, StatusPieces> {
  const out = new Map<string, StatusPieces>();
  for (let i = 0; i < ids.length; i++) {
    const p = raw[i] ? decodePieces(ids[i]!, raw[i]!) : undefined;
    if (p) out.set(p.id, p);
  }
  return out;
}

export async function readCachedStatuses(redis: Redis, ids: string[]): Promise<Map<string, StatusPieces>> {
  return ids.length === 0 ? new Map() : decodeCached(ids, await redis.mget(ids.map(statusCacheKey)));
}

export async function writeCachedStatuses(redis: Redis, pieces: StatusPieces[]): Promise<void> {
  if (pieces.length === 0) return;
  const m = redis.multi();
  for (const p of pieces) m.set(statusCacheKey(p.id), encodePieces(p), 'EX', TTL_SEC);
  await m.exec();
}

/** Call after changing a status's counts or content, before answering, so the next read shows it. */
export async function expireStatuses(redis: Redis, ids: string[]): Promise<void> {
  if (ids.length > 0) await redis.del(...ids.map(statusCacheKey));
}
