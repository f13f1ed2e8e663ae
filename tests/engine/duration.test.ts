import { describe, expect, it } from 'vitest';
import {
  durationValueToNs,
  formatDuration,
  formatGoDuration,
  parseDuration,
  parseExtendedDurationBig,
  parseGoDuration,
} from '../../infra/engines/node/duration.js';

const S = 1_000_000_000n;
const H = 3600n * S;

describe('k6 duration parsing (lib/types ParseExtendedDuration)', () => {
  // Cases from k6's TestParseExtendedDuration.
  it.each([
    ['1.12s', 1_120_000_000n],
    ['0d1.12s', 1_120_000_000n],
    ['10d1.12s', 240n * H + 1_120_000_000n],
    ['1s', S],
    ['1d', 24n * H],
    ['20d', 480n * H],
    ['1d23h', 47n * H],
    ['1d24h15m', 48n * H + 15n * 60n * S],
    ['1d25h80m', 50n * H + 20n * 60n * S],
    ['0d25h120m80s', 27n * H + 80n * S],
    ['-1d2h', -26n * H],
    ['-1d24h', -48n * H],
    ['2d1ns', 48n * H + 1n],
    ['-2562047h47m16.854775807s', -(2n ** 63n) + 1n],
    ['-106751d23h47m16.854775807s', -(2n ** 63n) + 1n],
    ['2562047h47m16.854775807s', 2n ** 63n - 1n],
    ['106751d23h47m16.854775807s', 2n ** 63n - 1n],
  ])('%s', (input, ns) => {
    expect(parseExtendedDurationBig(input)).toBe(ns);
  });

  it.each(['', 'd', 'd2h', '2.1d', '2d-2h', '-2d-2h', '2+d', '2da', '2-d'])('rejects %j', (input) => {
    expect(() => parseExtendedDurationBig(input)).toThrow();
  });

  it('treats bare numbers and numeric strings as milliseconds', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('0.5')).toBe(0.5);
    expect(parseDuration('1e3')).toBe(1000);
    expect(durationValueToNs(2.5)).toBe(2_500_000);
  });

  it('uses Go syntax and Go error messages', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5us')).toBe(0.0015);
    expect(parseDuration('1.5µs')).toBe(0.0015);
    expect(parseGoDuration('.5s')).toBe(500_000_000n);
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
    expect(() => parseGoDuration('9223372036854775808ns')).toThrow('time: invalid duration');
    expect(() => durationValueToNs(true)).toThrow("'true' is not a valid duration value");
  });
});

describe('formatting like Go time.Duration.String', () => {
  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_100n, '1.1µs'],
    [2_200_000n, '2.2ms'],
    [3_300_000_000n, '3.3s'],
    [4n * 60n * S + 5n * S, '4m5s'],
    [4n * H + 5n * 60n * S + 6_001_000_000n, '4h5m6.001s'],
    [H, '1h0m0s'],
    [-90n * S, '-1m30s'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
  ])('%s ns → %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });

  it('formats milliseconds', () => {
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(600_000)).toBe('10m0s');
    expect(formatDuration(0.5)).toBe('500µs');
  });
});
