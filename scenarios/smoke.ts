// smoke: the short end-to-end check for CI (~10 s on the stand-in). A handful
// of newcomers, one per VU, each: sign up with their own IP → confirmation mail
// → link → verify_credentials → one post → home timeline until the post shows
// (fan-out ran). Every check must pass. See scenarios/README.md.
import { check } from 'k6';
import exec from 'k6/execution';
import { preflight } from './lib/cohort.js';
import { readSmokeConfig } from './lib/env.js';
import { MailApi } from './lib/mailpit.js';
import { Mastodon } from './lib/mastodon.js';
import { signUpNewcomer } from './lib/newcomer.js';
import { SUMMARY_TREND_STATS } from './lib/slo.js';
import { sleepAsync } from './lib/time.js';
import { postText, rngFor, syntheticUser } from './lib/users.js';

const SCENARIO = 'smoke';
const NAMESPACE = 's';
/** How long the new post may take to reach its author's home feed (Sidekiq fan-out). */
const FEED_WAIT_S = 10;

const cfg = readSmokeConfig(__ENV);
const userOptions = { namespace: NAMESPACE, emailDomain: cfg.users.emailDomain, clientIps: cfg.users.clientIps };

export const options = {
  scenarios: {
    [SCENARIO]: {
      executor: 'per-vu-iterations',
      vus: cfg.newcomers,
      iterations: 1,
      maxDuration: `${Math.ceil(cfg.mail.timeoutS + FEED_WAIT_S + 30)}s`,
    },
  },
  thresholds: {
    checks: ['rate==1'],
    signups_completed: [`count==${cfg.newcomers}`],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  userAgent: 'mastodon-surge/0.1 (smoke; k6)',
};

const api = new Mastodon({ baseUrl: cfg.target.baseUrl, forwardedProto: cfg.target.forwardedProto });
const mail = new MailApi(cfg.target.mailApiUrl ?? '', cfg.mail);

export async function setup(): Promise<void> {
  await preflight(api, {
    needsOpenRegistrations: true,
    firstUsername: syntheticUser(cfg.users.seed, cfg.users.userOffset, userOptions).username,
    mail,
  });
}

export default async function (): Promise<void> {
  const i = exec.scenario.iterationInTest;
  const user = syntheticUser(cfg.users.seed, cfg.users.userOffset + i, userOptions);
  const outcome = await signUpNewcomer(api, mail, user, { appScopes: 'read write follow push', tokenScope: 'write', dateOfBirth: cfg.users.dateOfBirth });
  check(outcome, { 'newcomer signed up, confirmed and signed in': (o) => o.ok && o.confirmed });
  if (!outcome.ok) {
    console.error(`smoke: ${user.username} failed at ${outcome.step}: ${outcome.status} ${outcome.detail}`);
    return;
  }
  const caller = { token: outcome.token, ip: user.ip };
  const post = await api.postStatus(caller, { status: postText(rngFor(cfg.users.seed, 0x5a0e, i)), idempotencyKey: `surge-smoke-${cfg.users.seed}-${i}` });
  if (!post.ok || !post.data?.id) return;
  const id = post.data.id;

  const deadline = Date.now() + FEED_WAIT_S * 1000;
  let shown = false;
  for (let wait = 0.2; !shown; wait = Math.min(1, wait * 1.5)) {
    const home = await api.homeTimeline(caller, { limit: 20 });
    shown = (home.data ?? []).some((s) => s.id === id);
    if (shown || !home.ok || Date.now() + wait * 1000 > deadline) break;
    await sleepAsync(wait);
  }
  check(shown, { 'new post reaches its author\'s home timeline': (v) => v });
}
