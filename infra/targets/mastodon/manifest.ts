import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { syntheticUser } from '../../../scenarios/lib/users.js';

// accounts.json in a run folder: the synthetic accounts a run may have
// created on its target, by username (and id where the run learnt it), so
// `surge cleanup` can remove them later. Never a token or a password.
//
// Synthetic users are a pure function of (scenario namespace, SEED, index),
// and a scenario's newcomers take indices USER_OFFSET, USER_OFFSET + 1, … in
// start order; a phase that attempted N signups with at most V VUs busy used
// indices below USER_OFFSET + N + V (an interrupted iteration records no
// attempt). Usernames in that range that were never created are simply not
// found at cleanup. Cohort members that setup() returns are listed as well.

/** The `NAMESPACE` constant of each built-in scenario (tests/mastodon keeps them in step). */
export const SCENARIO_NAMESPACES: Readonly<Record<string, string>> = {
  'signup-wave': 'w', breakpoint: 'b', smoke: 's', 'newcomer-activity': 'a', 'timeline-read': 'r',
};

export const ACCOUNTS_FILE = 'accounts.json';

const entry = z.strictObject({
  username: z.string().regex(/^[a-z0-9_]{1,30}$/),
  id: z.string().optional(),
  phase: z.string(),
  /** Set by surge cleanup: removed, or not on the instance. */
  cleanup: z.enum(['deleted', 'absent']).optional(),
});
const manifestSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** The instance's origin, e.g. https://social.example. */
  target: z.string(),
  accounts: z.array(entry),
});
export type AccountsManifest = z.output<typeof manifestSchema>;
export type AccountEntry = z.output<typeof entry>;

/** What a phase's summary (handleSummary data, from either engine) tells about its signups. */
export interface PhaseSummary {
  metrics: Record<string, { values: Record<string, number> } | undefined>;
  setup_data?: unknown;
}

const count = (s: PhaseSummary, metric: string, key: string) => s.metrics[metric]?.values[key] ?? 0;

function listed(value: unknown, out: { username: string; id?: string }[]): void {
  if (Array.isArray(value)) for (const v of value) listed(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.username === 'string') out.push({ username: o.username, ...(o.accountId != null ? { id: String(o.accountId) } : {}) });
    else for (const v of Object.values(o)) listed(v, out);
  }
}

/** Pure: the accounts one phase may have created. */
export function accountsOfPhase(o: { scenario: string; phase: string; env: Record<string, string>; summary: PhaseSummary }): AccountEntry[] {
  const namespace = SCENARIO_NAMESPACES[o.scenario];
  const out = new Map<string, AccountEntry>();
  if (namespace) {
    const seed = Number(o.env.SEED ?? 1);
    const offset = Number(o.env.USER_OFFSET ?? 0);
    const attempts = count(o.summary, 'signups_completed', 'count') + count(o.summary, 'signups_failed', 'count');
    const span = attempts > 0 ? attempts + count(o.summary, 'vus_max', 'max') : 0;
    for (let i = 0; i < span; i++) {
      const username = syntheticUser(seed, offset + i, { namespace }).username;
      out.set(username, { username, phase: o.phase });
    }
  }
  const members: { username: string; id?: string }[] = [];
  listed(o.summary.setup_data, members);
  for (const m of members) out.set(m.username, { ...m, phase: o.phase });
  return [...out.values()];
}

export async function readAccountsManifest(dir: string): Promise<AccountsManifest | undefined> {
  const file = join(dir, ACCOUNTS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) throw new Error(`${file}: ${r.error.issues[0]!.path.join('.') || '(top)'}: ${r.error.issues[0]!.message}`);
  return r.data;
}

/** Written whole through a temporary file, so a cleanup interrupted mid-way leaves a readable manifest. */
export async function writeAccountsManifest(dir: string, m: AccountsManifest): Promise<void> {
  const file = join(dir, ACCOUNTS_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(manifestSchema.parse(m), null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Adds a phase's accounts to the run folder's manifest. */
export async function recordAccounts(dir: string, target: string, phase: Parameters<typeof accountsOfPhase>[0]): Promise<number> {
  const m = (await readAccountsManifest(dir)) ?? { schemaVersion: 1 as const, target, accounts: [] };
  const known = new Set(m.accounts.map((a) => a.username));
  const added = accountsOfPhase(phase).filter((a) => !known.has(a.username));
  m.accounts.push(...added);
  await writeAccountsManifest(dir, m);
  return added.length;
}
