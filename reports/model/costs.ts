// Per-request costs measured in the run, the bridge from "what this sizing
// did" to "what a bigger wave needs": how many requests one web process
// serves within the objectives, CPU-seconds per request, Sidekiq jobs per
// request and job durations per queue. Everything is per HTTP request of the
// rehearsed mix, so a projection assumes the projected traffic costs the same.
import type { BreakingPoint } from './breaking-point.js';
import { combine, integral, valueAt } from './series.js';
import { uslThroughput, type UslFit } from './usl.js';
import type { Point, RunData } from './types.js';

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
  notes: string[];
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

  // Requests over time: the request-rate series if collected, else arrivals × requests per arrival.
  const requests = data.series.requestRate?.length ? combine(data.series.requestRate) : combine(data.series.throughput).map(([t, v]): Point => [t, v * rpa]);
  const totalRequests = integral(requests);

  const cpu = combine(data.series.webCpu);
  const cpuSecondsPerRequest = cpu.length > 1 && totalRequests > 0 ? integral(cpu) / totalRequests : null;
  if (cpuSecondsPerRequest === null) notes.push('web CPU per request not measured (no web CPU series)');

  const jobsPerRequest: Record<string, number> = {};
  const jobSeconds: Record<string, number> = {};
  const queues = new Set((data.series.sidekiqJobRate ?? []).map((s) => s.labels.queue).filter((q): q is string => !!q));
  for (const q of queues) {
    const rate = combine((data.series.sidekiqJobRate ?? []).filter((s) => s.labels.queue === q));
    const dur = combine((data.series.sidekiqJobDuration ?? []).filter((s) => s.labels.queue === q), 'max');
    if (totalRequests > 0) jobsPerRequest[q] = integral(rate) / totalRequests;
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
  if (queues.size === 0) notes.push('Sidekiq jobs per request not measured (no job-rate series); assumed values are used');

  let threadsPerWebProcess = sz.maxThreads;
  if (usable?.peakConcurrency !== null && usable?.peakConcurrency !== undefined && usable.peakConcurrency < sz.webConcurrency * sz.maxThreads) {
    threadsPerWebProcess = Math.max(1, Math.floor(usable.peakConcurrency / sz.webConcurrency));
    notes.push(
      `throughput peaked at ${usable.peakConcurrency.toFixed(1)} requests in flight, below the ${sz.webConcurrency * sz.maxThreads} threads tried: fewer threads per process (${threadsPerWebProcess}) and more processes`,
    );
  }
  return { requestsPerWebProcess, capacityBasis, cpuSecondsPerRequest, jobsPerRequest, jobSeconds, threadsPerWebProcess, notes };
}
