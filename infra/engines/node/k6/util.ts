// Small helpers shared by the k6 modules.

import type { Tags } from '../runtime/metrics.js';

/**
 * common.ApplyCustomUserTags: copy `{k: v}` into `tags`; only strings,
 * booleans and numbers are accepted as values.
 */
export function applyUserTags(tags: Tags, kv: unknown): Tags {
  if (kv === null || kv === undefined) return tags;
  if (typeof kv !== 'object') return tags;
  for (const [k, v] of Object.entries(kv as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') tags[k] = String(v);
    else {
      throw new Error(
        `invalid value for metric tag '${k}': only String, Boolean and Number types are accepted as a metric tag values`,
      );
    }
  }
  return tags;
}

/** Bytes of a string (UTF-8), ArrayBuffer or typed array view. */
export function toBytes(v: unknown): Uint8Array {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw new TypeError(`invalid type ${typeof v}, expected string, []byte or ArrayBuffer`);
}

/** A standalone ArrayBuffer with a copy of the bytes. */
export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
}

export function isAsyncFunction(f: unknown): boolean {
  return typeof f === 'function' && f.constructor?.name === 'AsyncFunction';
}
