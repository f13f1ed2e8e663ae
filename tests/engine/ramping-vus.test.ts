import { describe, expect, it } from 'vitest';
import {
  newRampingVUsConfig,
  type RampingVUsConfig,
  rampingVUs,
  rampingVUsDurations,
  rampingVUsRawExecutionSteps,
} from '../../infra/engines/node/executors/ramping-vus.js';
import { ExecutionSegmentSequence, ExecutionTuple } from '../../infra/engines/node/segments.js';

function conf(startVUs: number, stages: [number, number][], extra: Record<string, unknown> = {}): RampingVUsConfig {
  const r = newRampingVUsConfig('test', {
    executor: 'ramping-vus',
    startVUs,
    stages: stages.map(([target, seconds]) => ({ target, duration: `${seconds}s` })),
    ...extra,
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
/** [seconds, vus] pairs, the way k6's tests list ExecutionSteps. */
const steps = (s: { timeOffset: number; plannedVUs: number }[]) => s.map((x) => [x.timeOffset / 1000, x.plannedVUs]);
const et = (seg?: string, seq?: string) => ExecutionTuple.fromStrings(seg, seq);

// The stage plan of k6's TestRampingVUsConfigExecutionPlanExample.
const EXAMPLE: [number, number][] = [
  [6, 2],
  [1, 5],
  [5, 4],
  [1, 4],
  [4, 3],
  [4, 2],
  [1, 0],
  [1, 3],
];

describe('ramping-vus raw execution steps', () => {
  it('k6 TestRampingVUsConfigExecutionPlanExample: floor going up, ceil going down, 0s stages jump', () => {
    const c = conf(4, EXAMPLE);
    const raw = [
      [0, 4], [1, 5], [2, 6], [3, 5], [4, 4], [5, 3], [6, 2], [7, 1], [8, 2], [9, 3],
      [10, 4], [11, 5], [12, 4], [13, 3], [14, 2], [15, 1], [16, 2], [17, 3], [18, 4], [20, 1],
    ];
    expect(steps(rampingVUsRawExecutionSteps(c, et(), false))).toEqual(raw);
    expect(steps(rampingVUsRawExecutionSteps(c, et(), true))).toEqual([...raw, [23, 0]]);
    // gracefulStop and gracefulRampDown both at their 30s default
    expect(steps(rampingVUs.getExecutionRequirements(c, et()))).toEqual([
      [0, 4], [1, 5], [2, 6], [33, 5], [42, 4], [50, 1], [53, 0],
    ]);
    expect(steps(rampingVUs.getExecutionRequirements({ ...c, gracefulStop: 80_000 }, et()))).toEqual([
      [0, 4], [1, 5], [2, 6], [33, 5], [42, 4], [50, 1], [103, 0],
    ]);
    expect(steps(rampingVUs.getExecutionRequirements({ ...c, gracefulStop: 3_000 }, et()))).toEqual([
      [0, 4], [1, 5], [2, 6], [26, 0],
    ]);
    expect(steps(rampingVUs.getExecutionRequirements({ ...c, gracefulStop: 0 }, et()))).toEqual([
      [0, 4], [1, 5], [2, 6], [23, 0],
    ]);
    expect(steps(rampingVUs.getExecutionRequirements({ ...c, gracefulStop: 0, gracefulRampDown: 0 }, et()))).toEqual(
      [...raw, [23, 0]],
    );
  });

  it('k6 TestRampingVUsConfigExecutionPlanExampleOneThird', () => {
    const c = conf(4, EXAMPLE);
    const raw = [[0, 1], [1, 2], [4, 1], [7, 0], [8, 1], [11, 2], [12, 1], [15, 0], [16, 1], [20, 0]];
    expect(steps(rampingVUsRawExecutionSteps(c, et('0:1/3'), false))).toEqual(raw);
    expect(steps(rampingVUsRawExecutionSteps(c, et('0:1/3'), true))).toEqual(raw);
    expect(steps(rampingVUs.getExecutionRequirements(c, et('0:1/3')))).toEqual([[0, 1], [1, 2], [42, 1], [50, 0]]);
    // This segment runs out of VUs at 20s although the stages last 23s.
    expect(rampingVUsDurations(c, et('0:1/3'))).toEqual({ regular: 20_000, max: 50_000 });
    expect(rampingVUsDurations(c, et())).toEqual({ regular: 23_000, max: 53_000 });
  });

  // k6 TestRampingVUsExecutionTupleTests
  const TUPLE_STAGES: [number, number][] = [...EXAMPLE, [5, 0], [5, 3], [0, 0], [2, 2], [0, 2], [4, 4]];
  const THIRD = [[0, 1], [1, 2], [4, 1], [7, 0], [8, 1], [11, 2], [12, 1], [15, 0], [16, 1], [20, 0], [23, 2], [26, 0], [28, 1], [29, 0], [32, 1]];
  it.each([
    [undefined, undefined, [[0, 4], [1, 5], [2, 6], [3, 5], [4, 4], [5, 3], [6, 2], [7, 1], [8, 2], [9, 3], [10, 4], [11, 5], [12, 4], [13, 3], [14, 2], [15, 1], [16, 2], [17, 3], [18, 4], [20, 1], [23, 5], [26, 0], [27, 1], [28, 2], [29, 1], [30, 0], [31, 1], [32, 2], [33, 3], [34, 4]]],
    ['0:1/3', undefined, THIRD],
    ['0:1/3', '0,1/3,1', THIRD],
    ['1/3:2/3', undefined, THIRD],
    ['2/3:1', undefined, THIRD],
    ['0:1/3', '0,1/3,2/3,1', [[0, 2], [5, 1], [10, 2], [13, 1], [18, 2], [20, 1], [23, 2], [26, 0], [27, 1], [30, 0], [31, 1], [34, 2]]],
    ['1/3:2/3', '0,1/3,2/3,1', THIRD],
    ['2/3:1', '0,1/3,2/3,1', [[0, 1], [2, 2], [3, 1], [6, 0], [9, 1], [14, 0], [17, 1], [20, 0], [23, 1], [26, 0], [33, 1]]],
  ])('segment %s in %s', (seg, seq, expected) => {
    expect(steps(rampingVUsRawExecutionSteps(conf(4, TUPLE_STAGES), et(seg, seq), false))).toEqual(expected);
  });

  // k6 TestRampingVUsGetRawExecutionStepsCornerCases
  it.each([
    ['going up then down straight away', 2, [[5, 0], [3, 2]] as [number, number][], undefined, undefined, [[0, 2], [0, 5], [1, 4], [2, 3]]],
    ['jump up then go up again', 3, [[5, 2]] as [number, number][], undefined, undefined, [[0, 3], [1, 4], [2, 5]]],
    ['up down up down in half', 0, [[2, 2], [0, 2], [2, 2], [0, 2]] as [number, number][], '0:1/2', undefined, [[0, 0], [1, 1], [4, 0], [5, 1], [8, 0]]],
    ['up down up down in the other half', 0, [[2, 2], [0, 2], [2, 2], [0, 2]] as [number, number][], '1/2:1', undefined, [[0, 0], [2, 1], [3, 0], [6, 1], [7, 0]]],
    ['with nothing', 0, [[2, 2], [0, 2], [2, 2], [0, 2]] as [number, number][], '2/3:1', '0,1/3,2/3,1', [[0, 0]]],
    ['funky sequence', 0, [[2, 2], [0, 2], [2, 2], [0, 2]] as [number, number][], '0:1/3', '0,1/3,1/2,2/3,1', [[0, 0], [1, 1], [4, 0], [5, 1], [8, 0]]],
    ['strange', 0, [[20, 20], [30, 30]] as [number, number][], '0:0.3', '0,0.3,0.6,0.9,1', [[0, 0], [1, 1], [5, 2], [8, 3], [11, 4], [15, 5], [18, 6], [23, 7], [35, 8], [44, 9]]],
  ])('%s', (_name, start, stages, seg, seq, expected) => {
    expect(steps(rampingVUsRawExecutionSteps(conf(start, stages), et(seg, seq), false))).toEqual(expected);
  });

  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1'])('per-segment VU counts of %s sum to the global count at every moment', (seq) => {
    const c = conf(3, [[17, 7], [17, 3], [2, 0], [9, 11], [0, 4], [30, 5]]);
    const s = ExecutionSegmentSequence.parse(seq);
    const perSeg = s.segments.map((seg) => rampingVUsRawExecutionSteps(c, ExecutionTuple.create(seg, s), true));
    const global = rampingVUsRawExecutionSteps(c, ExecutionTuple.create(), true);
    const at = (st: { timeOffset: number; plannedVUs: number }[], t: number) =>
      st.filter((x) => x.timeOffset <= t).at(-1)?.plannedVUs ?? 0;
    const times = [...new Set([...global, ...perSeg.flat()].map((x) => x.timeOffset))];
    for (const t of times) expect(perSeg.reduce((sum, st) => sum + at(st, t), 0)).toBe(at(global, t));
  });

  it('computes with integer ns so large stages stay exact', () => {
    const c = conf(0, [[100_000, 3600]]);
    const raw = rampingVUsRawExecutionSteps(c, et(), false);
    expect(raw.at(-1)).toMatchObject({ timeOffset: 3_600_000, plannedVUs: 100_000 });
    expect(raw[1]).toMatchObject({ timeOffset: 36, plannedVUs: 1 });
  });
});
