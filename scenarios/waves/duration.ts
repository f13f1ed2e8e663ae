// k6 duration strings, both ways. k6 parses stage durations with Go's
// time.ParseDuration plus a `d` unit, and reads a bare number as milliseconds;
// we accept the same so a wave file can say `duration: 24h` and so generated
// stages can be checked by reading them back.

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  'µs': 1e-6,
  'μs': 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/** Seconds in a k6 duration ('1m30s', '500ms', '2.5s', '1d'); a bare number is ms. NaN if malformed. */
export function parseK6Duration(input: string | number): number {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input / 1000 : NaN;
  const text = input.trim();
  if (text === '') return NaN;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) / 1000;
  if (text === '0') return 0;
  PART.lastIndex = 0;
  let seconds = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== at) return NaN;
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2]!] ?? NaN);
  }
  return seconds;
}

/**
 * A k6 duration for a whole number of milliseconds. Stage lengths are kept in
 * integer ms so the string k6 reads is exactly the length we integrated over.
 */
export function formatK6Duration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`duration must be a whole, non-negative number of ms (got ${ms})`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
