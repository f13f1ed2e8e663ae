import { describe, expect, it } from 'vitest';
import {
  assertValidScenarios,
  ConfigError,
  getExecutionPlanSummary,
  getFullExecutionRequirements,
  parseScenarioConfig,
  parseScenarios,
  validateScenarios,
} from '../../infra/engines/node/executors/index.js';
import { perVUIterationsPlan } from '../../infra/engines/node/executors/per-vu-iterations.js';
import { definitionOf } from '../../infra/engines/node/executors/index.js';
import { sharedIterationsPlan } from '../../infra/engines/node/executors/shared-iterations.js';
import { constantVUsPlannedVUs } from '../../infra/engines/node/executors/constant-vus.js';
import type { ConstantVUsConfig } from '../../infra/engines/node/executors/constant-vus.js';
import type { SharedIterationsConfig } from '../../infra/engines/node/executors/shared-iterations.js';
import type { PerVUIterationsConfig } from '../../infra/engines/node/executors/per-vu-iterations.js';
import { ExecutionSegmentSequence, ExecutionTuple } from '../../infra/engines/node/segments.js';

const parse = (raw: Record<string, unknown>, name = 'sc') => parseScenarioConfig(name, raw);
const errorsOf = (raw: Record<string, unknown>, name = 'sc') => {
  const c = parse(raw, name);
  return definitionOf(c).validate(c);
};
const tuplesOf = (seq: string) => {
  const s = ExecutionSegmentSequence.parse(seq);
  return s.segments.map((seg) => ExecutionTuple.create(seg, s));
};

describe('decoding scenarios', () => {
  it('applies k6 defaults', () => {
    expect(parse({ executor: 'shared-iterations' })).toMatchObject({
      vus: 1,
      iterations: 1,
      maxDuration: 600_000,
      gracefulStop: 30_000,
      startTime: 0,
      exec: undefined,
    });
    expect(parse({ executor: 'per-vu-iterations' })).toMatchObject({ vus: 1, iterations: 1, maxDuration: 600_000 });
    expect(parse({ executor: 'constant-vus', duration: '1m' })).toMatchObject({ vus: 1, duration: 60_000 });
    expect(parse({ executor: 'ramping-vus', stages: [{ duration: '10s', target: 5 }] })).toMatchObject({
      startVUs: 1,
      gracefulRampDown: 30_000,
    });
    expect(parse({ executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 3 })).toMatchObject({
      timeUnit: 1000,
      maxVUs: undefined,
    });
    expect(parse({ executor: 'ramping-arrival-rate', stages: [], preAllocatedVUs: 1 })).toMatchObject({
      startRate: 0,
      timeUnit: 1000,
    });
  });

  it('accepts durations as strings or milliseconds and ints as numeric strings', () => {
    expect(parse({ executor: 'constant-vus', vus: '3', duration: 1500, gracefulStop: '2s', startTime: '1m30s' })).toMatchObject({
      vus: 3,
      duration: 1500,
      gracefulStop: 2000,
      startTime: 90_000,
    });
  });

  it('rejects unknown keys like DisallowUnknownFields, first in input order', () => {
    expect(() => parse({ executor: 'constant-vus', duration: '1m', vu: 3, foo: 1 })).toThrow('json: unknown field "vu"');
    expect(() => parse({ executor: 'ramping-vus', stages: [{ duration: '1s', target: 1, extra: true }] })).toThrow(
      'json: unknown field "extra"',
    );
    expect(() => parse({ executor: 'constant-vus', vus: 1.5 })).toThrow(
      'json: cannot unmarshal number 1.5 into Go value of type int64',
    );
    expect(() => parse({ executor: 'constant-vus', duration: 'soon' })).toThrow('time: invalid duration "soon"');
  });

  it('rejects unknown or missing executors', () => {
    expect(() => parse({ executor: 'externally-controlled' })).toThrow("unknown executor type 'externally-controlled'");
    expect(() => parse({ vus: 1 }, 'x')).toThrow("scenario 'x' doesn't have a specified executor type");
    try {
      parse({ executor: 'nope' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).exitCode).toBe(104);
    }
  });
});

describe('validation messages (k6 wording)', () => {
  it('common keys and scenario names', () => {
    expect(errorsOf({ executor: 'shared-iterations', startTime: '-1s', gracefulStop: -5, exec: '' }, 'bad name')).toEqual([
      'the scenario name should contain only numbers, latin letters, underscores, and dashes',
      'exec value cannot be empty',
      "the startTime can't be negative",
      "the gracefulStop timeout can't be negative",
    ]);
    expect(errorsOf({ executor: 'shared-iterations' }, 'ok_Name-1')).toEqual([]);
  });

  it('per executor', () => {
    expect(errorsOf({ executor: 'shared-iterations', vus: 5, iterations: 2, maxDuration: '500ms' })).toEqual([
      "the number of iterations (2) can't be less than the number of VUs (5)",
      'the maxDuration must be at least 1s, but is 500ms',
    ]);
    expect(errorsOf({ executor: 'per-vu-iterations', vus: 0, iterations: 0 })).toEqual([
      'the number of VUs must be more than 0',
      'the number of iterations must be more than 0',
    ]);
    expect(errorsOf({ executor: 'constant-vus' })).toEqual(['the duration is unspecified']);
    expect(errorsOf({ executor: 'constant-vus', duration: '0.5s', vus: 0 })).toEqual([
      'the number of VUs must be more than 0',
      'the duration must be at least 1s, but is 500ms',
    ]);
    expect(errorsOf({ executor: 'ramping-vus' })).toEqual(['at least one stage has to be specified']);
    expect(errorsOf({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '12s', target: 0 }] })).toEqual([
      "either startVUs or one of the stages' target values must be greater than 0",
    ]);
    expect(errorsOf({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s' }, { target: 1 }] })).toEqual([
      "stage 1 doesn't have a target",
      "stage 2 doesn't have a duration",
    ]);
    expect(errorsOf({ executor: 'ramping-vus', startVUs: 100_000_001, stages: [{ duration: '1s', target: 100_000_002 }] })).toEqual([
      'the startVUs exceed max limit of 100000000',
      'target for stage 1 exceeds max limit of 100000000',
    ]);
    expect(errorsOf({ executor: 'constant-arrival-rate' })).toEqual([
      "the iteration rate isn't specified",
      'the duration is unspecified',
      "the number of preAllocatedVUs isn't specified",
    ]);
    expect(
      errorsOf({ executor: 'constant-arrival-rate', rate: 0, timeUnit: 0, duration: '1m', preAllocatedVUs: 5, maxVUs: 2 }),
    ).toEqual(['the iteration rate must be more than 0', 'the timeUnit must be more than 0', "maxVUs can't be less than preAllocatedVUs"]);
    expect(
      errorsOf({ executor: 'ramping-arrival-rate', startRate: -1, stages: [{ duration: '-1s', target: -2 }], preAllocatedVUs: -1 }),
    ).toEqual([
      "the startRate value can't be negative",
      "the duration for stage 1 can't be negative",
      "the target for stage 1 can't be negative",
      "the number of preAllocatedVUs can't be negative",
    ]);
  });

  it('combines errors like k6 (exit 104)', () => {
    const scenarios = parseScenarios({ a: { executor: 'constant-vus' }, b: { executor: 'shared-iterations' } })!;
    expect(validateScenarios(scenarios)).toEqual(['scenario a has configuration errors: the duration is unspecified']);
    expect(() => assertValidScenarios(scenarios)).toThrow(
      'There were problems with the specified script configuration:\n\t- scenario a has configuration errors: the duration is unspecified',
    );
  });
});

describe('VU and iteration shares under segments', () => {
  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1'])('sum exactly to the totals for %s', (seq) => {
    for (const [vus, iterations] of [
      [1, 1],
      [2, 7],
      [10, 100],
      [7, 1000],
      [13, 13],
    ] as const) {
      const si = parse({ executor: 'shared-iterations', vus, iterations }) as SharedIterationsConfig;
      const pv = parse({ executor: 'per-vu-iterations', vus, iterations }) as PerVUIterationsConfig;
      const cv = parse({ executor: 'constant-vus', vus, duration: '1m' }) as ConstantVUsConfig;
      const ts = tuplesOf(seq);
      const shares = ts.map((t) => sharedIterationsPlan(si, t));
      expect(shares.reduce((a, s) => a + s.vus, 0)).toBe(vus);
      expect(shares.reduce((a, s) => a + s.iterations, 0)).toBe(iterations);
      // An instance without VUs never gets shared iterations.
      for (const s of shares) if (s.vus === 0) expect(s.iterations).toBe(0);
      expect(ts.reduce((a, t) => a + perVUIterationsPlan(pv, t).vus, 0)).toBe(vus);
      expect(ts.map((t) => perVUIterationsPlan(pv, t).iterationsPerVU)).toEqual(ts.map(() => iterations));
      expect(ts.reduce((a, t) => a + constantVUsPlannedVUs(cv, t), 0)).toBe(vus);
    }
  });
});

describe('execution requirements', () => {
  it('merges executors by startTime and reports max VUs and max duration (incl. gracefulStop)', () => {
    const scenarios = parseScenarios({
      warm: { executor: 'constant-vus', vus: 5, duration: '1m', gracefulStop: '10s' },
      spike: {
        executor: 'ramping-arrival-rate',
        startTime: '30s',
        preAllocatedVUs: 10,
        maxVUs: 50,
        stages: [{ duration: '1m', target: 100 }],
      },
      once: { executor: 'shared-iterations', startTime: '2m', vus: 2, iterations: 2, maxDuration: '5s', gracefulStop: 0 },
    })!;
    const et = ExecutionTuple.create();
    expect(getFullExecutionRequirements(scenarios, et)).toEqual([
      { timeOffset: 0, plannedVUs: 5, maxUnplannedVUs: 0 },
      { timeOffset: 30_000, plannedVUs: 15, maxUnplannedVUs: 40 },
      { timeOffset: 70_000, plannedVUs: 10, maxUnplannedVUs: 40 },
      // Same offset: k6 applies steps in (startTime, name) order, so the spike ends first.
      { timeOffset: 120_000, plannedVUs: 0, maxUnplannedVUs: 0 },
      { timeOffset: 120_000, plannedVUs: 2, maxUnplannedVUs: 0 },
      { timeOffset: 125_000, plannedVUs: 0, maxUnplannedVUs: 0 },
    ]);
    expect(getExecutionPlanSummary(scenarios, et)).toMatchObject({ maxVUs: 55, maxDuration: 125_000 });
  });

  it('describes executors like k6', () => {
    const et = ExecutionTuple.create();
    const d = (raw: Record<string, unknown>) => {
      const c = parse(raw);
      return definitionOf(c).getDescription(c, et);
    };
    expect(d({ executor: 'constant-vus', vus: 10, duration: '30s' })).toBe('10 looping VUs for 30s (gracefulStop: 30s)');
    expect(d({ executor: 'shared-iterations', vus: 2, iterations: 10 })).toBe(
      '10 iterations shared among 2 VUs (maxDuration: 10m0s, gracefulStop: 30s)',
    );
    expect(d({ executor: 'constant-arrival-rate', rate: 30, duration: '1m', preAllocatedVUs: 2, maxVUs: 5 })).toBe(
      '30.00 iterations/s for 1m0s (maxVUs: 2-5, gracefulStop: 30s)',
    );
  });
});
