// "At what rate does my instance break?" From the breakpoint phase (stepped or
// ramping offered load): the highest rate held for a whole window with every
// objective met, the rate and objective at the first break, and the knee of
// latency vs throughput.
//
// A window breaks if any SLO is violated at any sample inside it, or if the
// instance fell behind (throughput below `keepUp` of the offered rate: the
// open-model generator is piling up work the instance never finishes). The
// first broken window ends the search even if later windows look fine again:
// a capacity you only sometimes have is not one to plan with.
import { kneedle } from './knee.js';
import { clip, combine, mean, valueAt } from './series.js';
import { sloChecks, violates, type Slos } from './slo.js';
import { at, duration, num, rate as fmtRate } from './format.js';
import { breakpointPhase, loadWindows, type WindowOptions } from './windows.js';
import type { RunData } from './types.js';

export interface BreakingPointOptions extends WindowOptions {
  /** Throughput below this share of the offered rate counts as a break (default 0.9). */
  keepUp?: number;
}

export interface BreakWindow {
  start: number;
  end: number;
  rate: number;
  credited: boolean;
  throughput: number | null;
  latencyP95: number | null;
  concurrency: number | null;
  /** SLO ids (and 'throughput') violated inside the window; empty when it held. */
  violated: string[];
  /** Earliest violation in the window. */
  brokeAt: number | null;
}

export type BreakStatus = 'broke' | 'did-not-break' | 'broke-at-start' | 'not-measured';

export interface BreakingPoint {
  status: BreakStatus;
  rateUnit: string;
  phase: { name: string; startSec: number; endSec: number; shape: 'stepped' | 'ramping' } | null;
  /** Highest credited rate with every objective met, before the first break; null if none. */
  sustainedRate: number | null;
  maxOfferedRate: number | null;
  brokeAt: { t: number; rate: number; violated: string[]; names: string[] } | null;
  knee: { throughput: number; latencyP95: number; rate: number; t: number; score: number } | null;
  windows: BreakWindow[];
  summary: string;
}

export function findBreakingPoint(data: RunData, slos: Slos, options: BreakingPointOptions = {}): BreakingPoint {
  const unit = data.rateUnit;
  const phase = breakpointPhase(data);
  if (!phase) {
    return {
      status: 'not-measured',
      rateUnit: unit,
      phase: null,
      sustainedRate: null,
      maxOfferedRate: null,
      brokeAt: null,
      knee: null,
      windows: [],
      summary: 'No breakpoint phase in this run, so the breaking point was not measured.',
    };
  }
  const keepUp = options.keepUp ?? 0.9;
  const { shape, windows: raw } = loadWindows(data, phase, options);
  if (raw.length === 0) {
    return {
      status: 'not-measured',
      rateUnit: unit,
      phase: { name: phase.name, startSec: phase.startSec, endSec: phase.endSec, shape },
      sustainedRate: null,
      maxOfferedRate: null,
      brokeAt: null,
      knee: null,
      windows: [],
      summary: `The ${phase.name} phase has no offered-rate samples, so the breaking point was not measured.`,
    };
  }
  const checks = sloChecks(data, slos).filter((c) => c.points);
  const offered = combine(data.series.offeredRate);
  const names = new Map(checks.map((c) => [c.id, c.name]));
  names.set('throughput', 'throughput (fell behind the offered rate)');

  const windows: BreakWindow[] = raw.map((w) => {
    const firstAt = new Map<string, number>();
    for (const c of checks) {
      const first = c.points!.find(([t, v]) => t >= w.start && t < w.end && violates(c, v));
      if (first) firstAt.set(c.id, first[0]);
    }
    const offeredMean = mean(offered.filter(([t]) => t >= w.start && t < w.end));
    if (w.throughput !== null && offeredMean !== undefined && offeredMean > 0 && w.throughput < keepUp * offeredMean) {
      // Known only over the whole window, so it sorts after any objective that broke inside it.
      firstAt.set('throughput', w.end);
    }
    // Ordered by who broke first inside the window, so the summary names the cause.
    const violated = [...firstAt.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    const brokeAt = violated.length === 0 ? null : violated[0] === 'throughput' ? w.start : firstAt.get(violated[0]!)!;
    return { ...w, violated, brokeAt };
  });

  const firstBroken = windows.findIndex((w) => w.violated.length > 0);
  const before = firstBroken === -1 ? windows : windows.slice(0, firstBroken);
  const heldRates = before.filter((w) => w.credited).map((w) => w.rate);
  const sustainedRate = heldRates.length ? Math.max(...heldRates) : null;
  const maxOfferedRate = windows.length ? Math.max(...windows.map((w) => w.rate)) : null;
  const broken = windows[firstBroken];
  const brokeAt = broken
    ? {
        t: broken.brokeAt!,
        rate: valueAt(clip(offered, phase.startSec, phase.endSec), broken.brokeAt!) ?? broken.rate,
        violated: broken.violated,
        names: broken.violated.map((id) => names.get(id) ?? id),
      }
    : null;
  const status: BreakStatus = !broken ? 'did-not-break' : sustainedRate === null ? 'broke-at-start' : 'broke';

  const kneePoints = windows
    .filter((w) => w.throughput !== null && w.latencyP95 !== null)
    .map((w) => ({ w, xy: [w.throughput!, w.latencyP95!] as const }));
  const k = kneedle(kneePoints.map((p) => p.xy));
  const kw = k ? kneePoints[k.index]!.w : undefined;
  const knee = k && kw ? { throughput: k.x, latencyP95: k.y, rate: kw.rate, t: kw.start, score: k.score } : null;

  const result: BreakingPoint = {
    status,
    rateUnit: unit,
    phase: { name: phase.name, startSec: phase.startSec, endSec: phase.endSec, shape },
    sustainedRate,
    maxOfferedRate,
    brokeAt,
    knee,
    windows,
    summary: '',
  };
  result.summary = summarise(result, options.minHoldSec ?? 30);
  return result;
}

function summarise(b: BreakingPoint, minHold: number): string {
  const r = (x: number) => fmtRate(x, b.rateUnit);
  const what = b.brokeAt ? `${b.brokeAt.names[0]}${b.brokeAt.names.length > 1 ? ` (then ${b.brokeAt.names.slice(1).join(', ')})` : ''}` : '';
  let text: string;
  if (b.status === 'did-not-break') {
    text = `Did not break up to ${r(b.maxOfferedRate ?? 0)}: every objective held at every load tried, so capacity is above that.`;
  } else if (b.status === 'broke-at-start') {
    text = `Broke at the lowest load tried: ${what} failed at ${r(b.brokeAt!.rate)} (${at(b.brokeAt!.t)}); start the breakpoint lower to find a rate that holds.`;
  } else {
    text = `All objectives held up to ${r(b.sustainedRate!)} (sustained for at least ${duration(minHold)}); ${what} broke first, at ${r(b.brokeAt!.rate)} (${at(b.brokeAt!.t)}).`;
  }
  if (b.knee) text += ` Latency's knee: ${r(b.knee.throughput)} achieved, p95 ${duration(b.knee.latencyP95)} (score ${num(b.knee.score, 2)}).`;
  return text;
}
