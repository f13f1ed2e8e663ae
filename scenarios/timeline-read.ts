// timeline-read: home timeline reads at a constant rate by a cohort of
// confirmed users who follow each other and have posted, so every read has a
// filled feed to page through. setup() sizes the cohort so that no token
// crosses 300 requests/5 min (nor paging's 300/15 min). See scenarios/README.md.
import exec from 'k6/execution';
import { createCohort, preflight, type Member } from './lib/cohort.js';
import { readTimelineReadConfig } from './lib/env.js';
import type { PageCursor } from './lib/links.js';
import { MailApi } from './lib/mailpit.js';
import { Mastodon } from './lib/mastodon.js';
import { timelinePageSize } from './lib/metrics.js';
import { isPlanningInit, setupTimeoutS, timelinePlan } from './lib/plan.js';
import { SUMMARY_TREND_STATS, sloThresholds } from './lib/slo.js';
import { mapConcurrent } from './lib/time.js';
import { postText, rngFor, syntheticUser } from './lib/users.js';
import { formatK6Duration } from './waves/duration.js';

const SCENARIO = 'reads';
const NAMESPACE = 'r';

const cfg = readTimelineReadConfig(__ENV);
const userOptions = { namespace: NAMESPACE, emailDomain: cfg.users.emailDomain, clientIps: cfg.users.clientIps };

const planning = isPlanningInit(typeof __VU === 'number' ? __VU : undefined);
const makePlan = () =>
  timelinePlan({
    rate: cfg.rate,
    durationS: cfg.durationS,
    pageProb: cfg.pageProb,
    expectedIterationS: cfg.expectedIterationS,
    cohortSize: cfg.cohort.size,
    cohortMax: cfg.cohort.max,
    preAllocatedVUs: cfg.preAllocatedVUs,
    maxVUs: cfg.maxVUs,
  });
const initPlan = planning ? makePlan() : undefined;

function buildOptions(plan: ReturnType<typeof makePlan>) {
  const perUser = cfg.followsPerUser + cfg.postsPerUser;
  return {
    scenarios: {
      [SCENARIO]: {
        executor: 'constant-arrival-rate',
        // k6 reads the rate as a whole number: 2.5/s becomes 150 per minute.
        rate: plan.arrival.rate,
        timeUnit: plan.arrival.timeUnit,
        duration: formatK6Duration(Math.round(plan.durationS * 1000)),
        preAllocatedVUs: plan.vus.preAllocatedVUs,
        maxVUs: plan.vus.maxVUs,
        gracefulStop: '30s',
      },
    },
    setupTimeout: `${setupTimeoutS(plan.cohort.size, cfg.cohort.setupConcurrency, perUser * 0.5)}s`,
    thresholds: sloThresholds(cfg.slo, SCENARIO),
    summaryTrendStats: SUMMARY_TREND_STATS,
    userAgent: 'mastodon-surge/0.1 (timeline-read; k6)',
  };
}

export const options = initPlan ? buildOptions(initPlan) : {};

const api = new Mastodon({ baseUrl: cfg.target.baseUrl, forwardedProto: cfg.target.forwardedProto });
const mail = new MailApi(cfg.target.mailApiUrl ?? '', cfg.mail);

export interface ReadData {
  members: Member[];
}

export async function setup(): Promise<ReadData> {
  const plan = initPlan ?? makePlan();
  console.log(
    `timeline-read: ${plan.rate} home reads/s for ${plan.durationS} s by ${plan.cohort.size} readers ` +
      `(needed ${plan.cohort.needed}, binding: ${plan.cohort.binding}); each follows ${cfg.followsPerUser} and posts ${cfg.postsPerUser}; SEED=${cfg.users.seed}`,
  );
  if (plan.cohort.clamped) {
    console.warn(`timeline-read: COHORT_SIZE=${plan.cohort.size} is below the ${plan.cohort.needed} readers the rate needs: expect 429s`);
  }
  await preflight(api, {
    needsOpenRegistrations: true,
    firstUsername: syntheticUser(cfg.users.seed, cfg.users.userOffset, userOptions).username,
    mail,
  });
  const members = await createCohort(api, mail, {
    seed: cfg.users.seed,
    size: plan.cohort.size,
    offset: cfg.users.userOffset,
    users: userOptions,
    concurrency: cfg.cohort.setupConcurrency,
    appScopes: 'read write follow push',
    tokenScope: 'write',
    dateOfBirth: cfg.users.dateOfBirth,
  });
  const n = members.length;
  // Follow first, post second: fan-out on write delivers only to existing followers.
  const follows = Math.min(cfg.followsPerUser, n - 1);
  await mapConcurrent(members, cfg.cohort.setupConcurrency, async (m, k) => {
    for (let j = 1; j <= follows; j++) await api.follow({ token: m.token, ip: m.ip }, members[(k + j) % n]!.accountId);
  });
  await mapConcurrent(members, cfg.cohort.setupConcurrency, async (m) => {
    const rng = rngFor(cfg.users.seed, 0x5eed, m.index);
    for (let j = 0; j < cfg.postsPerUser; j++) {
      await api.postStatus({ token: m.token, ip: m.ip }, { status: postText(rng), idempotencyKey: `surge-read-${cfg.users.seed}-${m.index}-${j}` });
    }
  });
  return { members };
}

const cursors = new Map<number, PageCursor | undefined>();

export default async function (data: ReadData): Promise<void> {
  const i = exec.scenario.iterationInTest;
  const rng = rngFor(cfg.users.seed, 0x4ead, i);
  const me = data.members[i % data.members.length]!;
  const cursor = cursors.get(me.index);
  const scroll = cursor?.max_id !== undefined && rng() < cfg.pageProb;
  const page = await api.homeTimeline(
    { token: me.token, ip: me.ip },
    { limit: cfg.pageLimit, ...(scroll ? { max_id: cursor!.max_id } : {}) },
  );
  cursors.set(me.index, page.next);
  if (page.data) timelinePageSize.add(page.data.length, { page: scroll ? 'next' : 'first' });
}
