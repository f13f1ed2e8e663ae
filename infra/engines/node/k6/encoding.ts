// k6/encoding: b64encode / b64decode.

import type { VU } from '../runtime/vu.js';
import { toArrayBuffer, toBytes } from './util.js';

type Enc = 'std' | 'rawstd' | 'url' | 'rawurl';

function encoding(e: unknown): Enc {
  if (e === undefined || e === null || e === '') return 'std';
  if (e === 'std' || e === 'rawstd' || e === 'url' || e === 'rawurl') return e;
  throw new Error(`unsupported base64 encoding: ${String(e)}`);
}

export function b64encode(input: unknown, enc?: unknown): string {
  const e = encoding(enc);
  const b = Buffer.from(toBytes(input));
  let s = b.toString(e === 'url' || e === 'rawurl' ? 'base64url' : 'base64');
  if (e === 'url') s += '='.repeat((4 - (s.length % 4)) % 4);
  if (e === 'rawstd') s = s.replace(/=+$/, '');
  return s;
}

export function b64decode(input: unknown, enc?: unknown, format?: unknown): string | ArrayBuffer {
  const e = encoding(enc);
  const s = String(input);
  const valid = e === 'std' || e === 'rawstd' ? /^[A-Za-z0-9+/]*={0,2}$/ : /^[A-Za-z0-9_-]*={0,2}$/;
  if (!valid.test(s)) throw new Error(`illegal base64 data at input byte ${s.search(/[^A-Za-z0-9+/_=-]/)}`);
  const b = Buffer.from(s, e === 'url' || e === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return b.toString('utf8');
  return toArrayBuffer(b);
}

export function createEncodingModule(_vu: VU): object {
  return { b64encode, b64decode };
}
