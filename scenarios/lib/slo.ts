// Thresholds from the SLO knobs. Latency and error thresholds are filtered to
// the scenario's own samples (setup()'s cohort signups carry no `scenario` tag)
// and to requests to the instance (`target:mastodon`), so mail-API polling and
// preparation never count against the instance. http_req_failed relies on k6's
// default response callback (2xx/3xx expected); only a throttle rehearsal
// (EXPECT_THROTTLES) marks 429 as expected, per request.
import type { SloConfig } from './env.js';

export type Thresholds = Record<string, string[]>;

/** The target tag every request carries: the instance, or the mail API beside it. */
export const TARGET_TAG = 'target';
export const TARGET_MASTODON = 'mastodon';
export const TARGET_MAIL = 'mail';

const num = (n: number) => String(Number(n.toPrecision(6)));

/** `metric{scenario:x,target:mastodon}` */
export function submetric(metric: string, scenario: string): string {
  return `${metric}{scenario:${scenario},${TARGET_TAG}:${TARGET_MASTODON}}`;
}

export function sloThresholds(slo: SloConfig, scenario: string, opts: { signups?: boolean } = {}): Thresholds {
  const t: Thresholds = {
    [submetric('http_req_duration', scenario)]: [`p(95)<${num(slo.p95Ms)}`, `p(99)<${num(slo.p99Ms)}`],
    [submetric('http_req_failed', scenario)]: [`rate<${num(slo.errorRate)}`],
  };
  if (opts.signups) t[`signup_duration{scenario:${scenario}}`] = [`p(95)<${num(slo.signupP95Ms)}`];
  return t;
}

/** The summary's trend columns: k6's defaults plus p(99), which the SLO names. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
