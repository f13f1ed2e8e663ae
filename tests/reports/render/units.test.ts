import { describe, expect, it } from 'vitest';
import { axisUnit, formatNumber, formatSig, formatValue, stepDecimals } from '../../../reports/render/charts/units.js';

describe('unit formatting', () => {
  it.each([
    [480, 'ms', '480 ms'],
    [12.34, 'ms', '12.3 ms'],
    [1234, 'ms', '1.23 s'],
    [999.7, 'ms', '1 s'],
    [0.42, 'ms', '420 µs'],
    [0, 'ms', '0 ms'],
    [2.5, 's', '2.5 s'],
    [0.25, 's', '250 ms'],
    [512, 'bytes', '512 B'],
    [1536, 'bytes', '1.5 KiB'],
    [20 * 1024 ** 2, 'bytes', '20 MiB'],
    [1.2 * 1024 ** 3, 'bytes', '1.2 GiB'],
    [1023.9, 'bytes', '1 KiB'],
    [3 * 1024 ** 2, 'bytes/s', '3 MiB/s'],
    [1234, 'req/s', '1,234 req/s'],
    [12345, 'req/s', '12.3k req/s'],
    [2_500_000, 'req/s', '2.5M req/s'],
    [42, '%', '42%'],
    [0.425, 'ratio', '42.5%'],
    [7, 'count', '7'],
    [3, 'accounts', '3 accounts'],
  ] as const)('%d %s → %s', (v, unit, expected) => {
    expect(formatValue(v, unit)).toBe(expected);
  });

  it('never prints -0 or locale-dependent separators', () => {
    expect(formatNumber(-0.0001, 2)).toBe('0.00');
    expect(formatNumber(1234567.891, 1)).toBe('1,234,567.9');
    expect(formatNumber(-1234, 0)).toBe('-1,234');
    expect(formatSig(NaN)).toBe('–');
    expect(formatSig(Infinity)).toBe('∞');
  });

  it('chooses one display unit per axis', () => {
    expect(axisUnit('ms', 800)).toEqual({ divisor: 1, label: 'ms', suffix: '' });
    expect(axisUnit('ms', 4500)).toEqual({ divisor: 1000, label: 's', suffix: '' });
    expect(axisUnit('s', 0.3)).toEqual({ divisor: 0.001, label: 'ms', suffix: '' });
    expect(axisUnit('bytes', 3e9).label).toBe('GiB');
    expect(axisUnit('req/s', 1500)).toEqual({ divisor: 1, label: 'req/s', suffix: '' });
    expect(axisUnit('req/s', 25000)).toEqual({ divisor: 1000, label: 'req/s', suffix: 'k' });
    expect(axisUnit('ratio', 1).label).toBe('%');
  });

  it('shows tick steps exactly', () => {
    expect([0.2, 0.05, 5, 200, 0.0005].map(stepDecimals)).toEqual([1, 2, 0, 0, 4]);
  });
});
