// newcomer-activity: what the people of a wave do once they are in — follows,
// posts, home and public timelines (with paging), favourites, reblogs,
// notifications — at the wave's activity rate, one request per iteration, the
// endpoint drawn from the wave's per-hour mix at that moment. setup() signs up
// and confirms a cohort big enough that, with iterations shared out evenly, no
// token crosses Mastodon's throttles (300 requests/5 min per token, paging
// 300/15 min, posts 300/3 h, follows 400/24 h). Beside it, a `streaming`
// scenario holds as many user streams open as the wave's streaming share says
// (one VU each, reconnecting every STREAM_HOLD). See scenarios/README.md.
import exec from 'k6/execution';
import { createCohort, preflight, type Member } from './lib/cohort.js';
import { readActivityConfig } from './lib/env.js';
import type { PageCursor } from './lib/links.js';
import { MailApi } from './lib/mailpit.js';
import { Mastodon, type Caller, type PageResult, type Status } from './lib/mastodon.js';
import { timelinePageSize } from './lib/metrics.js';
import { activityPlan, isPlanningInit, pickEndpoint, setupTimeoutS, streamingPlan, type MixTable } from './lib/plan.js';
import { SUMMARY_TREND_STATS, sloThresholds } from './lib/slo.js';
import { holdUserStream } from './lib/streaming.js';
import { mapConcurrent } from './lib/time.js';
import { postText, rngFor, syntheticUser } from './lib/users.js';

const SCENARIO = 'activity';
const STREAM_SCENARIO = 'streaming';
const NAMESPACE = 'a';

const cfg = readActivityConfig(__ENV);
const userOptions = { namespace: NAMESPACE, emailDomain: cfg.users.emailDomain, clientIps: cfg.users.clientIps };

const planning = isPlanningInit(typeof __VU === 'number' ? __VU : undefined);
const makePlan = () =>
  activityPlan(cfg.wave, {
    expectedIterationS: cfg.expectedIterationS,
    pageProb: cfg.pageProb,
    cohortSize: cfg.cohort.size,
    cohortMax: cfg.cohort.max,
    preAllocatedVUs: cfg.preAllocatedVUs,
    maxVUs: cfg.maxVUs,
  });
const initPlan = planning ? makePlan() : undefined;

function buildOptions(plan: ReturnType<typeof makePlan>) {
  const streams = streamingPlan(plan.wave, cfg.streamsMax);
  return {
    scenarios: {
      [SCENARIO]: {
        executor: 'ramping-arrival-rate',
        startRate: plan.arrival.startRate,
        timeUnit: plan.arrival.timeUnit,
        stages: plan.arrival.stages,
        preAllocatedVUs: plan.vus.preAllocatedVUs,
        maxVUs: plan.vus.maxVUs,
        gracefulStop: '30s',
        tags: { wave: plan.wave.name },
      },
      ...(streams
        ? {
            [STREAM_SCENARIO]: {
              executor: 'ramping-vus',
              exec: 'stream',
              startVUs: streams.startVUs,
              stages: streams.stages,
              // A VU ramped down (or stopped) finishes its session first.
              gracefulRampDown: `${Math.ceil(cfg.streamHoldS) + 5}s`,
              gracefulStop: `${Math.ceil(cfg.streamHoldS) + 10}s`,
              tags: { wave: plan.wave.name },
            },
          }
        : {}),
    },
    setupTimeout: `${setupTimeoutS(plan.cohort.size, cfg.cohort.setupConcurrency, 1)}s`,
    thresholds: sloThresholds(cfg.slo, SCENARIO),
    summaryTrendStats: SUMMARY_TREND_STATS,
    userAgent: 'mastodon-surge/0.1 (newcomer-activity; k6)',
  };
}

export const options = initPlan ? buildOptions(initPlan) : {};

const api = new Mastodon({ baseUrl: cfg.target.baseUrl, forwardedProto: cfg.target.forwardedProto });
// readActivityConfig has already refused a missing MAIL_API_URL.
const mail = new MailApi(cfg.target.mailApiUrl ?? '', cfg.mail);

export interface ActivityData {
  members: Member[];
  mix: MixTable;
  /** One public post per member, so favourites and reblogs have targets from the start. */
  statuses: string[];
  /** The streaming API's WebSocket endpoint, as the instance API names it; unset without a streaming scenario. */
  streamingUrl: string | undefined;
}

export async function setup(): Promise<ActivityData> {
  const plan = initPlan ?? makePlan();
  console.log(
    `newcomer-activity: ${plan.wave.name} ×${Number(plan.factor.toPrecision(4))} faster over ${Math.round(plan.wave.duration)} s, ` +
      `peak ${plan.peakRate.toFixed(2)} requests/s; cohort ${plan.cohort.size} users (needed ${plan.cohort.needed}, binding: ${plan.cohort.binding}); SEED=${cfg.users.seed}`,
  );
  const streams = streamingPlan(plan.wave, cfg.streamsMax);
  if (streams?.capped) {
    console.warn(`newcomer-activity: the wave wants ${Math.round(streams.wanted)} concurrent streams; holding at most STREAMS_MAX=${cfg.streamsMax}`);
  }
  if (plan.cohort.clamped) {
    console.warn(`newcomer-activity: COHORT_SIZE=${plan.cohort.size} is below the ${plan.cohort.needed} users the load needs: expect 429s (${plan.cohort.binding})`);
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
  const posted = await mapConcurrent(members, cfg.cohort.setupConcurrency, async (m) => {
    const rng = rngFor(cfg.users.seed, 0x5eed, m.index);
    const r = await api.postStatus({ token: m.token, ip: m.ip }, { status: postText(rng), idempotencyKey: `surge-seed-${cfg.users.seed}-${m.index}` });
    return r.ok ? r.data?.id : undefined;
  });
  return {
    members,
    mix: plan.mix,
    statuses: posted.filter((id): id is string => id !== undefined),
    streamingUrl: streams ? await streamingEndpoint() : undefined,
  };
}

/** Where clients open streams: the instance API's `urls.streaming_api`, as every Mastodon app looks it up. */
async function streamingEndpoint(): Promise<string> {
  const r = await api.instance();
  const base = r.data?.urls?.streaming_api;
  if (!r.ok || !base) exec.test.abort(`newcomer-activity: GET /api/v1/instance names no urls.streaming_api (HTTP ${r.status}); set STREAMS_MAX=0 to run without streaming`);
  return `${base!.replace(/\/+$/, '')}/api/v1/streaming`;
}

/** The streaming scenario: one newcomer's app open on the user stream for STREAM_HOLD. */
export async function stream(data: ActivityData): Promise<void> {
  if (!data.streamingUrl || data.members.length === 0) return;
  const i = exec.scenario.iterationInTest;
  const me = data.members[i % data.members.length]!;
  const rng = rngFor(cfg.users.seed, 0x57ea, i);
  await holdUserStream(api, { token: me.token, ip: me.ip }, {
    url: data.streamingUrl,
    holdMs: cfg.streamHoldS * 1000,
    status: postText(rng),
    idempotencyKey: `surge-stream-${cfg.users.seed}-${i}`,
  });
}

// Per-VU memory of what this VU has seen: status ids to favourite and reblog,
// and where each member's timelines were left, to scroll on from there.
const seen: string[] = [];
const SEEN_MAX = 500;
const cursors = new Map<string, PageCursor | undefined>();

function see(rng: () => number, id: string): void {
  if (seen.length < SEEN_MAX) seen.push(id);
  else seen[Math.floor(rng() * SEEN_MAX)] = id;
}

function remember(rng: () => number, page: PageResult<Status>): void {
  for (const s of page.data ?? []) see(rng, s.reblog?.id ?? s.id);
  if (page.data) timelinePageSize.add(page.data.length);
}

function pickStatus(rng: () => number, data: ActivityData): string | undefined {
  const pool = seen.length > 0 && (data.statuses.length === 0 || rng() < 0.7) ? seen : data.statuses;
  return pool.length > 0 ? pool[Math.floor(rng() * pool.length)] : undefined;
}

async function readTimeline(kind: 'home' | 'public', me: Member, caller: Caller, rng: () => number): Promise<void> {
  const key = `${kind}:${me.index}`;
  const cursor = cursors.get(key);
  const scroll = cursor?.max_id !== undefined && rng() < cfg.pageProb;
  const params = { limit: cfg.pageLimit, ...(scroll ? { max_id: cursor!.max_id } : {}) };
  const page = kind === 'home' ? await api.homeTimeline(caller, params) : await api.publicTimeline(caller, params);
  cursors.set(key, page.next);
  remember(rng, page);
}

export default async function (data: ActivityData): Promise<void> {
  const i = exec.scenario.iterationInTest;
  const rng = rngFor(cfg.users.seed, 0xac71, i);
  const n = data.members.length;
  const me = data.members[i % n]!;
  const caller: Caller = { token: me.token, ip: me.ip };
  const t = (Date.now() - exec.scenario.startTime) / 1000;
  const endpoint = pickEndpoint(data.mix, t, rng());

  switch (endpoint) {
    case 'verifyCredentials':
      await api.verifyCredentials(caller);
      return;
    case 'follows': {
      if (n < 2) {
        await api.verifyCredentials(caller);
        return;
      }
      const other = data.members[(i % n + 1 + Math.floor(rng() * (n - 1))) % n]!;
      await api.follow(caller, other.accountId);
      return;
    }
    case 'posts': {
      const r = await api.postStatus(caller, { status: postText(rng), idempotencyKey: `surge-${cfg.users.seed}-${i}` });
      if (r.ok && r.data?.id) see(rng, r.data.id);
      return;
    }
    case 'homeTimeline':
      await readTimeline('home', me, caller, rng);
      return;
    case 'publicTimeline':
      await readTimeline('public', me, caller, rng);
      return;
    case 'favourites':
    case 'reblogs': {
      const id = pickStatus(rng, data);
      if (id === undefined) {
        await readTimeline('public', me, caller, rng);
        return;
      }
      if (endpoint === 'favourites') await api.favourite(caller, id);
      else await api.reblog(caller, id);
      return;
    }
    case 'notifications':
      await api.notifications(caller, { limit: cfg.pageLimit });
      return;
  }
}
