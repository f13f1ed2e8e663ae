// The `k6` module: check, group, sleep, fail, randomSeed (k6 internal/js/modules/k6/k6.go).

import { GROUP_SEPARATOR, GroupNameError } from '../groups.js';
import { InitContextError, type VU } from '../runtime/vu.js';
import { blockFor, warnIfShared } from './http-sync.js';
import { applyUserTags, isAsyncFunction } from './util.js';

export function createK6Module(vu: VU): object {
  const engine = vu.shared.engine;
  const checks = engine.mustGet('checks');
  const groupDuration = engine.mustGet('group_duration');

  const check = (value: unknown, sets: unknown, tags?: unknown): boolean => {
    if (vu.inInit) throw new InitContextError('Using check() in the init context is not supported');
    if (sets === undefined || sets === null) throw new Error('no checks provided to `check`');
    const t = performance.timeOrigin + performance.now();
    const common = applyUserTags(vu.currentTags(), tags);
    let ok = true;
    for (const name of Object.keys(sets as object)) {
      if (name.includes(GROUP_SEPARATOR)) throw new GroupNameError();
      let v = (sets as Record<string, unknown>)[name];
      if (isAsyncFunction(v)) {
        throw new Error(
          'the built-in check() does not support async functions as arguments. Use the JavaScript utils library as a replacement. ' +
            'Refer to https://grafana.com/docs/k6/latest/javascript-api/jslib/utils/check/ for more info',
        );
      }
      let exc: unknown;
      let threw = false;
      if (typeof v === 'function') {
        try {
          v = (v as (x: unknown) => unknown)(value);
        } catch (e) {
          v = false;
          exc = e;
          threw = true;
        }
      }
      const pass = Boolean(v);
      if (!pass) ok = false;
      vu.emit(checks, pass ? 1 : 0, { ...common, check: name }, t);
      if (threw) throw exc;
    }
    return ok;
  };

  // k6 rejects async callbacks in group(); the Node runner's scripts are async
  // throughout, so async callbacks are supported: the group tag stays on the
  // VU until the returned promise settles, and group_duration covers it.
  const group = (name: unknown, fn: unknown): unknown => {
    if (vu.inInit) throw new InitContextError('Using group() in the init context is not supported');
    if (typeof fn !== 'function') throw new Error('group() requires a callback as a second argument');
    const old = vu.enterGroup(String(name));
    const t0 = performance.now();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      vu.emit(groupDuration, performance.now() - t0, vu.currentTags());
      vu.leaveGroup(old);
    };
    let ret: unknown;
    try {
      ret = (fn as () => unknown)();
    } catch (e) {
      finish();
      throw e;
    }
    if (ret !== null && typeof ret === 'object' && typeof (ret as PromiseLike<unknown>).then === 'function') {
      return (ret as PromiseLike<unknown>).then(
        (v) => {
          finish();
          return v;
        },
        (e: unknown) => {
          finish();
          throw e;
        },
      );
    }
    finish();
    return ret;
  };

  // k6's sleep blocks the VU's runtime; here it blocks this thread (./http-sync.ts).
  const sleep = (secs?: unknown): void => {
    warnIfShared(vu, 'sleep()');
    blockFor(Number(secs) * 1000);
  };

  const fail = (msg?: unknown): never => {
    throw new Error(msg === undefined ? '' : String(msg));
  };

  const randomSeed = (seed: unknown): void => {
    vu.seedRandom(Number(seed));
  };

  return { check, group, sleep, fail, randomSeed };
}
