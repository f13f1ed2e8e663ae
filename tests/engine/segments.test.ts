import { describe, expect, it } from 'vitest';
import { Rat } from '../../infra/engines/node/rational.js';
import {
  ExecutionSegment,
  ExecutionSegmentSequence,
  ExecutionTuple,
  SegmentedIndex,
  validateSegmentOptions,
} from '../../infra/engines/node/segments.js';

const tuple = (seg?: string, seq?: string) => ExecutionTuple.fromStrings(seg, seq);

/** All tuples of a full sequence string, one per segment. */
function tuplesOf(seq: string): ExecutionTuple[] {
  const s = ExecutionSegmentSequence.parse(seq);
  return s.segments.map((seg) => ExecutionTuple.create(seg, s));
}

/** The first `count` global (0-based) indices a tuple owns, via SegmentedIndex. */
function ownedIndices(t: ExecutionTuple, count: number): number[] {
  const idx = new SegmentedIndex(t);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(idx.next()[1] - 1);
  return out;
}

describe('segment parsing (k6 TestExecutionSegmentUnmarshalText)', () => {
  it.each([
    ['0:1', '0:1'],
    ['0.5:0.75', '1/2:3/4'],
    ['1/2:3/4', '1/2:3/4'],
    ['50%:75%', '1/2:3/4'],
    ['2/4:75%', '1/2:3/4'],
    ['75%', '0:3/4'],
    ['1/4', '0:1/4'],
    ['0.25', '0:1/4'],
    ['25%', '0:1/4'],
    ['', '0:1'],
  ])('%j → %s', (input, expected) => {
    const s = ExecutionSegment.parse(input);
    expect(s.toString()).toBe(expected);
    expect(ExecutionSegment.parse(s.toString()).equals(s)).toBe(true);
  });

  it.each(['125%', '1a5%', '1a5', '1a5%:2/3', '125%:250%', '55%:50%', '12.5%'])('rejects %j', (input) => {
    expect(() => ExecutionSegment.parse(input)).toThrow();
  });

  it('uses k6 error texts', () => {
    expect(() => ExecutionSegment.parse('1a5')).toThrow(
      "'1a5' is not a valid percentage, decimal, fraction or interval value",
    );
    expect(() => ExecutionSegment.parse('1a5%')).toThrow("'1a5%' is not a valid percentage");
    expect(() => ExecutionSegment.parse('55%:50%')).toThrow('segment start(0.55) must be less than its end(0.50)');
    expect(() => ExecutionSegment.parse('125%')).toThrow("segment end value can't be more than 1 but was 1.25");
  });

  it('ExecutionSegment.scale (k6 TestExecutionSegmentFailures)', () => {
    const q = (s: string) => ExecutionSegment.parse(s);
    expect([q('0:0.25').scale(2), q('0:0.25').scale(3)]).toEqual([1, 1]);
    expect([q('0.25:0.5').scale(2), q('0.25:0.5').scale(3)]).toEqual([0, 1]);
    expect([q('0.5:0.75').scale(2), q('0.5:0.75').scale(3)]).toEqual([1, 0]);
    expect([q('0.75:1').scale(2), q('0.75:1').scale(3)]).toEqual([0, 1]);
  });

  it('split and subSegment', () => {
    expect(ExecutionSegment.full().split(3).map(String)).toEqual(['0:1/3', '1/3:2/3', '2/3:1']);
    expect(ExecutionSegment.parse('1/2:1').subSegment(ExecutionSegment.parse('0:1/2')).toString()).toBe('1/2:3/4');
  });
});

describe('sequences', () => {
  it('parses and prints', () => {
    expect(ExecutionSegmentSequence.parse('0,1/3,2/3,1').toString()).toBe('0,1/3,2/3,1');
    expect(ExecutionSegmentSequence.parse('0,0.25,50%,1').toString()).toBe('0,1/4,1/2,1');
    expect(() => ExecutionSegmentSequence.parse('0')).toThrow(
      'at least 2 points are needed for an execution segment sequence, 1 given',
    );
    expect(() => ExecutionSegmentSequence.parse('0,1/2,1/3')).toThrow();
  });

  it.each([
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', 10],
    ['0,0.1,0.5,0.6,0.7,0.8,0.9,1', 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', 10],
    ['0,1/3,5/6', 6],
    ['0,1/3,4/7', 21],
  ])('LCD of %s is %d (k6 TestSequenceLCD)', (seq, lcd) => {
    expect(ExecutionSegmentSequence.parse(seq).lcd()).toBe(lcd);
  });

  it('fills gaps around a sequence or a lone segment', () => {
    expect(tuple('0:1/3').sequence.sequence.toString()).toBe('0,1/3,1');
    expect(tuple('1/3:2/3').sequence.sequence.toString()).toBe('0,1/3,2/3,1');
    expect(tuple('1/6:3/6', '1/6,3/6').sequence.sequence.toString()).toBe('0,1/6,1/2,1');
    expect(tuple().sequence.sequence.toString()).toBe('0,1');
    expect(() => tuple('0:1/4', '0,1/3,1')).toThrow("couldn't find segment 0:1/4 in sequence 0,1/3,1");
    // k6's option validation runs first and words it differently
    const seq = ExecutionSegmentSequence.parse('0,1/3,1');
    expect(validateSegmentOptions(ExecutionSegment.parse('0:1/4'), seq)).toEqual([
      "provided segment 0:1/4 can't be found in sequence 0,1/3,1",
    ]);
    expect(validateSegmentOptions(ExecutionSegment.parse('1/3:1'), seq)).toEqual([]);
    expect(validateSegmentOptions(undefined, undefined)).toEqual([]);
  });
});

describe('striping (k6 TestGetStripedOffsets)', () => {
  it.each([
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0:0.3', 0, [4, 3, 3], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.3:0.5', 1, [4, 6], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.5:0.6', 2, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.8:0.9', 8, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0:0.2', 1, [4, 6], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.2,0.5', '0:0.2', 3, [6, 4], 10],
    ['0,0.2,0.5', '0.2:0.5', 1, [4, 2, 4], 10],
    ['0,2/5,4/5', '0:2/5', 0, [3, 2], 5],
    ['0,2/5,4/5', '2/5:4/5', 1, [3, 2], 5],
    [undefined, '0:0.2', 1, [5], 5],
    [undefined, '0:1/5', 1, [5], 5],
    [undefined, '0:2/10', 1, [5], 5],
    [undefined, '0:0.4', 1, [2, 3], 5],
    [undefined, '0:2/5', 1, [2, 3], 5],
    [undefined, '2/5:4/5', 1, [3, 2], 5],
    [undefined, '0:4/10', 1, [2, 3], 5],
    [undefined, '1/10:5/10', 1, [2, 2, 4, 2], 10],
  ])('seq %s segment %s', (seq, seg, start, offsets, lcd) => {
    expect(tuple(seg, seq).getStripedOffsets()).toEqual({ start, offsets, lcd });
  });

  it('matches the iterator table in execution_segment.go (0,1/2,3/4,1)', () => {
    const [a, b, c] = tuplesOf('0,1/2,3/4,1');
    expect(ownedIndices(a!, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ownedIndices(b!, 3)).toEqual([1, 5, 9]);
    expect(ownedIndices(c!, 3)).toEqual([3, 7, 11]);
    const row = (t: ExecutionTuple) => Array.from({ length: 12 }, (_, i) => t.scaleInt64(i + 1));
    expect(row(a!)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(row(b!)).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    expect(row(c!)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]);
  });
});

describe('scaleInt64 is exact and additive', () => {
  it('k6 TestExecutionTupleScale / TestBigScale', () => {
    expect([tuple('0.5').scaleInt64(2), tuple('0.5').scaleInt64(3)]).toEqual([1, 2]);
    expect([tuple('0.5:1.0').scaleInt64(2), tuple('0.5:1.0').scaleInt64(3)]).toEqual([1, 1]);
    expect([tuple('0.5', '0,0.5,1').scaleInt64(2), tuple('0.5', '0,0.5,1').scaleInt64(3)]).toEqual([1, 2]);
    expect(tuple('0:7/20', '0,7/20,7/10,1').scaleInt64(50)).toBe(18);
  });

  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1', '0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0,1/7,2/5,1'])(
    'per-segment values of %s sum to the global value and never decrease',
    (seq) => {
      const ts = tuplesOf(seq);
      const prev = ts.map(() => 0);
      for (let v = 0; v <= 500; v++) {
        const parts = ts.map((t) => t.scaleInt64(v));
        expect(parts.reduce((x, y) => x + y, 0)).toBe(v);
        parts.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(prev[i]!));
        parts.forEach((p, i) => (prev[i] = p));
      }
    },
  );

  it.each(['0,1/3,2/3,1', '0,0.25,0.5,1', '0,0.3,0.5,0.6,0.7,0.8,0.9,1'])(
    'segmented indices of %s partition 0..N-1 and agree with scaleInt64',
    (seq) => {
      const ts = tuplesOf(seq);
      const N = 240;
      const all: number[] = [];
      for (const t of ts) {
        const mine = ownedIndices(t, t.scaleInt64(N));
        expect(mine.every((i) => i < N)).toBe(true);
        all.push(...mine);
      }
      expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    },
  );

  it('re-segments by value (k6 TestGetNewExecutionTupleBesedOnValue)', () => {
    const t = tuple('0:1/3', '0,1/3,2/3,1').getNewExecutionTupleFromValue(20);
    expect(t.sequence.sequence.toString()).toBe('0,7/20,7/10,1');
    expect(() => tuple('2/3:1', '0,1/3,2/3,1').getNewExecutionTupleFromValue(2)).toThrow("isn't present");
  });
});

describe('SegmentedIndex (k6 TestSegmentedIndex)', () => {
  it('half and the other half', () => {
    const h = SegmentedIndex.raw(0, 2, [2]);
    expect([h.next(), h.next(), h.next(), h.prev(), h.prev(), h.prev()]).toEqual([
      [1, 1],
      [2, 3],
      [3, 5],
      [2, 3],
      [1, 1],
      [0, 0],
    ]);
    const o = SegmentedIndex.raw(1, 2, [2]);
    expect([o.next(), o.next(), o.next(), o.prev()]).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
      [2, 4],
    ]);
  });

  it('goTo lands on the largest scaled index at or below the value', () => {
    const [a, b, c] = tuplesOf('0,1/2,3/4,1');
    // Owned unscaled (1-based) positions: a: 1,3,5,7..; b: 2,6,10..; c: 4,8,12..
    expect(new SegmentedIndex(a!).goTo(6)).toEqual([3, 5]);
    expect(new SegmentedIndex(b!).goTo(6)).toEqual([2, 6]);
    expect(new SegmentedIndex(c!).goTo(3)).toEqual([0, 0]);
    expect(new SegmentedIndex(c!).goTo(9)).toEqual([2, 8]);
  });

  it('Rat keeps exact fractions', () => {
    expect(new Rat(2n, 4n).toString()).toBe('1/2');
    expect(new Rat(1n, 3n).toFixed(2)).toBe('0.33');
    expect(new Rat(1n, 8n).toFixed(2)).toBe('0.13');
  });
});
