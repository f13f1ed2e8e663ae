// Running scenarios with k6's executor semantics (lib/executor/*.go,
// lib/execution.go). The pure schedules (arrival slots, ramping steps, VU
// plans) come from ../executors; this file turns them into VUs running
// iterations on Node's event loop:
//  - iterations start only before the regular duration ends; running ones
//    get gracefulStop more, then are interrupted (no iterations /
//    iteration_duration samples, counted as interrupted);
//  - arrival-rate executors start iterations at their due times on an idle
//    VU, otherwise count a dropped iteration and start initializing one more
//    VU (one at a time, up to maxVUs, warning once at the cap);
//  - ramping-vus starts and gracefully stops VUs along its raw steps and
//    hard-stops them along its graceful (requirement) steps, LIFO.

import { type ConstantArrivalRateConfig, carMaxVUs, constantArrivalRateDurations, constantArrivalRateSchedule } from '../executors/constant-arrival-rate.js';
import type { ConstantVUsConfig } from '../executors/constant-vus.js';
import { constantVUsDurations, constantVUsPlannedVUs } from '../executors/constant-vus.js';
import { getEndOffset } from '../executors/helpers.js';
import type { ScenarioConfig } from '../executors/index.js';
import { getExec, type ExecutionStep } from '../executors/base.js';
import { type PerVUIterationsConfig, perVUIterationsDurations, perVUIterationsPlan } from '../executors/per-vu-iterations.js';
import {
  type RampingArrivalRateConfig,
  rampingArrivalRateDurations,
  rampingArrivalRateSchedule,
  rarMaxVUs,
} from '../executors/ramping-arrival-rate.js';
import { rampingVUs, type RampingVUsConfig, rampingVUsRawExecutionSteps } from '../executors/ramping-vus.js';
import { type SharedIterationsConfig, sharedIterationsDurations, sharedIterationsPlan } from '../executors/shared-iterations.js';
import type { ArrivalSlot } from '../executors/arrival.js';
import { arrivalVURequirements } from '../executors/arrival.js';
import { type ExecutionTuple, SegmentedIndex } from '../segments.js';
import { now, sleep } from './clock.js';
import { errorText } from './log.js';
import type { Tags } from './metrics.js';
import type { Activation, IterationResult, RunShared, VU } from './vu.js';
import { VU as VUClass } from './vu.js';
import { blockedSinceAsked } from '../k6/http-sync.js';

/** The test-wide run state (k6 lib.ExecutionState). */
export class ExecutionState {
  private readonly vuIds: SegmentedIndex;
  private readonly buffer: VU[] = [];
  private readonly waiters: ((vu: VU) => void)[] = [];
  readonly all: VU[] = [];
  activeVUs = 0;
  fullIterations = 0;
  interruptedIterations = 0;
  /** performance.now() of MarkStarted / MarkEnded. */
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** Raw JSON of setup()'s result, parsed once per VU. */
  setupDataJSON: string | undefined;
  minIterationDurationMs = 0;

  constructor(
    readonly shared: RunShared,
    readonly tuple: ExecutionTuple,
    readonly maxPossibleVUs: number,
  ) {
    this.vuIds = new SegmentedIndex(tuple);
  }

  get initializedVUs(): number {
    return this.all.length;
  }

  testRunDurationMs(): number {
    if (this.startedAt === undefined) return 0;
    return (this.endedAt ?? performance.now()) - this.startedAt;
  }

  /** Initialize a new VU (runs the script's init code); throws on script errors. */
  newVU(): VU {
    const [id, idInTest] = this.vuIds.next();
    const vu = new VUClass(this.shared, id, idInTest);
    vu.init();
    this.all.push(vu);
    return vu;
  }

  initPlanned(n: number): void {
    for (let i = 0; i < n; i++) this.buffer.push(this.newVU());
  }

  /** GetPlannedVU: take an initialized VU from the buffer (FIFO). */
  async getPlannedVU(modifyActive: boolean): Promise<VU> {
    let vu = this.buffer.shift();
    if (!vu) {
      // The plan reserves enough VUs; one may still be on its way back from another scenario.
      vu = await new Promise<VU | undefined>((resolve) => {
        const waiter = (v: VU) => {
          clearTimeout(timer);
          resolve(v);
        };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        }, 5_000);
        this.waiters.push(waiter);
      });
      if (!vu) throw new Error('could not get a VU from the buffer in time');
    }
    if (modifyActive) this.activeVUs++;
    return vu;
  }

  /** GetUnplannedVU: initialize one more VU mid-test (arrival-rate executors). */
  async getUnplannedVU(): Promise<VU> {
    if (this.all.length >= this.maxPossibleVUs) {
      throw new Error(`cannot initialize more than ${this.maxPossibleVUs} VUs`);
    }
    await new Promise((r) => setImmediate(r));
    return this.newVU();
  }

  returnVU(vu: VU, wasActive: boolean): void {
    if (wasActive) this.activeVUs--;
    const w = this.waiters.shift();
    if (w) w(vu);
    else this.buffer.push(vu);
  }

  closeAll(): void {
    for (const vu of this.all) vu.close();
  }
}

/** Test-wide abort (k6's runCtx). */
export class RunControl {
  private readonly controller = new AbortController();
  reason: unknown;
  get aborted(): boolean {
    return this.controller.signal.aborted;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.reason = reason;
    this.controller.abort(reason);
  }
}

export interface ExecutorSnapshot {
  name: string;
  executor: string;
  progress: number;
  state: 'waiting' | 'running' | 'stopping' | 'done';
  activeVUs: number;
  iterations: number;
  dropped: number;
}

function sleepUntil(startPerf: number, offsetMs: number, signal: AbortSignal): Promise<boolean> {
  return sleep(startPerf + offsetMs - performance.now(), signal);
}

/** What every executor runtime shares: durations, interruption, iterations. */
export abstract class ExecutorRun {
  readonly name: string;
  startPerf = 0;
  startWall = 0;
  regularDone = false;
  maxDone = false;
  state: ExecutorSnapshot['state'] = 'waiting';
  iterations = 0;
  dropped = 0;
  protected readonly running = new Set<VU>();
  private readonly iterIndex: SegmentedIndex;
  private readonly stopController = new AbortController();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly config: ScenarioConfig,
    readonly es: ExecutionState,
    readonly control: RunControl,
  ) {
    this.name = config.name;
    this.iterIndex = new SegmentedIndex(es.tuple);
  }

  get shared(): RunShared {
    return this.es.shared;
  }

  /** Aborted test or max duration: nothing may run any more. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  abstract durations(): { regular: number; max: number };
  protected abstract execute(): Promise<void>;
  abstract progress(): number;
  activeVUs(): number {
    return this.running.size;
  }

  async run(): Promise<void> {
    if (this.control.aborted) return;
    const { regular, max } = this.durations();
    this.startPerf = performance.now();
    this.startWall = now();
    this.state = 'running';
    this.timers.push(setTimeout(() => this.onRegularEnd(), regular));
    this.timers.push(setTimeout(() => this.onMaxEnd('gracefulStop'), max));
    const onAbort = () => {
      this.onRegularEnd();
      this.onMaxEnd(this.control.reason);
    };
    this.control.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.execute();
    } finally {
      for (const t of this.timers) clearTimeout(t);
      this.control.signal.removeEventListener('abort', onAbort);
      this.regularDone = true;
      this.maxDone = true;
      this.state = 'done';
    }
  }

  protected onRegularEnd(): void {
    if (this.regularDone) return;
    this.regularDone = true;
    if (!this.maxDone) this.state = 'stopping';
    this.regularEnded();
  }

  /** Hook for executors that wait on the regular end. */
  protected regularEnded(): void {}

  protected onMaxEnd(reason: unknown): void {
    if (this.maxDone) return;
    this.regularDone = true;
    this.maxDone = true;
    this.stopController.abort(reason);
    for (const vu of [...this.running]) vu.interrupt(reason);
  }

  /** k6's getMetricTags(nil): test-wide tags plus the scenario. */
  metricTags(): Tags {
    return { ...this.shared.runTags, scenario: this.name };
  }

  activation(): Activation {
    return {
      scenario: this.name,
      executor: this.config.executor,
      startTime: this.startWall,
      exec: getExec(this.config),
      env: this.config.env,
      tags: this.config.tags,
      progress: () => this.progress(),
      nextIterationCounters: () => {
        const [s, u] = this.iterIndex.next();
        return [s - 1, u - 1];
      },
    };
  }

  protected activate(vu: VU): void {
    vu.activate(this.activation());
  }

  protected dropped_iterations(value: number, tags: Tags = this.metricTags()): void {
    this.dropped += value;
    const m = this.shared.engine.mustGet('dropped_iterations');
    this.shared.engine.add({ metric: m, tags, value, time: now() });
  }

  /** getIterationRunner: run one iteration and book it as full or interrupted. */
  protected async iterate(vu: VU): Promise<IterationResult> {
    this.running.add(vu);
    let r: IterationResult;
    try {
      const data = setupDataFor(vu, this.es.setupDataJSON);
      r = await vu.run(getExec(this.config), [data], { isDefault: true });
    } finally {
      this.running.delete(vu);
    }
    if (blockedSinceAsked()) await new Promise((resolve) => setImmediate(resolve));
    if (!r.full) {
      this.es.interruptedIterations++;
      return r;
    }
    this.es.fullIterations++;
    this.iterations++;
    if (r.error !== undefined) {
      this.shared.logger.error(errorText(r.error), { executor: this.config.executor, scenario: this.name, source: 'stacktrace' });
    }
    // minIterationDuration: sleep off the rest of a full iteration (the VU stays busy).
    const min = this.es.minIterationDurationMs;
    if (min > r.durationMs) {
      this.running.add(vu);
      try {
        await sleep(min - r.durationMs, this.stopSignal);
      } finally {
        this.running.delete(vu);
      }
    }
    return r;
  }
}

/** setup()'s data, JSON-parsed once per VU so VUs never share it. */
export function setupDataFor(vu: VU, json: string | undefined): unknown {
  const cached = vu.moduleState.get('setupData') as { v: unknown } | undefined;
  if (cached) return cached.v;
  const v = json === undefined ? undefined : JSON.parse(json);
  vu.moduleState.set('setupData', { v });
  return v;
}

// ---- iteration-based and looping executors ----------------------------------

class SharedIterationsRun extends ExecutorRun {
  declare readonly config: SharedIterationsConfig;
  private total = 0;
  private attempted = 0;
  durations() {
    return sharedIterationsDurations(this.config);
  }
  progress(): number {
    return this.total === 0 ? 1 : Math.min(1, this.iterations / this.total);
  }
  protected async execute(): Promise<void> {
    const plan = sharedIterationsPlan(this.config, this.es.tuple);
    this.total = plan.iterations;
    const vus: VU[] = [];
    for (let i = 0; i < plan.vus; i++) vus.push(await this.es.getPlannedVU(true));
    await Promise.all(
      vus.map(async (vu) => {
        this.activate(vu);
        while (!this.regularDone) {
          if (++this.attempted > this.total) break;
          await this.iterate(vu);
        }
        vu.deactivate();
        this.es.returnVU(vu, true);
      }),
    );
    const attempted = Math.min(this.attempted, this.total);
    if (attempted < this.total) this.dropped_iterations(this.total - attempted);
  }
}

class PerVUIterationsRun extends ExecutorRun {
  declare readonly config: PerVUIterationsConfig;
  private total = 0;
  durations() {
    return perVUIterationsDurations(this.config);
  }
  progress(): number {
    return this.total === 0 ? 1 : Math.min(1, this.iterations / this.total);
  }
  protected async execute(): Promise<void> {
    const plan = perVUIterationsPlan(this.config, this.es.tuple);
    this.total = plan.vus * plan.iterationsPerVU;
    const vus: VU[] = [];
    for (let i = 0; i < plan.vus; i++) vus.push(await this.es.getPlannedVU(true));
    await Promise.all(
      vus.map(async (vu) => {
        this.activate(vu);
        for (let i = 0; i < plan.iterationsPerVU; i++) {
          if (this.regularDone) {
            this.dropped_iterations(plan.iterationsPerVU - i);
            break;
          }
          await this.iterate(vu);
        }
        vu.deactivate();
        this.es.returnVU(vu, true);
      }),
    );
  }
}

class ConstantVUsRun extends ExecutorRun {
  declare readonly config: ConstantVUsConfig;
  durations() {
    return constantVUsDurations(this.config);
  }
  progress(): number {
    const { regular } = this.durations();
    return regular <= 0 ? 1 : Math.min(1, (performance.now() - this.startPerf) / regular);
  }
  protected async execute(): Promise<void> {
    const n = constantVUsPlannedVUs(this.config, this.es.tuple);
    const vus: VU[] = [];
    for (let i = 0; i < n; i++) vus.push(await this.es.getPlannedVU(true));
    await Promise.all(
      vus.map(async (vu) => {
        this.activate(vu);
        while (!this.regularDone) await this.iterate(vu);
        vu.deactivate();
        this.es.returnVU(vu, true);
      }),
    );
  }
}

/** One slot of ramping-vus (k6 vuHandle): start / graceful stop / hard stop. */
class VUHandle {
  state: 'stopped' | 'running' | 'graceful' = 'stopped';
  private loop: Promise<void> | undefined;
  vu: VU | undefined;

  constructor(private readonly ex: RampingVUsRun) {}

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    if (!this.loop) this.loop = this.run().finally(() => (this.loop = undefined));
  }

  gracefulStop(): void {
    if (this.state === 'running') this.state = 'graceful';
  }

  hardStop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.vu?.interrupt('hard stop');
  }

  wait(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const ex = this.ex;
    const vu = await ex.es.getPlannedVU(true);
    this.vu = vu;
    ex.activeCount++;
    ex.activateVU(vu);
    while (this.state === 'running' && !ex.maxDone) await ex.iterateVU(vu);
    vu.deactivate();
    this.vu = undefined;
    ex.activeCount--;
    ex.es.returnVU(vu, true);
    if (this.state === 'graceful') this.state = 'stopped';
  }
}

class RampingVUsRun extends ExecutorRun {
  declare readonly config: RampingVUsConfig;
  activeCount = 0;
  private rawSteps: ExecutionStep[] = [];
  private gracefulSteps: ExecutionStep[] = [];
  durations() {
    this.rawSteps = rampingVUsRawExecutionSteps(this.config, this.es.tuple, true);
    this.gracefulSteps = rampingVUs.getExecutionRequirements(this.config, this.es.tuple);
    return { regular: getEndOffset(this.rawSteps).offset, max: getEndOffset(this.gracefulSteps).offset };
  }
  progress(): number {
    const regular = getEndOffset(this.rawSteps).offset;
    return regular <= 0 ? 1 : Math.min(1, (performance.now() - this.startPerf) / regular);
  }
  activateVU(vu: VU): void {
    this.activate(vu);
  }
  iterateVU(vu: VU): Promise<IterationResult> {
    return this.iterate(vu);
  }
  protected async execute(): Promise<void> {
    const maxVUs = this.gracefulSteps.reduce((m, s) => Math.max(m, s.plannedVUs), 0);
    const handles = Array.from({ length: maxVUs }, () => new VUHandle(this));
    let curRaw = 0;
    let curGraceful = 0;
    const onRaw = (s: ExecutionStep) => {
      for (; curRaw < s.plannedVUs; curRaw++) handles[curRaw]!.start();
      for (; s.plannedVUs < curRaw; curRaw--) handles[curRaw - 1]!.gracefulStop();
    };
    const onGraceful = (s: ExecutionStep) => {
      for (; s.plannedVUs < curGraceful; curGraceful--) handles[curGraceful - 1]!.hardStop();
      curGraceful = s.plannedVUs;
    };
    const sig = this.control.signal;
    let i = 0;
    let j = 0;
    while (i < this.rawSteps.length && !sig.aborted) {
      const r = this.rawSteps[i]!;
      const g = this.gracefulSteps[j];
      if (g && g.timeOffset < r.timeOffset) {
        if (!(await sleepUntil(this.startPerf, g.timeOffset, sig))) break;
        onGraceful(g);
        j++;
      } else {
        if (!(await sleepUntil(this.startPerf, r.timeOffset, sig))) break;
        onRaw(r);
        i++;
      }
    }
    // As k6 (runRemainingGracefulSteps): the remaining graceful steps hard-stop VUs that are
    // still busy when their time comes, while the run ends as soon as every VU has returned,
    // not at the last graceful step (gracefulRampDown/gracefulStop after the stages).
    const hardStopAll = () => {
      for (const h of handles) h.hardStop();
    };
    if (sig.aborted) hardStopAll();
    sig.addEventListener('abort', hardStopAll, { once: true });
    const vusDone = new AbortController();
    const rest = AbortSignal.any([sig, vusDone.signal]);
    const remaining = (async () => {
      for (; j < this.gracefulSteps.length; j++) {
        const g = this.gracefulSteps[j]!;
        if (!(await sleepUntil(this.startPerf, g.timeOffset, rest))) return;
        onGraceful(g);
      }
    })();
    await Promise.all(handles.map((h) => h.wait()));
    vusDone.abort();
    sig.removeEventListener('abort', hardStopAll);
    await remaining;
  }
  override activeVUs(): number {
    return this.activeCount;
  }
}

// ---- arrival-rate executors ---------------------------------------------------

abstract class ArrivalRateRun extends ExecutorRun {
  private readonly idle: VU[] = [];
  private readonly owned: VU[] = [];
  private allocation: Promise<void> | undefined;
  private warned = false;
  private busy = new Set<Promise<unknown>>();
  protected abstract schedule(): Iterable<ArrivalSlot>;
  protected abstract vuLimits(): { planned: number; maxUnplanned: number };

  protected async execute(): Promise<void> {
    const { planned, maxUnplanned } = this.vuLimits();
    const maxVUs = planned + maxUnplanned;
    let remainingUnplanned = maxUnplanned;
    for (let i = 0; i < planned; i++) {
      const vu = await this.es.getPlannedVU(false);
      this.activate(vu);
      this.owned.push(vu);
      this.idle.push(vu);
    }
    const sig = this.stopSignal;
    for (const slot of this.schedule()) {
      if (this.regularDone) break;
      const delay = this.startPerf + slot.at - performance.now();
      if (delay > 0 && !(await sleep(delay, sig))) break;
      if (this.regularDone) break;
      const vu = this.idle.shift();
      if (vu) {
        this.start(vu);
        continue;
      }
      this.dropped_iterations(1);
      if (remainingUnplanned === 0) {
        if (!this.warned) {
          this.shared.logger.warn(
            `Insufficient VUs, reached ${maxVUs} active VUs and cannot initialize more`,
            { executor: this.config.executor, scenario: this.name },
          );
          this.warned = true;
        }
        continue;
      }
      if (!this.allocation) {
        remainingUnplanned--;
        this.allocation = this.es
          .getUnplannedVU()
          .then((nvu) => {
            if (this.maxDone) {
              this.es.returnVU(nvu, false);
              return;
            }
            this.activate(nvu);
            this.owned.push(nvu);
            this.idle.push(nvu);
          })
          .catch((e) => this.shared.logger.error(`Error while allocating unplanned VU: ${errorText(e)}`))
          .finally(() => (this.allocation = undefined));
      }
    }
    // The executor lasts its whole regular duration even when the schedule
    // runs out earlier (k6 returns on regDurationCtx.Done()).
    if (!this.regularDone) await sleep(this.startPerf + this.durations().regular - performance.now(), sig);
    this.onRegularEnd();
    // No new iterations after the regular duration; wait for running ones (gracefulStop).
    await Promise.all([...this.busy]);
    await this.allocation;
    await Promise.all([...this.busy]);
    for (const vu of this.owned) {
      vu.deactivate();
      this.es.returnVU(vu, false);
    }
  }

  private start(vu: VU): void {
    this.es.activeVUs++;
    const p = this.iterate(vu).then(() => {
      this.es.activeVUs--;
      this.busy.delete(p);
      if (!this.regularDone) this.idle.push(vu);
    });
    this.busy.add(p);
  }

  progress(): number {
    const { regular } = this.durations();
    return regular <= 0 ? 1 : Math.min(1, (performance.now() - this.startPerf) / regular);
  }
}

class ConstantArrivalRateRun extends ArrivalRateRun {
  declare readonly config: ConstantArrivalRateConfig;
  durations() {
    return constantArrivalRateDurations(this.config);
  }
  protected schedule() {
    return constantArrivalRateSchedule(this.config, this.es.tuple);
  }
  protected vuLimits() {
    return arrivalVURequirements(this.config.preAllocatedVUs ?? 0, carMaxVUs(this.config), this.es.tuple);
  }
}

class RampingArrivalRateRun extends ArrivalRateRun {
  declare readonly config: RampingArrivalRateConfig;
  durations() {
    return rampingArrivalRateDurations(this.config);
  }
  protected schedule() {
    return rampingArrivalRateSchedule(this.config, this.es.tuple);
  }
  protected vuLimits() {
    return arrivalVURequirements(this.config.preAllocatedVUs ?? 0, rarMaxVUs(this.config), this.es.tuple);
  }
}

export function createExecutorRun(config: ScenarioConfig, es: ExecutionState, control: RunControl): ExecutorRun {
  switch (config.executor) {
    case 'shared-iterations':
      return new SharedIterationsRun(config, es, control);
    case 'per-vu-iterations':
      return new PerVUIterationsRun(config, es, control);
    case 'constant-vus':
      return new ConstantVUsRun(config, es, control);
    case 'ramping-vus':
      return new RampingVUsRun(config, es, control);
    case 'constant-arrival-rate':
      return new ConstantArrivalRateRun(config, es, control);
    case 'ramping-arrival-rate':
      return new RampingArrivalRateRun(config, es, control);
  }
}

export function snapshotOf(e: ExecutorRun): ExecutorSnapshot {
  return {
    name: e.name,
    executor: e.config.executor,
    progress: e.state === 'waiting' ? 0 : e.progress(),
    state: e.state,
    activeVUs: e.activeVUs(),
    iterations: e.iterations,
    dropped: e.dropped,
  };
}
