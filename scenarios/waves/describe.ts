// A one-line summary for logs, CLI listings and report headers.
import { averageRate, findPeak } from './curve.js';
import type { Wave } from './model.js';

/** '24h', '10m', '30d', '2.5s', '1h30m': the largest units that divide evenly. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toPrecision(3))}s`;
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const perSecond = (n: number) => `${Number(n.toPrecision(3))}/s`;

export function describeWave(wave: Wave): string {
  const peak = findPeak(wave);
  let line =
    `${wave.name}: ${count(wave.signups.total)} signups over ${humanDuration(wave.duration)}, ` +
    `peak ${perSecond(peak.rate)} at ${humanDuration(peak.at)} (average ${perSecond(averageRate(wave))})`;
  if (wave.baseline && wave.baseline.users > 0) line += `, ${count(wave.baseline.users)} existing users`;
  if (wave.compression !== 1) line += `, compressed ×${Number(wave.compression.toPrecision(4))}`;
  return line;
}
