// Execution segments and sequences, ported from k6's lib/execution_segment.go.
//
// A segment is a (from, to] slice of the whole test. Each k6 instance knows
// only its own segment and the sequence of all segments, and must derive its
// exact share of VUs, iterations and arrival-rate slots from those alone, so
// that the per-instance shares always add up to the global numbers and the
// iteration indices never collide. All boundaries are exact rationals.

import { parseRat, Rat, roundHalfUp } from './rational.js';

export class SegmentError extends Error {}

/** stringToRat: percentages (integers only, like big.Int), decimals, fractions. */
export function stringToRat(s: string): Rat {
  if (s.endsWith('%')) {
    const before = s.slice(0, -1);
    if (!/^[+-]?\d+$/.test(before)) throw new SegmentError(`'${s}' is not a valid percentage`);
    return new Rat(BigInt(before), 100n);
  }
  const r = parseRat(s);
  if (r === undefined) {
    throw new SegmentError(`'${s}' is not a valid percentage, decimal, fraction or interval value`);
  }
  return r;
}

export class ExecutionSegment {
  readonly length: Rat;

  private constructor(
    readonly from: Rat,
    readonly to: Rat,
  ) {
    this.length = to.sub(from);
  }

  /** NewExecutionSegment: validates 0 <= from < to <= 1. */
  static of(from: Rat, to: Rat): ExecutionSegment {
    if (from.sign() < 0) {
      throw new SegmentError(`segment start value must be at least 0 but was ${from.toFixed(2)}`);
    }
    if (from.cmp(to) >= 0) {
      throw new SegmentError(`segment start(${from.toFixed(2)}) must be less than its end(${to.toFixed(2)})`);
    }
    if (to.cmp(Rat.ONE) > 0) {
      throw new SegmentError(`segment end value can't be more than 1 but was ${to.toFixed(2)}`);
    }
    return new ExecutionSegment(from, to);
  }

  /** Internal constructor without validation (k6's newExecutionSegment). */
  static unchecked(from: Rat, to: Rat): ExecutionSegment {
    return new ExecutionSegment(from, to);
  }

  static full(): ExecutionSegment {
    return new ExecutionSegment(Rat.ZERO, Rat.ONE);
  }

  /**
   * `a:b` is a full segment; a single value `x` means `0:x`; empty means 0:1.
   * Each side may be `1/4`, `0.25` or `25%`.
   */
  static parse(str: string): ExecutionSegment {
    let from = Rat.ZERO;
    let toStr = str === '' ? '1' : str;
    const colon = toStr.indexOf(':');
    if (colon >= 0) {
      from = stringToRat(toStr.slice(0, colon));
      toStr = toStr.slice(colon + 1);
    }
    return ExecutionSegment.of(from, stringToRat(toStr));
  }

  toString(): string {
    return `${this.from}:${this.to}`;
  }

  /** Equal treats an absent segment (undefined) as the full 0:1 one. */
  equals(other: ExecutionSegment | undefined): boolean {
    const o = other ?? FULL;
    return this.from.eq(o.from) && this.to.eq(o.to);
  }

  isFull(): boolean {
    return this.length.eq(Rat.ONE);
  }

  floatLength(): number {
    return this.length.toNumber();
  }

  /** Split evenly into `numParts` consecutive sub-segments. */
  split(numParts: number): ExecutionSegment[] {
    if (numParts < 1) throw new SegmentError(`the number of parts must be at least 1, ${numParts} received`);
    const inc = new Rat(this.length.num, this.length.den * BigInt(numParts));
    const out: ExecutionSegment[] = [];
    let from = this.from;
    for (let i = 0; i < numParts; i++) {
      const to = from.add(inc);
      out.push(ExecutionSegment.of(from, to));
      from = to;
    }
    return out;
  }

  /** c.from = a.from + b.from·len(a); c.len = b.len·len(a). */
  subSegment(child: ExecutionSegment | undefined): ExecutionSegment {
    if (!child) return this;
    const from = this.from.add(this.length.mul(child.from));
    return new ExecutionSegment(from, from.add(this.length.mul(child.length)));
  }

  /**
   * ExecutionSegment.Scale: round(value·to − round(value·from)). Stateless but
   * not "stable"; executors use ExecutionTuple.scaleInt64 instead.
   */
  scale(value: number): number {
    const v = new Rat(BigInt(value));
    const fromValue = roundHalfUp(v.mul(this.from));
    return Number(roundHalfUp(v.mul(this.to).sub(new Rat(fromValue))));
  }

  /** InPlaceScaleRat / CopyScaleRat: multiply by the segment length. */
  scaleRat(value: Rat): Rat {
    return value.mul(this.length);
  }
}

const FULL = ExecutionSegment.full();

function gcdInt(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function safeInt(b: bigint, what: string): number {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new SegmentError(`${what} ${b} is too large`);
  return Number(b);
}

/** An ordered chain of adjacent segments, written `r1,r2,...,rn`. */
export class ExecutionSegmentSequence {
  constructor(readonly segments: readonly ExecutionSegment[]) {
    for (let i = 1; i < segments.length; i++) {
      const prevTo = segments[i - 1]!.to;
      if (!segments[i]!.from.eq(prevTo)) {
        throw new SegmentError(
          `the start value ${segments[i]!.from} of segment #${i} must be equal to the end value of the previous one, but it is ${prevTo}`,
        );
      }
    }
  }

  /** Empty string → empty sequence (k6 treats it as "not set"). */
  static parse(str: string): ExecutionSegmentSequence {
    if (str.length === 0) return new ExecutionSegmentSequence([]);
    const points = str.split(',');
    if (points.length < 2) {
      throw new SegmentError(
        `at least 2 points are needed for an execution segment sequence, ${points.length} given`,
      );
    }
    const rats = points.map(stringToRat);
    const segs: ExecutionSegment[] = [];
    for (let i = 1; i < rats.length; i++) segs.push(ExecutionSegment.of(rats[i - 1]!, rats[i]!));
    return new ExecutionSegmentSequence(segs);
  }

  get length(): number {
    return this.segments.length;
  }

  toString(): string {
    if (this.segments.length === 0) return '';
    return [this.segments[0]!.from, ...this.segments.map((s) => s.to)].map(String).join(',');
  }

  /** Least common denominator of the segment lengths (k6 short-circuits on divisibility). */
  lcd(): number {
    let acc = safeInt(this.segments[0]!.length.den, 'LCD');
    for (const seg of this.segments.slice(1)) {
      const n = safeInt(seg.length.den, 'LCD');
      if (acc === n || acc % n === 0) continue;
      acc *= n / gcdInt(acc, n);
      if (!Number.isSafeInteger(acc)) throw new SegmentError(`LCD of ${this} is too large`);
    }
    return acc;
  }

  isFull(): boolean {
    const s = this.segments;
    return s.length !== 0 && s[0]!.from.sign() === 0 && s[s.length - 1]!.to.eq(Rat.ONE);
  }

  /** Index of `segment` (undefined = 0:1) or an error if absent. */
  findSegmentPosition(segment: ExecutionSegment | undefined): number {
    const from = segment?.from ?? Rat.ZERO;
    const idx = this.segments.findIndex((s) => s.from.cmp(from) >= 0); // sort.Search
    if (idx < 0 || !this.segments[idx]!.equals(segment)) {
      throw new SegmentError(`couldn't find segment ${segment ?? FULL} in sequence ${this}`);
    }
    return idx;
  }
}

/**
 * Options.Validate's segment check: with a sequence given, the segment
 * (undefined = 0:1) must be one of its elements. Returns k6's error lines.
 */
export function validateSegmentOptions(
  segment: ExecutionSegment | undefined,
  sequence: ExecutionSegmentSequence | undefined,
): string[] {
  if (sequence === undefined || sequence.segments.some((s) => s.equals(segment))) return [];
  return [`provided segment ${segment ?? FULL} can't be found in sequence ${sequence}`];
}

/**
 * Fill gaps so the sequence covers 0..1. Without a sequence, the segment
 * itself (if partial) is surrounded by the missing pieces.
 */
export function getFilledExecutionSegmentSequence(
  sequence: ExecutionSegmentSequence | undefined,
  fallback: ExecutionSegment | undefined,
): ExecutionSegmentSequence {
  let result: ExecutionSegment[];
  if (!sequence || sequence.length === 0) {
    if (!fallback || fallback.isFull()) return new ExecutionSegmentSequence([FULL]);
    result = [fallback];
  } else {
    result = [...sequence.segments];
  }
  if (result[0]!.from.sign() !== 0) result.unshift(ExecutionSegment.unchecked(Rat.ZERO, result[0]!.from));
  const last = result[result.length - 1]!;
  if (!last.to.eq(Rat.ONE)) result.push(ExecutionSegment.unchecked(last.to, Rat.ONE));
  return new ExecutionSegmentSequence(result);
}

/**
 * Caches the LCD and the striping offsets of a full sequence.
 *
 * Striping: walk indices 0..lcd−1 and hand each one to the first segment
 * (largest first, stable) that is "due", i.e. whose already-taken count times
 * lcd/numerator does not exceed the index. This spreads each segment's indices
 * as evenly as possible, and the pattern repeats every `lcd` indices.
 */
export class ExecutionSegmentSequenceWrapper {
  readonly lcd: number;
  /** Per segment: [start, gap1, gap2, ..., wrap-around gap]. */
  private readonly offsets: number[][];

  constructor(readonly sequence: ExecutionSegmentSequence) {
    if (!sequence.isFull()) {
      throw new SegmentError(`Cannot wrap around a non-full execution segment sequence '${sequence}'`);
    }
    const lcd = sequence.lcd();
    this.lcd = lcd;
    const n = sequence.length;
    const norm = sequence.segments.map((s, i) => ({
      numerator: safeInt(s.length.num, 'numerator') * (lcd / safeInt(s.length.den, 'denominator')),
      index: i,
    }));
    const sorted = [...norm].sort((a, b) => b.numerator - a.numerator); // Array#sort is stable
    const offsets: number[][] = Array.from({ length: n }, () => []);
    const prev = new Array<number>(n).fill(0);
    const chosen = new Array<number>(n).fill(0);
    for (let i = 0; i < lcd; i++) {
      for (let si = 0; si < n; si++) {
        const num = chosen[si]! * lcd;
        const denom = sorted[si]!.numerator;
        const q = Math.floor(num / denom);
        if (i > q || (i === q && num % denom === 0)) {
          chosen[si]!++;
          const idx = sorted[si]!.index;
          const list = offsets[idx]!;
          list.push(i - prev[idx]!);
          prev[idx] = i;
          if (list.length === denom) list.push(list[0]! + lcd - i);
          break;
        }
      }
    }
    this.offsets = offsets;
  }

  get segments(): readonly ExecutionSegment[] {
    return this.sequence.segments;
  }

  /** ScaleInt64: how many of the first `value` indices belong to segment `i`. */
  scaleInt64(segmentIndex: number, value: number): number {
    const all = this.offsets[segmentIndex]!;
    const start = all[0]!;
    const gaps = all.slice(1);
    let result = Math.trunc(value / this.lcd) * gaps.length;
    const rem = value % this.lcd;
    for (let gi = 0, i = start; i < rem; i += gaps[gi]!, gi++) result++;
    return result;
  }

  /** GetStripedOffsets: first index, the repeating gaps, and the cycle length. */
  getStripedOffsets(segmentIndex: number): { start: number; offsets: readonly number[]; lcd: number } {
    const all = this.offsets[segmentIndex]!;
    return { start: all[0]!, offsets: all.slice(1), lcd: this.lcd };
  }

  getTuple(segmentIndex: number): ExecutionTuple {
    return new ExecutionTuple(this, this.segments[segmentIndex]!, segmentIndex);
  }

  /**
   * Re-segment by an integer value: each segment gets length
   * scaleInt64(value)/value, empty ones are dropped. Arrival-rate executors use
   * this with maxVUs so an instance without VUs gets no iterations either.
   */
  getNewExecutionSegmentSequenceFromValue(
    value: number,
    trackedIndex: number,
  ): { wrapper: ExecutionSegmentSequenceWrapper; index: number } {
    if (value < 1) throw new SegmentError(`cannot generate new sequence for value ${value}`);
    if (value % this.lcd === 0) return { wrapper: this, index: trackedIndex };
    let newIndex = -1;
    const segs: ExecutionSegment[] = [];
    let prev = 0;
    const v = BigInt(value);
    for (let i = 0; i < this.segments.length; i++) {
      const nv = this.scaleInt64(i, value);
      if (nv === 0) continue;
      segs.push(ExecutionSegment.unchecked(new Rat(BigInt(prev), v), new Rat(BigInt(prev + nv), v)));
      prev += nv;
      if (i === trackedIndex) newIndex = segs.length - 1;
    }
    if (newIndex === -1) {
      throw new SegmentError(
        `segment ${trackedIndex} (${this.segments[trackedIndex]}) isn't present in the new sequence`,
      );
    }
    return { wrapper: new ExecutionSegmentSequenceWrapper(new ExecutionSegmentSequence(segs)), index: newIndex };
  }
}

/** A segment together with its (wrapped) sequence: what an instance executes. */
export class ExecutionTuple {
  constructor(
    readonly sequence: ExecutionSegmentSequenceWrapper,
    readonly segment: ExecutionSegment,
    readonly segmentIndex: number,
  ) {}

  /** NewExecutionTuple: both arguments optional (undefined = not set). */
  static create(segment?: ExecutionSegment, sequence?: ExecutionSegmentSequence): ExecutionTuple {
    const filled = getFilledExecutionSegmentSequence(sequence, segment);
    const wrapper = new ExecutionSegmentSequenceWrapper(filled);
    const index = wrapper.sequence.findSegmentPosition(segment);
    return new ExecutionTuple(wrapper, wrapper.segments[index]!, index);
  }

  /** Convenience: parse `--execution-segment` / `--execution-segment-sequence` strings. */
  static fromStrings(segment?: string, sequence?: string): ExecutionTuple {
    const seg = segment === undefined || segment === '' ? undefined : ExecutionSegment.parse(segment);
    const seq = sequence === undefined ? undefined : ExecutionSegmentSequence.parse(sequence);
    return ExecutionTuple.create(seg, seq);
  }

  toString(): string {
    return `${this.segment} in ${this.sequence.sequence}`;
  }

  /** Stable, additive scaling of an integer for this segment. */
  scaleInt64(value: number): number {
    if (this.sequence.segments.length === 1) return value;
    return this.sequence.scaleInt64(this.segmentIndex, value);
  }

  getStripedOffsets(): { start: number; offsets: readonly number[]; lcd: number } {
    return this.sequence.getStripedOffsets(this.segmentIndex);
  }

  /** Throws SegmentError when this segment gets nothing of `value`. */
  getNewExecutionTupleFromValue(value: number): ExecutionTuple {
    const { wrapper, index } = this.sequence.getNewExecutionSegmentSequenceFromValue(value, this.segmentIndex);
    return new ExecutionTuple(wrapper, wrapper.segments[index]!, index);
  }
}

/**
 * Striped iterator mapping this segment's local (scaled) counter to global
 * (unscaled) positions. Both counters are 1-based after next(); k6 subtracts 1
 * to get 0-based iteration numbers (iterationInInstance / iterationInTest) and
 * uses them as-is for VU ids.
 */
export class SegmentedIndex {
  private readonly start: number;
  private readonly lcd: number;
  private readonly offsets: readonly number[];
  scaled = 0;
  unscaled = 0;

  constructor(tuple: ExecutionTuple) {
    const { start, offsets, lcd } = tuple.getStripedOffsets();
    this.start = start;
    this.offsets = offsets;
    this.lcd = lcd;
  }

  /** Raw constructor for tests mirroring k6's struct literals. */
  static raw(start: number, lcd: number, offsets: number[]): SegmentedIndex {
    const s = Object.create(SegmentedIndex.prototype) as SegmentedIndex;
    Object.assign(s, { start, lcd, offsets, scaled: 0, unscaled: 0 });
    return s;
  }

  next(): [scaled: number, unscaled: number] {
    if (this.scaled === 0) this.unscaled += this.start + 1;
    else this.unscaled += this.offsets[(this.scaled - 1) % this.offsets.length]!;
    this.scaled++;
    return [this.scaled, this.unscaled];
  }

  /** Undefined behaviour when scaled === 0, as in k6. */
  prev(): [scaled: number, unscaled: number] {
    if (this.scaled === 1) this.unscaled -= this.start + 1;
    else this.unscaled -= this.offsets[(this.scaled - 2) % this.offsets.length]!;
    this.scaled--;
    return [this.scaled, this.unscaled];
  }

  /** Largest scaled index whose unscaled position is <= value. */
  goTo(value: number): [scaled: number, unscaled: number] {
    const whole = Math.trunc(value / this.lcd);
    this.scaled = whole * this.offsets.length;
    this.unscaled = whole * this.lcd + this.start + 1;
    let gi = 0;
    for (let i = this.start; i < value % this.lcd; i += this.offsets[gi]!, gi++) {
      this.scaled++;
      this.unscaled += this.offsets[gi]!;
    }
    if (gi > 0) this.unscaled -= this.offsets[gi - 1]!;
    else if (this.scaled > 0) this.unscaled -= this.offsets[this.offsets.length - 1]!;
    if (this.scaled === 0) this.unscaled = 0;
    return [this.scaled, this.unscaled];
  }
}
