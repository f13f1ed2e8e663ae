// Per-request costs measured in the run, the bridge from "what this sizing
// did" to "what a bigger wave needs": how many requests one web process
// serves within the objectives, CPU-seconds per request, Sidekiq jobs per
// request and job durations per queue. Signup traffic (breakpoint and wave
// phases) and the newcomers' everyday requests (an activity phase) cost very
// different amounts, bcrypt and an RSA key against a feed read, so each is
// measured over its own phases and projected separately.
import type { BreakingPoint } from './breaking-point.js';
import { clip, combine, integral, valueAt } from './series.js';
import { uslThroughput, type UslFit } from './usl.js';
import type { Phase, Point, RunData, Series } from './types.js';

export interface MeasuredCosts {
  /** HTTP requests per second one web process served with every objective met; null if not measured. */
  requestsPerWebProcess: number | null;
  /** How that number was obtained, in words. */
  capacityBasis: string;
  /** Web CPU-seconds per HTTP request; null without a web CPU series. */
  cpuSecondsPerRequest: number | null;
  /** Sidekiq jobs per HTTP request, by queue (only queues seen in the run). */
  jobsPerRequest: Record<string, number>;
  /** Mean job duration in seconds, by queue. */
  jobSeconds: Record<string, number>;
  /** Threads per web process worth keeping (fewer than MAX_THREADS if the fit shows threads hurting). */
  threadsPerWebProcess: number;
  /** The same costs for the newcomers' everyday requests, from the activity phases; null without one. */
  activity: RequestCosts | null;
  notes: string[];
}

/** What one HTTP request of a traffic mix costs. */
export interface RequestCosts {
  requests: number;
  cpuSecondsPerRequest: number | null;
  jobsPerRequest: Record<string, number>;
  jobSeconds: Record<string, number>;
}

/** A fit explaining less than this share of the variance is not used for sizing. */
const USL_MIN_R2 = 0.9;
/** Never extrapolate capacity beyond this multiple of the highest load actually tried. */
const MAX_EXTRAPOLATION = 2;

export function measureCosts(data: RunData, bp: BreakingPoint, usl: UslFit | null): MeasuredCosts {
  const sz = data.sizing;
  const rpa = data.requestsPerArrival;
  const notes: string[] = [];
  const perProcess = (arrivals: number) => (arrivals * rpa) / sz.webConcurrency;
  const usable = usl && usl.r2 !== null && usl.r2 >= USL_MIN_R2 ? usl : null;

  let requestsPerWebProcess: number | null = null;
  let capacityBasis: string;
  if (bp.status === 'broke' && bp.sustainedRate !== null) {
    requestsPerWebProcess = perProcess(bp.sustainedRate);
    capacityBasis = `the breaking point: ${bp.sustainedRate} ${data.rateUnit} held with every objective met, over ${sz.webConcurrency} web processes`;
  } else if (bp.status === 'did-not-break' && bp.maxOfferedRate !== null) {
    const tried = bp.maxOfferedRate;
    const fitted = usable ? Math.min(uslThroughput(usable, sz.webConcurrency * sz.maxThreads), usable.maxThroughput ?? Infinity) : 0;
    if (fitted > tried) {
      const x = Math.min(fitted, MAX_EXTRAPOLATION * tried);
      requestsPerWebProcess = perProcess(x);
      capacityBasis = `the scalability fit at ${sz.webConcurrency * sz.maxThreads} threads (${x.toFixed(1)} ${data.rateUnit}, extrapolated past the ${tried} tried, capped at ${MAX_EXTRAPOLATION}×)`;
    } else {
      requestsPerWebProcess = perProcess(tried);
      capacityBasis = `a lower bound: the run did not break up to ${tried} ${data.rateUnit}`;
    }
  } else {
    capacityBasis = bp.status === 'broke-at-start' ? 'not measured: the breakpoint broke at its lowest load' : 'not measured: no breakpoint samples';
  }

  // Rate samples lag their phase by one rate window: an activity phase's first
  // window still holds signups, and the window after it still holds activity.
  const lag = data.rateWindowSec ?? 0;
  const activitySpans = data.phases.filter((p) => p.kind === 'activity');
  const signups = requestCosts(data, (points) => outside(points, activitySpans, lag), rpa);
  if (signups.cpuSecondsPerRequest === null) notes.push('web CPU per request not measured (no web CPU series)');
  if (Object.keys(signups.jobsPerRequest).length === 0) notes.push('Sidekiq jobs per request not measured (no job-rate series); assumed values are used');
  let activity: RequestCosts | null = null;
  if (activitySpans.length) {
    activity = requestCosts(data, (points) => activitySpans.flatMap((p) => clip(points, Math.min(p.startSec + lag, p.endSec), p.endSec)), 1);
    if (activity.requests <= 0) {
      notes.push('the activity phase served no requests, so everyday requests are costed like signup requests');
      activity = null;
    }
  } else notes.push('no activity phase: the newcomers\' everyday requests are costed like signup requests, which overstates them');

  let threadsPerWebProcess = sz.maxThreads;
  if (usable?.peakConcurrency !== null && usable?.peakConcurrency !== undefined && usable.peakConcurrency < sz.webConcurrency * sz.maxThreads) {
    threadsPerWebProcess = Math.max(1, Math.floor(usable.peakConcurrency / sz.webConcurrency));
    notes.push(
      `throughput peaked at ${usable.peakConcurrency.toFixed(1)} requests in flight, below the ${sz.webConcurrency * sz.maxThreads} threads tried: fewer threads per process (${threadsPerWebProcess}) and more processes`,
    );
  }
  return {
    requestsPerWebProcess,
    capacityBasis,
    cpuSecondsPerRequest: signups.cpuSecondsPerRequest,
    jobsPerRequest: signups.jobsPerRequest,
    jobSeconds: { ...activity?.jobSeconds, ...signups.jobSeconds },
    threadsPerWebProcess,
    activity,
    notes,
  };
}

function outside(points: Point[], spans: readonly Phase[], lag: number): Point[] {
  return points.filter(([t]) => !spans.some((p) => t >= p.startSec && t <= p.endSec + lag));
}

/** Web CPU, jobs and job durations per HTTP request, over the samples `pick` keeps. */
function requestCosts(data: RunData, pick: (points: Point[]) => Point[], requestsPerArrival: number): RequestCosts {
  const s = data.series;
  // Requests over time: the request-rate series if collected, else arrivals × requests per arrival.
  const requests = pick(s.requestRate?.length ? combine(s.requestRate) : combine(s.throughput).map(([t, v]): Point => [t, v * requestsPerArrival]));
  const total = integral(requests);
  const cpu = pick(combine(s.webCpu));
  const cpuSecondsPerRequest = cpu.length > 1 && total > 0 ? integral(cpu) / total : null;

  const jobsPerRequest: Record<string, number> = {};
  const jobSeconds: Record<string, number> = {};
  const byQueue = (list: Series[] | undefined, q: string) => (list ?? []).filter((x) => x.labels.queue === q);
  const queues = new Set((s.sidekiqJobRate ?? []).map((x) => x.labels.queue).filter((q): q is string => !!q));
  for (const q of queues) {
    const rate = pick(combine(byQueue(s.sidekiqJobRate, q)));
    const dur = combine(byQueue(s.sidekiqJobDuration, q), 'max');
    if (total > 0) jobsPerRequest[q] = integral(rate) / total;
    // Weighted by jobs finished, so idle stretches with stale durations do not count.
    let jobs = 0;
    let busy = 0;
    for (const [t, r] of rate) {
      const d = valueAt(dur, t);
      if (d === undefined || !(r > 0)) continue;
      jobs += r;
      busy += r * d;
    }
    if (jobs > 0) jobSeconds[q] = busy / jobs;
  }
  return { requests: total, cpuSecondsPerRequest, jobsPerRequest, jobSeconds };
}
