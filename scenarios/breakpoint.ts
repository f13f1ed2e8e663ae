// breakpoint: newcomers arriving in rising steps (BP_START_RATE, +BP_STEP_RATE
// every BP_STEP_DURATION, BP_STEPS times) to find the highest signup rate at
// which the instance still meets its SLOs. Each step ramps in one second and
// then holds, so every step is a plateau the report can judge on its own.
import exec from 'k6/execution';
import { readBreakpointConfig } from './lib/env.js';
import { MailApi } from './lib/mailpit.js';
import { Mastodon } from './lib/mastodon.js';
import { signUpNewcomer } from './lib/newcomer.js';
import { preflight } from './lib/cohort.js';
import { SUMMARY_TREND_STATS, sloThresholds } from './lib/slo.js';
import { syntheticUser } from './lib/users.js';
import { suggestVUs } from './waves/stages.js';

const SCENARIO = 'breakpoint';
const NAMESPACE = 'b';

const cfg = readBreakpointConfig(__ENV);
const userOptions = { namespace: NAMESPACE, emailDomain: cfg.users.emailDomain, clientIps: cfg.users.clientIps };

// k6 reads arrival rates as whole numbers: per minute keeps fractional signup rates exact enough.
const perMinute = (perSecond: number) => Math.round(perSecond * 60);
const rates = Array.from({ length: cfg.steps }, (_, i) => cfg.startRate + i * cfg.stepRate);
const stages = rates.flatMap((rate) => [
  { duration: '1s', target: perMinute(rate) },
  { duration: `${Math.max(1, Math.round(cfg.stepS - 1))}s`, target: perMinute(rate) },
]);
const vus = suggestVUs(rates[rates.length - 1]!, cfg.expectedIterationS);

export const options = {
  scenarios: {
    [SCENARIO]: {
      executor: 'ramping-arrival-rate',
      startRate: perMinute(cfg.startRate),
      timeUnit: '1m',
      stages,
      preAllocatedVUs: vus.preAllocatedVUs,
      maxVUs: vus.maxVUs,
      gracefulStop: '30s',
    },
  },
  thresholds: sloThresholds(cfg.slo, SCENARIO, { signups: true }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  userAgent: 'mastodon-surge/0.1 (breakpoint; k6)',
};

const api = new Mastodon({ baseUrl: cfg.target.baseUrl, forwardedProto: cfg.target.forwardedProto, acceptThrottled: false });
const mail = cfg.target.mailApiUrl ? new MailApi(cfg.target.mailApiUrl, cfg.mail) : undefined;

export async function setup(): Promise<void> {
  console.log(
    `breakpoint: ${cfg.steps} steps of ${cfg.stepS} s from ${cfg.startRate}/s to ${rates[rates.length - 1]}/s; VUs ${vus.preAllocatedVUs}..${vus.maxVUs}; SEED=${cfg.users.seed}`,
  );
  await preflight(api, {
    needsOpenRegistrations: true,
    firstUsername: syntheticUser(cfg.users.seed, cfg.users.userOffset, userOptions).username,
    mail,
  });
}

export default async function (): Promise<void> {
  const user = syntheticUser(cfg.users.seed, cfg.users.userOffset + exec.scenario.iterationInTest, userOptions);
  await signUpNewcomer(api, mail, user, { appScopes: cfg.appScopes, tokenScope: cfg.tokenScope, dateOfBirth: cfg.users.dateOfBirth });
}
