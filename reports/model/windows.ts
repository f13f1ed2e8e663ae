// Cuts a breakpoint phase into load windows: one per step of a stepped phase,
// fixed-length slices of a ramp. Each window gets the rate it can be credited
// with ("held at least this rate for this long") and its mean throughput,
// concurrency and latency, which the breaking point, the knee and the
// scalability fit all read.
import { clip, combine, mean, min } from './series.js';
import type { Phase, Point, RunData } from './types.js';

export interface LoadWindow {
  start: number;
  end: number;
  /**
   * The offered rate the window held: a step's median (the generator's own
   * jitter aside, a step is one rate), or a ramp slice's minimum (every moment
   * of the slice ran at least that fast).
   */
  rate: number;
  /** Long enough (≥ minHoldSec) to count as sustained. */
  credited: boolean;
  throughput: number | null;
  concurrency: number | null;
  latencyP95: number | null;
}

export interface WindowOptions {
  /** A rate counts as sustained once held this long (default 30 s: two Prometheus 15 s steps). */
  minHoldSec?: number;
  /** Offered-rate points within this share of a step's first value belong to the step (default 2 %). */
  stepTolerance?: number;
}

/** The breakpoint phase, or undefined when the run had none. */
export function breakpointPhase(data: RunData): Phase | undefined {
  return data.phases.find((p) => p.kind === 'breakpoint');
}

// A phase's clock starts at the runner's first progress report after the load
// began (one a second), so its planned steps may end up to that much after it.
const STEP_CLOCK_SLACK_SEC = 1;

export function loadWindows(data: RunData, phase: Pick<Phase, 'startSec' | 'endSec' | 'shape' | 'steps'>, options: WindowOptions = {}) {
  let minHold = options.minHoldSec ?? 30;
  const offered = clip(combine(data.series.offeredRate), phase.startSec, phase.endSec);
  const shape = phase.steps?.length ? 'stepped' : (phase.shape ?? detectShape(offered, minHold, options.stepTolerance ?? 0.02));
  let spans: { start: number; end: number; rate: number; cutShort?: boolean }[];
  if (phase.steps?.length) {
    // The runner's own steps: each judged after its first rate window, which
    // still averages in the step before (at most its first half, for short
    // steps); every step the plan held counts. A phase that ended early
    // (Ctrl-C, a crashed target) held only the steps it finished: the plan's
    // steps are cut at its end, and the one it was in is not credited.
    const lag = data.rateWindowSec ?? 0;
    const planned = phase.steps.map((s) => ({ start: s.startSec + Math.min(lag, (s.endSec - s.startSec) / 2), end: s.endSec, rate: s.rate }));
    minHold = Math.min(minHold, ...planned.map((s) => s.end - s.start));
    spans = planned.map((s) => ({ ...s, end: Math.min(s.end, phase.endSec), cutShort: s.end - phase.endSec > STEP_CLOCK_SLACK_SEC }));
  } else spans = shape === 'stepped' ? steps(offered, options.stepTolerance ?? 0.02, phase.endSec) : slices(offered, phase, minHold);
  const throughput = combine(data.series.throughput);
  const concurrency = combine(data.series.concurrency);
  const p95 = combine(data.series.latencyP95, 'max');
  // A lone sample at the phase's last instant makes an empty span: nothing was held there.
  const windows: LoadWindow[] = spans.filter((w) => w.end > w.start).map(({ start, end, rate, cutShort }) => {
    const inside = (pts: Point[]) => pts.filter(([t]) => t >= start && t < end);
    return {
      start,
      end,
      rate,
      credited: !cutShort && end - start >= minHold,
      throughput: mean(inside(throughput)) ?? null,
      concurrency: mean(inside(concurrency)) ?? null,
      latencyP95: mean(inside(p95)) ?? null,
    };
  });
  return { shape, windows };
}

/** Stepped if steps held for minHold cover most (60 %) of the phase; otherwise a ramp. */
function detectShape(offered: Point[], minHold: number, tol: number): 'stepped' | 'ramping' {
  if (offered.length < 2) return 'stepped';
  const total = offered[offered.length - 1]![0] - offered[0]![0];
  const held = steps(offered, tol, offered[offered.length - 1]![0])
    .filter((s) => s.end - s.start >= minHold)
    .reduce((sum, s) => sum + (s.end - s.start), 0);
  return total > 0 && held / total >= 0.6 ? 'stepped' : 'ramping';
}

/** Runs of points within `tol` of the run's first value; each ends where the next begins. */
function steps(offered: Point[], tol: number, phaseEnd: number) {
  const groups: Point[][] = [];
  for (const p of offered) {
    const g = groups[groups.length - 1];
    const ref = g?.[0]?.[1];
    if (g && ref !== undefined && Math.abs(p[1] - ref) <= tol * Math.max(Math.abs(ref), 1e-9)) g.push(p);
    else groups.push([p]);
  }
  return groups.map((g, i) => {
    const next = groups[i + 1]?.[0]?.[0];
    const values = g.map(([, v]) => v).sort((a, b) => a - b);
    return { start: g[0]![0], end: next ?? Math.max(phaseEnd, g[g.length - 1]![0]), rate: values[Math.floor((values.length - 1) / 2)]! };
  });
}

/** Fixed slices of minHold seconds; a short tail becomes its own (uncredited) slice. */
function slices(offered: Point[], phase: Pick<Phase, 'startSec' | 'endSec'>, minHold: number) {
  const out: { start: number; end: number; rate: number }[] = [];
  for (let start = phase.startSec; start < phase.endSec; start += minHold) {
    const end = Math.min(start + minHold, phase.endSec);
    const inside = offered.filter(([t]) => t >= start && (t < end || (end === phase.endSec && t <= end)));
    const rate = min(inside);
    if (rate !== undefined) out.push({ start, end, rate });
  }
  return out;
}
