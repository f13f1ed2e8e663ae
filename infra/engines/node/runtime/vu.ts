// A virtual user: one module instance of the script (its own top-level
// state), its iteration counters and tags, and the event-loop scope of the
// iteration it is running. Everything shared by the VUs of one run lives in
// RunShared.

import { vuCrypto } from '../k6/webcrypto.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { groupPath as joinGroupPath, ROOT_GROUP_PATH } from '../groups.js';
import { createModule, isSupportedModule, UnsupportedModuleError } from '../k6/index.js';
import { now } from './clock.js';
import { IterationScope, type ScopeEnd } from './event-loop.js';
import type { Logger } from './log.js';
import type { Metric, MetricsEngine, Tags } from './metrics.js';
import type { Program } from './script.js';

/** Hooks into the run for k6/execution and friends. */
export interface ExecHooks {
  /** exec.test.abort(): stop the whole test (exit 108). */
  abort(reason: string): void;
  /** exec.test.fail(): mark the test as failed (exit 110), keep running. */
  markFailed(reason: string): void;
  testRunDurationMs(): number;
  fullIterations(): number;
  interruptedIterations(): number;
  activeVUs(): number;
  initializedVUs(): number;
  /** The consolidated options as exec.test.options shows them. */
  optionsObject(): Record<string, unknown>;
}

/** Per-run HTTP/runtime options the modules read. */
export interface ModuleOptions {
  maxRedirects: number;
  discardResponseBodies: boolean;
  userAgent: string;
  throw: boolean;
  noCookiesReset: boolean;
  noConnectionReuse: boolean;
  noVUConnectionReuse: boolean;
  insecureSkipTLSVerify: boolean;
  hosts: Record<string, string>;
}

export interface RunShared {
  program: Program;
  engine: MetricsEngine;
  logger: Logger;
  options: ModuleOptions;
  /** Test-wide tags (options.tags, --tag). */
  runTags: Tags;
  /** `-e` values (and system env where allowed). */
  baseEnv: Record<string, string>;
  sharedArrays: Map<string, unknown>;
  exec: ExecHooks;
}

/** What an executor gives a VU when it activates it for a scenario. */
export interface Activation {
  scenario: string;
  executor: string;
  /** Unix ms of the executor start. */
  startTime: number;
  exec: string;
  env: Record<string, string> | undefined;
  tags: Record<string, string> | undefined;
  progress(): number;
  /** Next (local, global) 0-based iteration numbers of the scenario. */
  nextIterationCounters(): [number, number];
}

export interface IterationResult {
  /** false when interrupted (no iterations/iteration_duration samples). */
  full: boolean;
  error?: unknown;
  value?: unknown;
  durationMs: number;
}

export class InitContextError extends Error {}

let timerIds = 0;

export class VU {
  /** __VU: 1-based within this instance; 0 for service VUs. */
  readonly id: number;
  readonly idInTest: number;
  /** 0-based iteration number, per VU, never reset across scenarios; -1 before the first. */
  iteration = -1;
  env: Record<string, string>;
  private ownTags: Tags;
  /** baseTags() by group, as of the current tags. */
  private readonly frozenTags = new Map<string, Tags>();
  group: string = ROOT_GROUP_PATH;
  inInit = true;
  exports: Record<string, unknown> = {};
  scope: IterationScope | undefined;
  activation: Activation | undefined;
  scenarioIter = new Map<string, number>();
  scIterLocal = 0;
  scIterGlobal = 0;
  /** Bytes for data_sent / data_received, flushed at the end of every iteration. */
  readonly io = { sent: 0, received: 0 };
  /** Per-VU module state (e.g. k6/http's agent and response callback). */
  readonly moduleState = new Map<string, unknown>();
  private readonly modules = new Map<string, unknown>();
  private readonly timers = new Map<number, IterationScope>();
  private readonly onClose: (() => void)[] = [];
  /** Called after every iteration (e.g. noVUConnectionReuse closes connections). */
  readonly onIterationEnd = new Set<() => void>();
  /** The script's `Math`: shared functions, but a per-VU `random` that randomSeed() can seed. */
  readonly math: Math = Object.create(Math) as Math;

  constructor(
    readonly shared: RunShared,
    id: number,
    idInTest: number,
  ) {
    this.id = id;
    this.idInTest = idInTest;
    this.env = { ...shared.baseEnv };
    this.ownTags = { ...shared.runTags };
  }

  /** The VU's tags (test + scenario + exec.vu.tags); call tagsChanged() after changing one in place. */
  get tags(): Tags {
    return this.ownTags;
  }
  set tags(t: Tags) {
    this.ownTags = t;
    this.frozenTags.clear();
  }

  tagsChanged(): void {
    this.frozenTags.clear();
  }

  /** What the script sees as __ITER: undefined until the first iteration, as in k6. */
  get iter(): number | undefined {
    return this.iteration < 0 ? undefined : this.iteration;
  }

  get isService(): boolean {
    return this.id === 0;
  }

  get logger(): Logger {
    return this.shared.logger;
  }

  /** Run the script's init code for this VU (throws on script errors). */
  init(): void {
    const program = this.shared.program;
    const module = { exports: {} as Record<string, unknown> };
    const meta = {
      url: program.url,
      resolve: (spec: string) => new URL(spec, program.url).href,
    };
    // Each VU has its own global object in k6; here it inherits Node's, with the VU's own crypto.
    const vuGlobal = Object.create(globalThis, { crypto: { value: vuCrypto(this), enumerable: true } }) as typeof globalThis;
    program.factory(
      (id: string) => this.require(id),
      module,
      module.exports,
      this,
      meta,
      (p: string, mode?: string) => this.open(p, mode),
      this.makeConsole(),
      (cb: unknown, ms?: number, ...args: unknown[]) => this.setTimer(cb, ms, args, false),
      (id: unknown) => this.clearTimer(id),
      (cb: unknown, ms?: number, ...args: unknown[]) => this.setTimer(cb, ms, args, true),
      (id: unknown) => this.clearTimer(id),
      vuGlobal,
      this.math,
      vuGlobal,
      vuGlobal.crypto,
    );
    this.exports = module.exports;
    this.inInit = false;
  }

  require(id: string): unknown {
    const cached = this.modules.get(id);
    if (cached !== undefined) return cached;
    if (!isSupportedModule(id)) throw new UnsupportedModuleError(id);
    const m = createModule(id, this);
    this.modules.set(id, m);
    return m;
  }

  /** open(path[, "b"]): init context only; relative to the script's folder. */
  open(p: string, mode?: string): string | ArrayBuffer {
    if (!this.inInit) throw new InitContextError('The "open()" function is only available in the init stage (i.e. the global scope), see https://grafana.com/docs/k6/latest/using-k6/test-lifecycle for more information');
    if (typeof p !== 'string' || p === '') throw new TypeError('open() can\'t be used with an empty filename');
    const file = p.startsWith('file://') ? fileURLToPath(p) : path.resolve(this.shared.program.dir, p);
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new Error(`open ${file}: no such file or directory`);
      throw e;
    }
    if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    return buf.toString('utf8');
  }

  fileUrl(p: string): string {
    return pathToFileURL(path.resolve(this.shared.program.dir, p)).href;
  }

  private makeConsole() {
    const out = (level: 'debug' | 'info' | 'warning' | 'error') =>
      (...args: unknown[]) => this.logger.log(level, args.map(consoleArg).join(' '), { source: 'console' });
    return {
      log: out('info'),
      info: out('info'),
      debug: out('debug'),
      warn: out('warning'),
      error: out('error'),
      trace: out('debug'),
    };
  }

  // ---- timers (global setTimeout & co, and k6/timers) ---------------------

  setTimer(cb: unknown, ms: number | undefined, args: unknown[], repeat: boolean): number {
    if (typeof cb !== 'function') throw new TypeError('setTimeout/setInterval requires a function as the first argument');
    const scope = this.scope;
    if (!scope) {
      if (this.inInit) throw new InitContextError('timers in the init context are not supported by the Node runner');
      return 0; // a stale callback after its iteration ended: never fires
    }
    const id = ++timerIds;
    const delay = Math.max(0, Number(ms) || 0);
    const fire = () => {
      if (!scope.active) return;
      if (!repeat) scope.removeTimer(id);
      try {
        (cb as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        scope.fail(e);
        return;
      }
      scope.check();
    };
    const handle = repeat ? setInterval(fire, delay) : setTimeout(fire, delay);
    scope.addTimer(id, handle);
    this.timers.set(id, scope);
    return id;
  }

  clearTimer(id: unknown): void {
    const n = Number(id);
    const scope = this.timers.get(n);
    if (!scope) return;
    this.timers.delete(n);
    scope.clearTimer(n);
  }

  // ---- samples -------------------------------------------------------------

  /** Current tags: test tags + scenario tags + user VU tags + group (a copy to change). */
  currentTags(): Tags {
    return { ...this.ownTags, group: this.group };
  }

  /** currentTags() as one frozen object shared until the tags or the group change. */
  baseTags(): Tags {
    let t = this.frozenTags.get(this.group);
    if (t === undefined) {
      t = Object.freeze({ ...this.ownTags, group: this.group });
      this.frozenTags.set(this.group, t);
    }
    return t;
  }

  /** True while samples from this VU should be recorded. */
  canEmit(): boolean {
    return this.scope !== undefined && this.scope.active;
  }

  emit(metric: Metric, value: number, tags: Tags, time = now()): void {
    if (!this.canEmit()) return;
    this.shared.engine.push(metric, tags, value, time);
  }

  /** Emit regardless of the iteration scope (end-of-iteration samples). */
  emitAlways(metric: Metric, value: number, tags: Tags, time = now()): void {
    this.shared.engine.push(metric, tags, value, time);
  }

  /** The current iteration scope; throws in the init context. */
  requireScope(what: string): IterationScope {
    if (this.scope) return this.scope;
    if (this.inInit) throw new InitContextError(`${what} in the init context is not supported`);
    // Called from a callback of an iteration that has already ended: a
    // scope that is already over, so nothing it starts will complete.
    const dead = new IterationScope();
    dead.interrupt('iteration ended');
    return dead;
  }

  // ---- groups -------------------------------------------------------------

  enterGroup(name: string): string {
    const old = this.group;
    this.group = joinGroupPath(old, name);
    return old;
  }

  leaveGroup(old: string): void {
    this.group = old;
  }

  // ---- activation and iterations ------------------------------------------

  activate(a: Activation): void {
    this.activation = a;
    this.env = { ...this.shared.baseEnv, ...(a.env ?? {}) };
    // Deliberately drops tags of earlier activations, as k6 does.
    this.tags = { ...this.shared.runTags, ...(a.tags ?? {}), scenario: a.scenario };
    this.group = ROOT_GROUP_PATH;
  }

  deactivate(): void {
    this.interrupt('deactivated');
    this.activation = undefined;
  }

  /** Interrupt the running iteration, if any (gracefulStop/abort/ramp-down). */
  interrupt(reason: unknown): void {
    this.scope?.interrupt(reason);
  }

  /**
   * Run one iteration of the activation's exec function (isDefault) or a
   * lifecycle function (setup/teardown/handleSummary with the given group).
   */
  async run(
    fnName: string,
    args: unknown[],
    opts: { isDefault: boolean; group?: string; tags?: Tags } = { isDefault: true },
  ): Promise<IterationResult> {
    const fn = this.exports[fnName];
    if (typeof fn !== 'function') throw new Error(`function '${fnName}' not found in exports`);
    if (opts.isDefault) {
      this.iteration++;
      const a = this.activation;
      if (a) {
        this.scenarioIter.set(a.scenario, this.scenarioIter.has(a.scenario) ? this.scenarioIter.get(a.scenario)! + 1 : 0);
        [this.scIterLocal, this.scIterGlobal] = a.nextIterationCounters();
      }
    }
    this.group = opts.group ?? ROOT_GROUP_PATH;
    if (opts.tags) this.tags = { ...opts.tags };
    if (!this.shared.options.noCookiesReset) this.moduleState.delete('cookieJar');
    const scope = new IterationScope();
    this.scope = scope;
    const t0 = performance.now();
    scope.start(() => (fn as (...a: unknown[]) => unknown)(...args));
    const end: ScopeEnd = await scope.ended;
    if (this.scope === scope) this.scope = undefined;
    const endTime = now();
    const durationMs = performance.now() - t0;
    const tags = this.baseTags();
    this.group = opts.group !== undefined ? opts.group : ROOT_GROUP_PATH;
    // data_sent / data_received go out after every iteration, even interrupted ones.
    const engine = this.shared.engine;
    this.emitAlways(engine.mustGet('data_sent'), this.io.sent, tags, endTime);
    this.emitAlways(engine.mustGet('data_received'), this.io.received, tags, endTime);
    this.io.sent = 0;
    this.io.received = 0;
    for (const fn of this.onIterationEnd) fn();
    const full = end.kind !== 'interrupted';
    if (full && opts.isDefault) {
      this.emitAlways(engine.mustGet('iteration_duration'), durationMs, tags, endTime);
      this.emitAlways(engine.mustGet('iterations'), 1, tags, endTime);
    }
    if (end.kind === 'error') return { full, error: end.error, durationMs };
    if (end.kind === 'interrupted') return { full, error: end.reason, durationMs };
    return { full, value: end.value, durationMs };
  }

  /** k6's randomSeed(): a seeded Math.random for this VU (mulberry32, not Go's source). */
  seedRandom(seed: number): void {
    let a = Math.trunc(seed) >>> 0;
    (this.math as { random: () => number }).random = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Register a cleanup for when the VU is discarded. */
  addCloser(fn: () => void): void {
    this.onClose.push(fn);
  }

  close(): void {
    this.interrupt('closed');
    for (const fn of this.onClose.splice(0)) {
      try {
        fn();
      } catch {
        // ignore
      }
    }
  }
}

function consoleArg(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.stack ?? String(a);
  if (a === undefined) return 'undefined';
  if (typeof a === 'function') return `[function ${a.name}]`;
  if (a !== null && typeof a === 'object') {
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  }
  return String(a);
}
