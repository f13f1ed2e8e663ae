// k6/execution (k6 internal/js/modules/k6/execution/execution.go).

import type { VU } from '../runtime/vu.js';

const INIT_SCENARIO = 'getting scenario information outside of the VU context is not supported';
const INIT_INSTANCE = 'getting instance information in the init context is not supported';
const INIT_VU = 'getting VU information in the init context is not supported';
const INIT_OPTIONS = 'getting test options in the init context is not supported';

/** Thrown by exec.test.abort() to unwind the script; the run is already aborting. */
export class TestAbortError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TestAbortError';
  }
}

function accessors(props: Record<string, () => unknown>): object {
  const o = {};
  for (const [k, get] of Object.entries(props)) Object.defineProperty(o, k, { get, enumerable: true, configurable: false });
  return o;
}

function tagValue(k: string, v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TypeError(`invalid value for metric tag '${k}': only String, Boolean and Number types are accepted as a metric tag values`);
}

export function createExecutionModule(vu: VU): object {
  const hooks = vu.shared.exec;
  const scenarioState = () => {
    const a = vu.activation;
    if (!a || vu.inInit) throw new Error(INIT_SCENARIO);
    return a;
  };
  const scenario = accessors({
    name: () => scenarioState().scenario,
    executor: () => scenarioState().executor,
    startTime: () => Math.trunc(scenarioState().startTime),
    progress: () => scenarioState().progress(),
    iterationInInstance: () => (scenarioState(), vu.scIterLocal),
    iterationInTest: () => (scenarioState(), vu.scIterGlobal),
  });
  const instance = accessors({
    currentTestRunDuration: () => hooks.testRunDurationMs(),
    iterationsCompleted: () => hooks.fullIterations(),
    iterationsInterrupted: () => hooks.interruptedIterations(),
    vusActive: () => hooks.activeVUs(),
    vusInitialized: () => hooks.initializedVUs(),
  });
  const tagsProxy = new Proxy({} as Record<string, string>, {
    get: (_t, k) => (typeof k === 'string' ? vu.tags[k] : undefined),
    set: (_t, k, v) => {
      if (typeof k !== 'string') return false;
      try {
        vu.tags[k] = tagValue(k, v);
        vu.tagsChanged();
      } catch (e) {
        vu.logger.warn((e as Error).message);
      }
      return true;
    },
    deleteProperty: (_t, k) => {
      if (typeof k === 'string') {
        delete vu.tags[k];
        vu.tagsChanged();
      }
      return true;
    },
    has: (_t, k) => typeof k === 'string' && Object.hasOwn(vu.tags, k),
    ownKeys: () => Object.keys(vu.tags),
    getOwnPropertyDescriptor: (_t, k) =>
      typeof k === 'string' && Object.hasOwn(vu.tags, k)
        ? { value: vu.tags[k], writable: true, enumerable: true, configurable: true }
        : undefined,
  });
  const metadata: Record<string, string> = {};
  const vuInfo = accessors({
    idInInstance: () => vu.id,
    idInTest: () => vu.idInTest,
    iterationInInstance: () => Math.max(vu.iteration, 0),
    iterationInScenario: () => (vu.activation ? (vu.scenarioIter.get(vu.activation.scenario) ?? 0) : 0),
    tags: () => tagsProxy,
    metrics: () => ({ tags: tagsProxy, metadata }),
  });
  let optionsObject: Record<string, unknown> | undefined;
  const test = accessors({
    abort: () => (msg?: unknown) => {
      const reason = msg === undefined || msg === null ? 'test aborted' : `test aborted: ${String(msg)}`;
      hooks.abort(reason);
      throw new TestAbortError(reason);
    },
    fail: () => (msg?: unknown) => {
      if (vu.inInit) throw new Error('execution.test.fail() called outside of VU context');
      const reason = msg === undefined || msg === null ? 'test marked as failed' : `test marked as failed: ${String(msg)}`;
      vu.logger.error(reason);
      hooks.markFailed(reason);
    },
    options: () => {
      if (vu.inInit) throw new Error(INIT_OPTIONS);
      optionsObject ??= deepFreeze(hooks.optionsObject());
      return optionsObject;
    },
  });
  const mod = {};
  Object.defineProperties(mod, {
    scenario: { get: () => scenario, enumerable: true },
    instance: {
      get: () => {
        if (vu.inInit) throw new Error(INIT_INSTANCE);
        return instance;
      },
      enumerable: true,
    },
    vu: {
      get: () => {
        if (vu.inInit) throw new Error(INIT_VU);
        return vuInfo;
      },
      enumerable: true,
    },
    test: { get: () => test, enumerable: true },
  });
  return mod;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
