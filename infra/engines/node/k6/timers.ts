// k6/timers: the same per-VU timers as the globals.

import type { VU } from '../runtime/vu.js';

export function createTimersModule(vu: VU): object {
  return {
    setTimeout: (cb: unknown, ms?: number, ...args: unknown[]) => vu.setTimer(cb, ms, args, false),
    clearTimeout: (id: unknown) => vu.clearTimer(id),
    setInterval: (cb: unknown, ms?: number, ...args: unknown[]) => vu.setTimer(cb, ms, args, true),
    clearInterval: (id: unknown) => vu.clearTimer(id),
  };
}
