// k6/data: SharedArray. fn runs once per name for the whole run; elements
// are kept as JSON and handed out as fresh copies; the array is read-only.

import type { VU } from '../runtime/vu.js';

interface Stored {
  json: string[];
}

function sharedArray(vu: VU, name: unknown, fn: unknown): unknown {
  if (!vu.inInit) throw new Error('new SharedArray must be called in the init context');
  const n = String(name ?? '');
  if (n === '') throw new Error("empty name provided to SharedArray's constructor");
  if (typeof fn !== 'function') throw new Error("a function is expected as the second argument of SharedArray's constructor");
  let stored = vu.shared.sharedArrays.get(n) as Stored | undefined;
  if (!stored) {
    const arr = (fn as () => unknown)();
    if (!Array.isArray(arr)) throw new Error('only arrays can be made into SharedArray');
    stored = { json: arr.map((el) => JSON.stringify(el) ?? 'null') };
    vu.shared.sharedArrays.set(n, stored);
  }
  const json = stored.json;
  const at = (i: number) => (i >= 0 && i < json.length ? JSON.parse(json[i]!) : undefined);
  const target: unknown[] = [];
  return new Proxy(target, {
    get(_t, prop, receiver) {
      if (prop === 'length') return json.length;
      if (typeof prop === 'string' && /^(0|[1-9]\d*)$/.test(prop)) return at(Number(prop));
      if (prop === Symbol.iterator) {
        return function* () {
          for (let i = 0; i < json.length; i++) yield at(i);
        };
      }
      const m = (Array.prototype as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof m === 'function') return (...args: unknown[]) => (m as (...a: unknown[]) => unknown).apply(receiver, args);
      return undefined;
    },
    set() {
      throw new TypeError('SharedArray is read-only');
    },
    has(_t, prop) {
      if (typeof prop === 'string' && /^(0|[1-9]\d*)$/.test(prop)) return Number(prop) < json.length;
      return prop === 'length';
    },
    ownKeys() {
      return [...json.keys()].map(String).concat('length');
    },
    getOwnPropertyDescriptor(_t, prop) {
      if (prop === 'length') return { value: json.length, writable: true, enumerable: false, configurable: false };
      if (typeof prop === 'string' && /^(0|[1-9]\d*)$/.test(prop) && Number(prop) < json.length) {
        return { value: at(Number(prop)), writable: false, enumerable: true, configurable: true };
      }
      return undefined;
    },
  });
}

export function createDataModule(vu: VU): object {
  function SharedArray(name: unknown, fn: unknown) {
    return sharedArray(vu, name, fn);
  }
  return { SharedArray };
}
