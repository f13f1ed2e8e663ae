// Number and unit formatting for labels. Written by hand instead of
// Intl/toLocaleString so a report renders byte-for-byte the same on every
// machine and locale (reports are diffed and cached by CI).

/**
 * Units the report knows. `%` takes percents (42 → 42%), `ratio` takes
 * fractions (0.42 → 42%). Any other string is printed after the number.
 */
export type Unit = 'ms' | 's' | 'req/s' | '%' | 'ratio' | 'bytes' | 'bytes/s' | 'count' | 'none' | (string & {});

const NO_VALUE = '–';

/** Inserts thousands separators into an already formatted non-negative decimal. */
function group(digits: string): string {
  const [int = '', frac] = digits.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** Fixed decimals with thousands separators: formatNumber(12345.678, 1) → "12,345.7". */
export function formatNumber(value: number, decimals = 0): string {
  if (Number.isNaN(value)) return NO_VALUE;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const fixed = Math.abs(value).toFixed(Math.max(0, Math.min(20, decimals)));
  const negative = value < 0 && Number(fixed) !== 0; // no "-0"
  return (negative ? '-' : '') + group(fixed);
}

/** About three significant digits, whole numbers from 100 up: 0.0423, 4.23, 42.3, 423, 4,235. */
export function formatSig(value: number): string {
  if (Number.isNaN(value)) return NO_VALUE;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 99.95) return formatNumber(value, 0);
  const s = String(Number(abs.toPrecision(3)));
  return (value < 0 ? '-' : '') + (s.includes('e') ? abs.toExponential(2) : s);
}

interface Step {
  factor: number;
  label: string;
}

const DURATION_FROM_MS: Step[] = [
  { factor: 0.001, label: 'µs' },
  { factor: 1, label: 'ms' },
  { factor: 1000, label: 's' },
];
const BYTES: Step[] = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'].map((label, i) => ({ factor: 1024 ** i, label }));
const SI: Step[] = [
  { factor: 1, label: '' },
  { factor: 1e3, label: 'k' },
  { factor: 1e6, label: 'M' },
  { factor: 1e9, label: 'G' },
];

/** The largest step the value reaches, judged after rounding so 999.7 ms prints as 1 s, not "1,000 ms". */
function pick(steps: Step[], abs: number): Step {
  let chosen = steps[0]!;
  for (const s of steps) if (Number((abs / s.factor).toPrecision(3)) >= 1) chosen = s;
  return chosen;
}

function siSuffix(value: number, unit: string): string {
  // Plain integers up to 9,999 read better than "1.23k"; abbreviate beyond.
  const abs = Math.abs(value);
  const step = abs < 9999.5 ? SI[0]! : pick(SI, abs);
  const n = formatSig(value / step.factor) + step.label;
  return unit ? `${n} ${unit}` : n;
}

/** A single value with its unit, e.g. for a table cell or an annotation: "480 ms", "1.23 s", "1.5 GiB". */
export function formatValue(value: number, unit: Unit = 'none'): string {
  if (!Number.isFinite(value)) return formatSig(value);
  const abs = Math.abs(value);
  switch (unit) {
    case 'ms':
    case 's': {
      const ms = unit === 's' ? value * 1000 : value;
      if (ms === 0) return `0 ${unit}`;
      const step = pick(DURATION_FROM_MS, Math.abs(ms));
      return `${formatSig(ms / step.factor)} ${step.label}`;
    }
    case 'bytes':
    case 'bytes/s': {
      const step = pick(BYTES, abs);
      return `${formatSig(value / step.factor)} ${step.label}${unit === 'bytes/s' ? '/s' : ''}`;
    }
    case '%':
      return `${formatSig(value)}%`;
    case 'ratio':
      return `${formatSig(value * 100)}%`;
    case 'count':
    case 'none':
    case '':
      return siSuffix(value, '');
    default:
      return siSuffix(value, unit);
  }
}

/**
 * How an axis shows a unit: tick values are divided by `divisor`, printed with
 * `suffix` ("k"), and the axis title carries `label` ("Latency (s)"). Chosen
 * from the largest magnitude on the axis so every tick shares one unit.
 */
export interface AxisUnit {
  divisor: number;
  label: string;
  suffix: string;
}

export function axisUnit(unit: Unit, maxAbs: number): AxisUnit {
  const m = Number.isFinite(maxAbs) ? Math.abs(maxAbs) : 0;
  switch (unit) {
    case 'ms':
    case 's': {
      const ms = unit === 's' ? m * 1000 : m;
      const step = ms === 0 ? DURATION_FROM_MS[1]! : pick(DURATION_FROM_MS, ms);
      return { divisor: unit === 's' ? step.factor / 1000 : step.factor, label: step.label, suffix: '' };
    }
    case 'bytes':
    case 'bytes/s': {
      const step = pick(BYTES, m);
      return { divisor: step.factor, label: step.label + (unit === 'bytes/s' ? '/s' : ''), suffix: '' };
    }
    case '%':
      return { divisor: 1, label: '%', suffix: '' };
    case 'ratio':
      return { divisor: 0.01, label: '%', suffix: '' };
    default: {
      const step = m < 9999.5 ? SI[0]! : pick(SI, m);
      const label = unit === 'count' || unit === 'none' ? '' : unit;
      return { divisor: step.factor, label, suffix: step.label };
    }
  }
}

/** Decimals that show a tick step exactly: 0.2 → 1, 0.05 → 2, 5 → 0. */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.min(20, Math.ceil(-Math.log10(step) - 1e-9)));
}
