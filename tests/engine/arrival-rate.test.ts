import { describe, expect, it } from 'vitest';
import {
  constantArrivalRateSchedule,
  newConstantArrivalRateConfig,
} from '../../infra/engines/node/executors/constant-arrival-rate.js';
import { constantArrivalRate } from '../../infra/engines/node/executors/constant-arrival-rate.js';
import {
  newRampingArrivalRateConfig,
  rampingArrivalRate,
  rampingArrivalRateSchedule,
  rampingArrivalRateSlots,
} from '../../infra/engines/node/executors/ramping-arrival-rate.js';
import { ExecutionSegmentSequence, ExecutionTuple, SegmentedIndex } from '../../infra/engines/node/segments.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const car = (raw: Record<string, unknown>) =>
  ok(newConstantArrivalRateConfig('car', { executor: 'constant-arrival-rate', ...raw }));
const rar = (raw: Record<string, unknown>) =>
  ok(newRampingArrivalRateConfig('rar', { executor: 'ramping-arrival-rate', ...raw }));
const tuplesOf = (seq: string) => {
  const s = ExecutionSegmentSequence.parse(seq);
  return s.segments.map((seg) => ExecutionTuple.create(seg, s));
};

describe('constant-arrival-rate schedule', () => {
  it('starts the first iteration at t=0 and spaces them timeUnit/rate apart', () => {
    const c = car({ rate: 4, timeUnit: '1s', duration: '2s', preAllocatedVUs: 1 });
    const at = [...constantArrivalRateSchedule(c, ExecutionTuple.create())].map((s) => s.at);
    expect(at).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('truncates the ticker period to whole nanoseconds like time.Duration(float)', () => {
    const c = car({ rate: 3, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1 });
    const ns = [...constantArrivalRateSchedule(c, ExecutionTuple.create())].map((s) => s.atNs);
    // 3 × 333333333ns ends 1ns before the duration, so k6 starts a 4th iteration.
    expect(ns).toEqual([0, 333_333_333, 666_666_666, 999_999_999]);
  });

  // k6 TestConstantArrivalRateGlobalIters: 20 per 950ms for 1s, maxVUs 5.
  it.each([
    ['0:1/4', [1, 6, 11, 16, 21]],
    ['1/4:3/4', [0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19, 20]],
    ['3/4:1', [3, 8, 13, 18]],
  ])('segment %s of 0,1/4,3/4,1 gets k6’s global iterations', (seg, expected) => {
    const c = car({ rate: 20, timeUnit: '950ms', duration: '1s', preAllocatedVUs: 5, maxVUs: 5, gracefulStop: '100ms' });
    const et = ExecutionTuple.fromStrings(seg, '0,1/4,3/4,1');
    expect([...constantArrivalRateSchedule(c, et)].map((s) => s.slot)).toEqual(expected);
  });

  // k6 TestConstantArrivalRateRunCorrectTiming (rate 50/s, maxVUs 20): first start and gaps in ms.
  it.each([
    ['0:1/3', undefined, 20, [40, 60, 60, 60, 60, 60, 60]],
    ['1/3:2/3', undefined, 20, [60, 60, 60, 60, 60, 60, 40]],
    ['2/3:1', undefined, 20, [40, 60, 60, 60, 60, 60, 60]],
    ['1/6:3/6', undefined, 20, [40, 80, 40, 80, 40, 80, 40]],
    ['1/6:3/6', '1/6,3/6', 20, [40, 80, 40, 80, 40, 80, 40]],
    ['0:1/3', '0,1/3,2/3,1', 0, [60, 60, 60, 60, 60, 60, 40]],
    ['1/3:2/3', '0,1/3,2/3,1', 20, [60, 60, 60, 60, 60, 60, 40]],
    ['2/3:1', '0,1/3,2/3,1', 40, [60, 60, 60, 60, 60, 100]],
  ])('segment %s in %s starts at %dms with k6’s gaps', (seg, seq, start, steps) => {
    const c = car({ rate: 50, timeUnit: '1s', duration: '5s', preAllocatedVUs: 10, maxVUs: 20 });
    const at = [...constantArrivalRateSchedule(c, ExecutionTuple.fromStrings(seg, seq))].map((s) => s.at);
    expect(at[0]).toBe(start);
    const gaps = at.slice(1, 1 + steps.length * 3).map((t, i) => t - at[i]!);
    expect(gaps).toEqual([...steps, ...steps, ...steps].slice(0, gaps.length));
  });

  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1'])('segments of %s split all slots exactly, without overlap', (seq) => {
    const c = car({ rate: 50, timeUnit: '1s', duration: '3s', preAllocatedVUs: 7, maxVUs: 12 });
    const full = [...constantArrivalRateSchedule(c, ExecutionTuple.create())];
    expect(full).toHaveLength(150);
    const parts = tuplesOf(seq).map((t) => [...constantArrivalRateSchedule(c, t)]);
    const merged = parts.flat().sort((a, b) => a.slot - b.slot);
    expect(merged).toEqual(full);
  });

  it('segments without VUs get no iterations (maxVUs re-segmentation)', () => {
    const c = car({ rate: 10, duration: '1s', preAllocatedVUs: 1 });
    const counts = tuplesOf('0,1/3,2/3,1').map((t) => [...constantArrivalRateSchedule(c, t)].length);
    expect(counts).toEqual([10, 0, 0]);
    expect(tuplesOf('0,1/3,2/3,1').map((t) => constantArrivalRate.hasWork(c, t))).toEqual([true, false, false]);
  });

  it('reserves preAllocatedVUs plus unplanned VUs until duration + gracefulStop', () => {
    const c = car({ rate: 10, duration: '1m', preAllocatedVUs: 10, maxVUs: 25 });
    expect(constantArrivalRate.getExecutionRequirements(c, ExecutionTuple.create())).toEqual([
      { timeOffset: 0, plannedVUs: 10, maxUnplannedVUs: 15 },
      { timeOffset: 90_000, plannedVUs: 0, maxUnplannedVUs: 0 },
    ]);
  });
});

describe('ramping-arrival-rate schedule (k6 cal)', () => {
  const stages = [
    { duration: '5s', target: 1 },
    { duration: '1s', target: 1 },
    { duration: '5s', target: 0 },
  ];
  const cfg = (timeUnit = '1s') => rar({ startRate: 0, timeUnit, stages, preAllocatedVUs: 1 });
  const times = (timeUnit: string, seg?: string, seq?: string) =>
    [...rampingArrivalRateSlots(cfg(timeUnit), ExecutionTuple.fromStrings(seg, seq))].map((s) => s.at);

  it('puts the first iteration of a 0→1/s ramp over 5s at √10 s', () => {
    const first = times('1s')[0]!;
    expect(first).toBeCloseTo(Math.sqrt(10) * 1000, 5);
    expect(Math.trunc(first)).toBe(3162);
  });

  // k6 TestRampingArrivalRateCal expected times (ms), within k6's 0.1% epsilon.
  it.each([
    [undefined, undefined, [3162, 4472, 5500, 6527, 7837, 11000]],
    ['0:1/3', undefined, [4472, 7837]],
    ['0:1/3', '0,1/3,1', [4472, 7837]],
    ['1/3:2/3', undefined, [4472, 7837]],
    ['2/3:1', undefined, [4472, 7837]],
    ['0:1/3', '0,1/3,2/3,1', [3162, 6527]],
    ['1/3:2/3', '0,1/3,2/3,1', [4472, 7837]],
    ['2/3:1', '0,1/3,2/3,1', [5500, 11000]],
  ])('segment %s in %s', (seg, seq, expected) => {
    const got = times('1s', seg, seq);
    expect(got).toHaveLength(expected.length);
    got.forEach((t, i) => expect(Math.abs(t - expected[i]!) / expected[i]!).toBeLessThan(0.001));
  });

  it('three times as fast with timeUnit 1s/3, carrying fractions across stages', () => {
    const expected = [
      1825, 2581, 3162, 3651, 4082, 4472, 4830, 5166, 5499, 5833, 6169, 6527, 6917, 7348, 7837, 8418, 9174, 10999,
    ];
    const got = times('333.333333ms');
    expect(got).toHaveLength(expected.length);
    got.forEach((t, i) => expect(Math.abs(t - expected[i]!) / expected[i]!).toBeLessThan(0.001));
  });

  it('a constant stage yields n/rate (first at 1/rate, not 0), with k6’s float truncation', () => {
    const c = rar({ startRate: 2, stages: [{ duration: '2s', target: 2 }], preAllocatedVUs: 1 });
    // n / (2/1e9) in float64 is a hair under the exact value for n = 1, 2, 4.
    const ns = [...rampingArrivalRateSlots(c, ExecutionTuple.create())].map((s) => s.atNs);
    expect(ns).toEqual([499_999_999, 999_999_999, 1_500_000_000, 1_999_999_999]);
  });

  it('computes bit-identical ns times and starts nothing at the very end of the stages', () => {
    const full = [3_162_277_660, 4_472_135_954, 5_499_999_999, 6_527_864_045, 7_837_722_339, 11_000_000_000];
    expect([...rampingArrivalRateSlots(cfg(), ExecutionTuple.create())].map((s) => s.atNs)).toEqual(full);
    // cal() yields the 11s slot, but the stages end at 11s: k6 races that; we never start it.
    expect([...rampingArrivalRateSchedule(cfg(), ExecutionTuple.create())].map((s) => s.atNs)).toEqual(full.slice(0, 5));
  });

  // k6 TestRampingArrivalRateGlobalIters: 0→20 per 950ms over 1s, back to 0 over 1s, maxVUs 5.
  it.each([
    ['0:1/4', [1, 6, 11, 16]],
    ['1/4:3/4', [0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19, 20]],
    ['3/4:1', [3, 8, 13, 18]],
  ])('segment %s of 0,1/4,3/4,1 gets k6’s global iterations', (seg, expected) => {
    const c = rar({
      timeUnit: '950ms',
      startRate: 0,
      preAllocatedVUs: 4,
      maxVUs: 5,
      gracefulStop: '100ms',
      stages: [
        { duration: '1s', target: 20 },
        { duration: '1s', target: 0 },
      ],
    });
    const et = ExecutionTuple.fromStrings(seg, '0,1/4,3/4,1');
    expect([...rampingArrivalRateSchedule(c, et)].map((s) => s.slot)).toEqual(expected);
    // Iteration numbers come from a SegmentedIndex over the same re-segmented tuple.
    const idx = new SegmentedIndex(et.getNewExecutionTupleFromValue(5));
    expect(expected.map(() => idx.next()[1] - 1)).toEqual(expected);
  });

  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1'])('segments of %s split all iterations exactly', (seq) => {
    const c = rar({
      startRate: 3,
      timeUnit: '1s',
      preAllocatedVUs: 12,
      stages: [
        { duration: '10s', target: 40 },
        { duration: '5s', target: 40 },
        { duration: '0s', target: 7 },
        { duration: '7s', target: 0 },
      ],
    });
    const full = [...rampingArrivalRateSchedule(c, ExecutionTuple.create())];
    const merged = tuplesOf(seq)
      .flatMap((t) => [...rampingArrivalRateSchedule(c, t)])
      .sort((a, b) => a.slot - b.slot);
    expect(merged.map((s) => s.slot)).toEqual(full.map((s) => s.slot));
    expect(full.map((s) => s.slot)).toEqual(full.map((_, i) => i));
    // The same slot gets the same time on whichever instance runs it.
    expect(merged).toEqual(full);
  });

  it('has no work on a segment without VUs (k6 TestRampingArrivalRateCornerCase)', () => {
    const c = rar({ timeUnit: '1s', startRate: 1, stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 0, maxVUs: 2 });
    expect(rampingArrivalRate.hasWork(c, ExecutionTuple.fromStrings('1/5:2/5', '0,1/5,2/5,1'))).toBe(false);
  });
});
