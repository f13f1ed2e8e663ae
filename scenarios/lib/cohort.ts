// setup() helpers: check the instance is ready for a rehearsal, and sign up a
// confirmed cohort whose tokens the iterations then share out.
import exec from 'k6/execution';
import type { MailApi } from './mailpit.js';
import type { Mastodon } from './mastodon.js';
import { signUpNewcomer, type SignupFlowOptions } from './newcomer.js';
import { mapConcurrent } from './time.js';
import { syntheticUser, type UserOptions } from './users.js';

/** What an iteration needs to act as one cohort member (setup() data is JSON). */
export interface Member {
  index: number;
  username: string;
  token: string;
  ip: string;
  accountId: string;
}

export interface PreflightOptions {
  /** Abort unless the instance takes signups without approval. */
  needsOpenRegistrations: boolean;
  /** A username the run is about to create: abort if it already exists (same SEED as an earlier run). */
  firstUsername?: string;
  mail?: MailApi | undefined;
}

/** Checks the instance (and mail API) before load starts; aborts the test with the reason if not ready. */
export async function preflight(api: Mastodon, opts: PreflightOptions): Promise<void> {
  const inst = await api.instance();
  if (!inst.ok || !inst.data) {
    exec.test.abort(`instance at ${api.baseUrl} is not answering GET /api/v1/instance (status ${inst.status}${inst.error ? `: ${inst.error}` : ''})`);
    return;
  }
  if (opts.needsOpenRegistrations && (!inst.data.registrations || inst.data.approval_required)) {
    exec.test.abort(
      `registrations on ${inst.data.uri} are ${inst.data.registrations ? 'open with approval' : 'closed'}: ` +
        'run `tootctl settings registrations open` (Mastodon ≥ 4.3 starts closed), or start the stand-in with --registrations open',
    );
    return;
  }
  if (opts.mail && !(await opts.mail.reachable())) {
    exec.test.abort(`mail API at ${opts.mail.baseUrl} is not answering GET /api/v1/messages: check MAIL_API_URL`);
    return;
  }
  if (opts.firstUsername) {
    const taken = await api.lookup(opts.firstUsername);
    if (taken.status === 200) {
      exec.test.abort(`user ${opts.firstUsername} already exists on ${inst.data.uri}: this SEED was used before; pass another SEED or USER_OFFSET`);
    }
  }
}

export interface CohortOptions extends SignupFlowOptions {
  seed: number;
  size: number;
  /** First index (USER_OFFSET). */
  offset: number;
  users: UserOptions;
  concurrency: number;
  /** Share of the cohort that must make it, or setup aborts (default 0.9). */
  minShare?: number;
}

/** Signs up and confirms `size` newcomers; aborts the test if too few make it. */
export async function createCohort(api: Mastodon, mail: MailApi, opts: CohortOptions): Promise<Member[]> {
  const users = Array.from({ length: opts.size }, (_, i) => syntheticUser(opts.seed, opts.offset + i, opts.users));
  const outcomes = await mapConcurrent(users, opts.concurrency, (u) => signUpNewcomer(api, mail, u, opts));
  const members: Member[] = [];
  const reasons: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.ok && o.confirmed && o.accountId) {
      members.push({ index: o.user.index, username: o.user.username, token: o.token, ip: o.user.ip, accountId: o.accountId });
    } else if (!o.ok) {
      const key = `${o.step} ${o.status}${o.detail ? ` (${o.detail.slice(0, 80)})` : ''}`;
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
  }
  const need = Math.max(1, Math.ceil(opts.size * (opts.minShare ?? 0.9)));
  if (members.length < need) {
    const why = Object.entries(reasons)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, n]) => `${n}× ${k}`)
      .join(', ');
    exec.test.abort(`setup signed up only ${members.length} of ${opts.size} cohort users (need ${need}): ${why}`);
  }
  return members;
}
