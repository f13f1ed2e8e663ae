// https://jslib.k6.io/k6-utils/*: the helpers k6's examples import from it
// (randomIntBetween, randomItem, randomString, uuidv4, findBetween). The
// machine may have no network, so the runner provides them instead of
// fetching the jslib; they draw from the VU's Math.random, as the jslib does,
// so randomSeed() makes them repeatable.

import { randomUUID } from 'node:crypto';
import type { VU } from '../runtime/vu.js';

export const JSLIB_UTILS_RE = /^https?:\/\/jslib\.k6\.io\/k6-utils\//;

export function createJslibUtilsModule(vu: VU): object {
  const random = () => vu.math.random();
  const randomIntBetween = (min: number, max: number): number => Math.floor(random() * (max - min + 1) + min);
  const randomItem = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const randomString = (length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string => {
    let s = '';
    for (let i = 0; i < length; i++) s += charset.charAt(Math.floor(random() * charset.length));
    return s;
  };
  const uuidv4 = (secure = false): string => {
    if (secure) return randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
      const r = Math.floor(random() * 16);
      return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
    });
  };
  /** The text between the first `left` and the next `right` (every such text with `repeat`). */
  const findBetween = (content: string, left: string, right: string, repeat = false): string | string[] | null => {
    const found: string[] = [];
    let from = 0;
    for (;;) {
      const start = content.indexOf(left, from);
      if (start === -1) break;
      const end = content.indexOf(right, start + left.length);
      if (end === -1) break;
      found.push(content.slice(start + left.length, end));
      if (!repeat) break;
      from = end + right.length;
    }
    return repeat ? found : (found[0] ?? null);
  };
  return { randomIntBetween, randomItem, randomString, uuidv4, findBetween };
}
