// signup-wave: the newcomers of a migration wave arriving, one iteration per
// person, at the rate of the wave's signup curve (ramping-arrival-rate stages
// whose area is the wave's total). See scenarios/README.md for the env contract.
import exec from 'k6/execution';
import { readSignupWaveConfig } from './lib/env.js';
import { MailApi } from './lib/mailpit.js';
import { Mastodon } from './lib/mastodon.js';
import { signUpNewcomer } from './lib/newcomer.js';
import { isPlanningInit, signupPlan } from './lib/plan.js';
import { preflight } from './lib/cohort.js';
import { SUMMARY_TREND_STATS, sloThresholds } from './lib/slo.js';
import { syntheticUser } from './lib/users.js';

const SCENARIO = 'signups';
const NAMESPACE = 'w';

const cfg = readSignupWaveConfig(__ENV);
const userOptions = { namespace: NAMESPACE, emailDomain: cfg.users.emailDomain, clientIps: cfg.users.clientIps };

// The stages cost real CPU to compute (the wave model integrates its curve):
// only the inits that k6 reads options from or runs setup() in do it, not every VU's.
const planning = isPlanningInit(typeof __VU === 'number' ? __VU : undefined);
const makePlan = () =>
  signupPlan(cfg.wave, { expectedIterationS: cfg.expectedIterationS, preAllocatedVUs: cfg.preAllocatedVUs, maxVUs: cfg.maxVUs });
const initPlan = planning ? makePlan() : undefined;

function buildOptions(plan: ReturnType<typeof makePlan>) {
  return {
    scenarios: {
      [SCENARIO]: {
        executor: 'ramping-arrival-rate',
        startRate: plan.arrival.startRate,
        timeUnit: plan.arrival.timeUnit,
        stages: plan.arrival.stages,
        preAllocatedVUs: plan.vus.preAllocatedVUs,
        maxVUs: plan.vus.maxVUs,
        // A newcomer still waiting for their mail when the wave ends gets to finish.
        gracefulStop: `${Math.ceil((cfg.target.mailApiUrl ? cfg.mail.timeoutS : 0) + 30)}s`,
        tags: { wave: plan.wave.name },
      },
    },
    thresholds: sloThresholds(cfg.slo, SCENARIO, { signups: true }),
    summaryTrendStats: SUMMARY_TREND_STATS,
    userAgent: 'mastodon-surge/0.1 (signup-wave; k6)',
  };
}

export const options = initPlan ? buildOptions(initPlan) : {};

const api = new Mastodon({
  baseUrl: cfg.target.baseUrl,
  forwardedProto: cfg.target.forwardedProto,
  acceptThrottled: cfg.expectThrottles,
});
const mail = cfg.target.mailApiUrl ? new MailApi(cfg.target.mailApiUrl, cfg.mail) : undefined;

export async function setup(): Promise<void> {
  const plan = initPlan ?? makePlan();
  const total = Math.round(plan.wave.signups.total);
  console.log(
    `signup-wave: ${plan.wave.name} ×${Number(plan.factor.toPrecision(4))} faster: ${total} signups over ${Math.round(plan.wave.duration)} s, ` +
      `peak ${plan.peakRate.toFixed(2)}/s; VUs ${plan.vus.preAllocatedVUs}..${plan.vus.maxVUs}; SEED=${cfg.users.seed}`,
  );
  if (!mail) {
    console.warn('signup-wave: MAIL_API_URL is not set: accounts are created but not confirmed, and verify_credentials is skipped');
  }
  if (cfg.expectThrottles) console.log('signup-wave: 429s are expected (throttle rehearsal) and do not count as failures');
  await preflight(api, {
    needsOpenRegistrations: true,
    firstUsername: syntheticUser(cfg.users.seed, cfg.users.userOffset, userOptions).username,
    mail,
  });
}

export default async function (): Promise<void> {
  const index = cfg.users.userOffset + exec.scenario.iterationInTest;
  const user = syntheticUser(cfg.users.seed, index, userOptions);
  await signUpNewcomer(api, mail, user, { appScopes: cfg.appScopes, tokenScope: cfg.tokenScope, dateOfBirth: cfg.users.dateOfBirth });
}
