// The knee of the latency-vs-throughput curve: the load beyond which each
// extra request per second costs disproportionately more latency. That is the
// practical capacity even when no SLO has broken yet.
//
// Method: Kneedle (Satopää, Albrecht, Irwin, Raghavan, 2011), in its form for
// convex increasing curves (latency rises slowly, then steeply). Points are
// sorted by throughput and normalised to [0, 1] on both axes; the knee is the
// point furthest below the diagonal, i.e. the maximum of x̂ − ŷ. Points past
// saturation, where throughput stalls while latency climbs, sit near x̂ = 1
// with large ŷ and score low, so they do not pull the knee along. We take the
// global maximum instead of Kneedle's online threshold: a breakpoint run has
// a handful of windows, not a dense curve.
export interface Knee {
  index: number;
  x: number;
  y: number;
  /** max(x̂ − ŷ): 0 for a straight line, towards 1 for a sharp corner. */
  score: number;
}

export interface KneeOptions {
  /** Fewer points cannot show a bend (default 4). */
  minPoints?: number;
  /** A difference curve peaking lower than this is "no knee" (default 0.1). */
  minScore?: number;
}

/** The knee of y(x), or undefined when there are too few points or no clear bend; `index` refers to the input array. */
export function kneedle(points: ReadonlyArray<readonly [x: number, y: number]>, options: KneeOptions = {}): Knee | undefined {
  const usable = points
    .map(([x, y], index) => ({ x, y, index }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  if (usable.length < (options.minPoints ?? 4)) return undefined;
  const xs = usable.map((p) => p.x);
  const ys = usable.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0) || !(y1 > y0)) return undefined;
  let best: Knee | undefined;
  for (const p of usable) {
    const score = (p.x - x0) / (x1 - x0) - (p.y - y0) / (y1 - y0);
    if (!best || score > best.score) best = { index: p.index, x: p.x, y: p.y, score };
  }
  return best && best.score >= (options.minScore ?? 0.1) ? best : undefined;
}
