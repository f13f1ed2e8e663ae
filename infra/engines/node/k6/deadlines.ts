// Request timeouts on one coarse timer: arming and clearing a Node timer for
// every request costs more than checking the few in-flight deadlines every
// TICK_MS. A timeout therefore fires up to TICK_MS late, well inside the
// noise of a request that already waited its whole `timeout`. The armed
// entries form an intrusive list, so arming and disarming allocate nothing.

export const TICK_MS = 10;

export abstract class Expirable {
  /** performance.now() ms at which onExpire runs. */
  deadline = 0;
  prevArmed: Expirable | undefined;
  nextArmed: Expirable | undefined;
  armed = false;
  abstract onExpire(): void;
}

let head: Expirable | undefined;
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  const now = performance.now();
  for (let e = head; e; ) {
    const next = e.nextArmed;
    if (e.deadline <= now) {
      disarm(e);
      e.onExpire();
    }
    e = next;
  }
  if (!head && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

export function arm(e: Expirable): void {
  if (e.armed) return;
  e.armed = true;
  e.prevArmed = undefined;
  e.nextArmed = head;
  if (head) head.prevArmed = e;
  head = e;
  timer ??= setInterval(tick, TICK_MS);
}

export function disarm(e: Expirable): void {
  if (!e.armed) return;
  e.armed = false;
  if (e.prevArmed) e.prevArmed.nextArmed = e.nextArmed;
  else head = e.nextArmed;
  if (e.nextArmed) e.nextArmed.prevArmed = e.prevArmed;
  e.prevArmed = e.nextArmed = undefined;
}
