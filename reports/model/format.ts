// Numbers as an admin reads them in evidence and verdict text. One place, so
// the report never says "0.5 s" in one sentence and "500ms" in the next.

/** Up to `digits` significant digits, thousands separated: 1234.5 → "1,235", 0.01234 → "0.0123". */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  const decimals = abs >= 10 ** digits ? 0 : Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return x.toLocaleString('en-US', { maximumFractionDigits: Math.min(decimals, 6), minimumFractionDigits: 0 });
}

/** A rate: "40/s" or, with a unit, "40 signups/s". */
export function rate(x: number, unit = '/s'): string {
  return unit.startsWith('/') ? `${num(x)}${unit}` : `${num(x)} ${unit}`;
}

/** Seconds as ms below 1 s, seconds below 2 min, minutes above: 0.5 → "500 ms", 300 → "5 min". */
export function duration(sec: number): string {
  if (sec < 1) return `${num(sec * 1000)} ms`;
  if (sec < 120) return `${num(sec)} s`;
  if (sec < 7200) return `${num(sec / 60)} min`;
  return `${num(sec / 3600)} h`;
}

/** A moment in the run: "t=120 s". */
export function at(tSec: number): string {
  return `t=${num(Math.round(tSec), 6)} s`;
}

export function percent(fraction: number): string {
  return `${num(fraction * 100)} %`;
}

const GiB = 1024 ** 3;

export function bytes(b: number): string {
  if (b >= GiB) return `${num(b / GiB)} GiB`;
  if (b >= 1024 ** 2) return `${num(b / 1024 ** 2)} MiB`;
  if (b >= 1024) return `${num(b / 1024)} KiB`;
  return `${num(b)} B`;
}

/** Money with three decimals below 1 (per-user costs such as 0.018), whole units above. */
export function money(x: number, currency: string): string {
  const digits = Math.abs(x) < 1 ? 3 : 0;
  return `${currency} ${x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A range of money in one currency: "USD 0.010–0.018". */
export function moneyRange(low: number, high: number, currency: string): string {
  return `${money(low, currency)}–${money(high, currency).slice(currency.length + 1)}`;
}
