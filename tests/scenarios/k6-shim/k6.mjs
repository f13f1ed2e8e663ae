import { addSample, state } from './state.mjs';

export function check(value, sets, tags) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    let ok = false;
    try {
      ok = Boolean(typeof fn === 'function' ? fn(value) : fn);
    } catch {
      ok = false;
    }
    const c = (state.checks[name] ??= { passes: 0, fails: 0 });
    if (ok) c.passes++;
    else c.fails++;
    addSample('checks', 'rate', ok, { check: name, ...tags });
    all &&= ok;
  }
  return all;
}

export function group(name, fn) {
  return fn();
}

export function sleep() {
  throw new Error('k6 shim: sleep() blocks the VU; scenarios must use sleepAsync()');
}

export function fail(message) {
  throw new Error(message);
}

export default { check, group, sleep, fail };
