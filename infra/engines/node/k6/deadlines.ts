// Request timeouts on one coarse timer: arming and clearing a Node timer for
// every request costs more than checking the few in-flight deadlines every
// TICK_MS. A timeout therefore fires up to TICK_MS late, well inside the
// noise of a request that already waited its whole `timeout`.

export const TICK_MS = 10;

export interface Expirable {
  /** performance.now() ms at which onExpire runs. */
  deadline: number;
  onExpire(): void;
}

const armed = new Set<Expirable>();
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  const now = performance.now();
  for (const e of armed) {
    if (e.deadline > now) continue;
    armed.delete(e);
    e.onExpire();
  }
  if (armed.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

export function arm(e: Expirable): void {
  armed.add(e);
  timer ??= setInterval(tick, TICK_MS);
}

export function disarm(e: Expirable): void {
  armed.delete(e);
}
