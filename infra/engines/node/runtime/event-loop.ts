// One iteration's share of a VU's event loop (k6 internal/js/eventloop).
// k6 ends an iteration when the function has returned and no callback is
// registered any more: pending timers and in-flight requests keep it alive;
// a promise that nothing can settle does not. The first error (a throw, a
// rejected returned promise, a throwing timer callback) ends it at once and
// cancels whatever was still pending.
//
// Node runs every VU on one event loop, so "pending" is counted per scope:
// every k6 operation (timer, request, socket) registers with the scope that
// was current when it started. When a scope ends (finished, failed or
// interrupted) its timers are cleared, its AbortSignal fires, and operations
// that complete later are dropped: their promises never settle and their
// samples are not emitted, like k6's PushIfNotDone after the context is done.

export type ScopeEnd =
  | { kind: 'done'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'interrupted'; reason: unknown };

export class IterationScope {
  active = true;
  pending = 0;
  private controller: AbortController | undefined;
  // Made on first use: most iterations never set a timer, and a request's canceller comes and goes.
  private cancelers: Set<(reason: unknown) => void> | undefined;
  private timers: Map<number, NodeJS.Timeout> | undefined;
  private settled = false;
  private value: unknown;
  private checkQueued = false;
  private resolveEnd!: (e: ScopeEnd) => void;
  readonly ended: Promise<ScopeEnd>;

  constructor() {
    this.ended = new Promise((r) => (this.resolveEnd = r));
  }

  get signal(): AbortSignal {
    if (!this.controller) this.controller = new AbortController();
    return this.controller.signal;
  }

  /** Start the iteration function and watch its result. */
  start(run: () => unknown): void {
    let result: unknown;
    try {
      result = run();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (v) => {
          this.settled = true;
          this.value = v;
          this.check();
        },
        (e) => this.fail(e, true),
      );
    } else {
      this.settled = true;
      this.value = result;
    }
    this.check();
  }

  /** Queue an end-of-iteration check after the current microtasks drain. */
  check(): void {
    if (!this.active || this.pending > 0 || this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      if (!this.active || this.pending > 0) return;
      // k6: nothing registered any more, so the iteration is over, even if
      // the returned promise is still pending (nothing could settle it).
      this.end({ kind: 'done', value: this.settled ? this.value : undefined });
    });
  }

  /** An uncaught error ends the iteration immediately. */
  fail(error: unknown, rejection = false): void {
    if (!this.active) return;
    this.end({ kind: 'error', error: rejection ? new UncaughtRejection(error) : error });
  }

  interrupt(reason: unknown): void {
    if (!this.active) return;
    this.end({ kind: 'interrupted', reason });
  }

  private end(e: ScopeEnd): void {
    this.active = false;
    if (this.timers) {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    }
    // A normal end has nothing pending, so nothing to cancel (and no costly AbortError to build).
    if (e.kind !== 'done' || this.pending > 0) {
      const reason = e.kind === 'interrupted' ? e.reason : e.kind === 'error' ? e.error : undefined;
      for (const fn of [...(this.cancelers ?? [])]) {
        try {
          fn(reason);
        } catch {
          // a canceller must not break the others
        }
      }
      this.controller?.abort(reason ?? new Error('iteration ended'));
    }
    this.cancelers?.clear();
    this.resolveEnd(e);
  }

  /** Call `fn` if the scope ends with work still pending; returns an unregister function. */
  onCancel(fn: (reason: unknown) => void): () => void {
    const set = (this.cancelers ??= new Set());
    set.add(fn);
    return () => set.delete(fn);
  }

  // ---- timers ------------------------------------------------------------

  addTimer(id: number, handle: NodeJS.Timeout): void {
    (this.timers ??= new Map()).set(id, handle);
    this.pending++;
  }

  /** A timeout fired (or an interval was cleared): it no longer keeps the loop alive. */
  removeTimer(id: number): boolean {
    const h = this.timers?.get(id);
    if (!h) return false;
    this.timers!.delete(id);
    this.pending--;
    return true;
  }

  hasTimer(id: number): boolean {
    return this.timers?.has(id) ?? false;
  }

  clearTimer(id: number): void {
    const h = this.timers?.get(id);
    if (!h) return;
    clearTimeout(h); // clears intervals too
    this.removeTimer(id);
    this.check();
  }

  // ---- operations --------------------------------------------------------

  /**
   * Run an async operation that keeps the iteration alive until it settles.
   * If the scope has ended by then, the returned promise never settles.
   */
  track<T>(op: (scope: IterationScope) => Promise<T>): Promise<T> {
    this.pending++;
    return new Promise<T>((resolve, reject) => {
      let p: Promise<T>;
      try {
        p = op(this);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (v) => {
          this.pending--;
          if (!this.active) return;
          resolve(v);
          this.check();
        },
        (e) => {
          this.pending--;
          if (!this.active) return;
          reject(e);
          this.check();
        },
      );
    });
  }

  /** Register a long-lived callback source (e.g. an open socket); call the result once to release it. */
  hold(): () => void {
    this.pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pending--;
      this.check();
    };
  }
}

/** k6's "Uncaught (in promise) …" error for a rejected iteration promise. */
export class UncaughtRejection extends Error {
  constructor(readonly reason: unknown) {
    const text =
      reason instanceof Error ? (reason.stack ?? String(reason)) : typeof reason === 'string' ? reason : safeString(reason);
    super(`Uncaught (in promise) ${text}`);
    this.name = 'UncaughtRejection';
    this.stack = this.message; // the reason's own stack is already in the message
  }
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
