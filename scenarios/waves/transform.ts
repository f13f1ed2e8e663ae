// Reshaping a wave without changing its story: compress plays the same wave
// faster (a day in ten minutes), scale plays it on a bigger or smaller instance.
import { WaveError } from './errors.js';
import { ENDPOINTS } from './activity-defaults.js';
import type { Activity, Wave } from './model.js';

function checkFactor(what: string, factor: number): void {
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) {
    throw new WaveError(`${what} must be a finite number greater than 0 (got ${String(factor)})`);
  }
}

function timesRates(activity: Activity, factor: number): Activity {
  const out = { ...activity };
  for (const e of ENDPOINTS) out[e] = activity[e] * factor;
  // streamingShare is a share of people, not a rate: time compression leaves it alone.
  return out;
}

/**
 * Play the wave `factor` times faster: every time (duration, front, decay,
 * the day's period and phase, retention horizon) ÷ factor and every per-hour rate × factor, so
 * each person does a day's worth of requests in the compressed day and the
 * signup total is unchanged. compress(w, 144) turns a day into 10 minutes.
 */
export function compress(wave: Wave, factor: number): Wave {
  checkFactor('compress factor', factor);
  return {
    ...wave,
    duration: wave.duration / factor,
    signups: { ...wave.signups, peakAt: wave.signups.peakAt / factor, decay: wave.signups.decay / factor },
    diurnal: { ...wave.diurnal, phase: wave.diurnal.phase / factor, period: wave.diurnal.period / factor },
    retentionHorizon: wave.retentionHorizon / factor,
    newcomers: timesRates(wave.newcomers, factor),
    ...(wave.baseline ? { baseline: { ...wave.baseline, activity: timesRates(wave.baseline.activity, factor) } } : {}),
    compression: wave.compression * factor,
  };
}

/**
 * The same wave on an instance x times the size: signups and existing users × x.
 * Per-person activity is unchanged, so every aggregate rate scales by x too.
 * Totals may become fractional; k6 starts an iteration per whole unit of area.
 */
export function scale(wave: Wave, x: number): Wave {
  checkFactor('scale factor', x);
  return {
    ...wave,
    signups: { ...wave.signups, total: wave.signups.total * x },
    ...(wave.baseline ? { baseline: { ...wave.baseline, users: wave.baseline.users * x } } : {}),
  };
}
