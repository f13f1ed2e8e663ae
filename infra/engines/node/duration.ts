// k6 durations (lib/types/types.go): Go time.ParseDuration syntax, a `d`
// (days) prefix, and bare numbers meaning milliseconds. Values are parsed to
// integer nanoseconds first, as Go does, and exposed as milliseconds.

import { GoNumError, goQuote, parseGoFloat, parseGoInt } from './gofmt.js';

export class DurationError extends Error {}

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_U = 1n << 63n;

function invalid(orig: string): DurationError {
  return new DurationError(`time: invalid duration ${goQuote(orig)}`);
}

/** time.ParseDuration, returning nanoseconds as a bigint (int64 range). */
export function parseGoDuration(orig: string): bigint {
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid(orig);
  let d = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) throw invalid(orig);
    const intPart = /^[0-9]*/.exec(s)![0];
    s = s.slice(intPart.length);
    let v = intPart === '' ? 0n : BigInt(intPart);
    if (v > MAX_U) throw invalid(orig); // Go's leadingInt overflow
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      const fracPart = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracPart.length);
      post = fracPart !== '';
      // leadingFraction: stop accumulating (but keep consuming) on overflow
      for (const c of fracPart) {
        if (f > (MAX_U - 1n) / 10n) break;
        const y = f * 10n + BigInt(c);
        if (y > MAX_U) break;
        f = y;
        scale *= 10;
      }
    }
    if (intPart === '' && !post) throw invalid(orig);
    const unitStr = /^[^0-9.]*/.exec(s)![0];
    if (unitStr === '') throw new DurationError(`time: missing unit in duration ${goQuote(orig)}`);
    s = s.slice(unitStr.length);
    const unit = NS_PER[unitStr];
    if (unit === undefined) {
      throw new DurationError(`time: unknown unit ${goQuote(unitStr)} in duration ${goQuote(orig)}`);
    }
    if (v > MAX_U / unit) throw invalid(orig);
    v *= unit;
    if (f > 0n) {
      // Go does this step in float64 ("nanosecond accurate for fractions of hours").
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_U) throw invalid(orig);
    }
    d += v;
    if (d > MAX_U) throw invalid(orig);
  }
  if (neg) return -d;
  if (d > MAX_U - 1n) throw invalid(orig);
  return d;
}

function toSafeNs(ns: bigint): number {
  if (ns > BigInt(Number.MAX_SAFE_INTEGER) || ns < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DurationError(`duration of ${ns}ns is too large to schedule exactly`);
  }
  return Number(ns);
}

/** A bare number of milliseconds, converted like `time.Duration(t * float64(time.Millisecond))`. */
export function msNumberToNs(t: number): number {
  return Math.trunc(t * 1e6);
}

/**
 * types.ParseExtendedDuration, exact: a bare number is milliseconds, `NdREST`
 * is N days plus a Go duration (REST must not be negative; a negative N
 * negates REST too), anything else is time.ParseDuration.
 */
export function parseExtendedDurationBig(data: string): bigint {
  try {
    const t = parseGoFloat(data); // "assume millisecond values if no units"
    if (!Number.isFinite(t)) throw new DurationError(`'${data}' is not a valid duration value`);
    return BigInt(msNumberToNs(t));
  } catch (e) {
    if (!(e instanceof GoNumError)) throw e;
  }
  const dPos = data.indexOf('d');
  if (dPos < 0) return parseGoDuration(data);
  let hours = 0n;
  if (dPos + 1 < data.length) {
    hours = parseGoDuration(data.slice(dPos + 1));
    if (hours < 0n) throw new DurationError(`invalid time format '${data.slice(dPos + 1)}'`);
  }
  let days: number;
  try {
    days = parseGoInt(data.slice(0, dPos));
  } catch (e) {
    throw new DurationError((e as Error).message);
  }
  if (days < 0) hours = -hours;
  return BigInt(days) * 86_400_000_000_000n + hours;
}

/** parseExtendedDurationBig as a JS number of ns (must fit 2^53, ~104 days). */
export function parseExtendedDurationNs(data: string): number {
  return toSafeNs(parseExtendedDurationBig(data));
}

/**
 * Decode a duration the way types.Duration.UnmarshalJSON does: strings go
 * through ParseExtendedDuration, JSON numbers are milliseconds.
 */
export function durationValueToNs(v: unknown): number {
  if (typeof v === 'string') return parseExtendedDurationNs(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DurationError(`'${String(v)}' is not a valid duration value`);
    return msNumberToNs(v);
  }
  throw new DurationError(`'${JSON.stringify(v)}' is not a valid duration value`);
}

/** Parse any k6 duration value to milliseconds. */
export function parseDuration(v: unknown): number {
  return nsToMs(durationValueToNs(v));
}

export function nsToMs(ns: number): number {
  return ns / 1e6;
}

/** Inverse of nsToMs for values produced by it (exact below ~52 days). */
export function msToNs(ms: number): number {
  return Math.round(ms * 1e6);
}

// fmtFrac from Go's time package: the fraction of v/10^prec without trailing
// zeros (and without the dot when the fraction is zero).
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  return [print ? `.${out}` : '', v];
}

/** Go's time.Duration.String, e.g. "1h0m0s", "1m30s", "1.5s", "500ms", "0s". */
export function formatGoDuration(nsIn: number | bigint): string {
  let u = BigInt(nsIn);
  const neg = u < 0n;
  if (neg) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1_000n) [prec, unit] = [0, 'ns'];
    else if (u < 1_000_000n) [prec, unit] = [3, 'µs'];
    else [prec, unit] = [6, 'ms'];
    const [frac, rest] = fmtFrac(u, prec);
    out = `${rest}${frac}${unit}`;
  } else {
    const [frac, secsTotal] = fmtFrac(u, 9);
    out = `${secsTotal % 60n}${frac}s`;
    const mins = secsTotal / 60n;
    if (mins > 0n) {
      out = `${mins % 60n}m${out}`;
      const hours = mins / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Format milliseconds the way k6 prints durations (Go's Duration.String). */
export function formatDuration(ms: number): string {
  return formatGoDuration(msToNs(ms));
}
