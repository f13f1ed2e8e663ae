import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { saveMeasures } from '../../infra/targets/mastodon/measures.js';
import { accountsOfPhase, readAccountsManifest, recordAccounts, SCENARIO_NAMESPACES } from '../../infra/targets/mastodon/manifest.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { buildScenarios } from '../../scripts/build-scenarios.js';
import { surge as surgeCli } from '../support/surge-cli.js';
import { appToken, call, signUp } from '../standin/support.js';

// A run's synthetic accounts, recorded from what the run reports and removed
// again with `surge cleanup` through the admin API, end to end against a
// stand-in (which follows Mastodon's rule: delete only what is suspended).

const surge = (args: string[], env: NodeJS.ProcessEnv = {}) => surgeCli(args, { env: { ...process.env, ...env } });
const TOKEN_VAR = 'SURGE_TEST_ADMIN_TOKEN';


describe('the accounts manifest', () => {
  it('knows each built-in scenario\'s user namespace, as the scenario source declares it', () => {
    for (const [scenario, ns] of Object.entries(SCENARIO_NAMESPACES)) {
      const source = readFileSync(fileURLToPath(new URL(`../../scenarios/${scenario}.ts`, import.meta.url)), 'utf8');
      expect(source, scenario).toContain(`const NAMESPACE = '${ns}';`);
    }
  });

  it('covers every index a phase may have used, and setup()\'s cohort members, without tokens', () => {
    const accounts = accountsOfPhase({
      scenario: 'signup-wave',
      phase: 'wave',
      env: { SEED: '5', USER_OFFSET: '100' },
      summary: {
        metrics: { signups_completed: { values: { count: 7 } }, signups_failed: { values: { count: 1 } }, vus_max: { values: { value: 4, min: 4, max: 4 } } },
        setup_data: { cohort: { members: [{ username: 'kalo_w5_zz', token: 'secret-token', accountId: '42', ip: '198.18.0.1' }] } },
      },
    });
    expect(accounts).toHaveLength(12 + 1);
    expect(accounts[0]!.username).toMatch(/_w5_2s$/); // index 100 in base 36
    expect(accounts.at(-2)!.username).toMatch(/_w5_33$/); // index 111
    expect(accounts.at(-1)).toEqual({ username: 'kalo_w5_zz', id: '42', phase: 'wave' });
    expect(JSON.stringify(accounts)).not.toContain('secret-token');
    expect(accountsOfPhase({ scenario: 'signup-wave', phase: 'wave', env: {}, summary: { metrics: {} } })).toEqual([]);
  });
});

describe('surge cleanup against a stand-in', () => {
  let s: StandinHandle;
  const dir = mkdtempSync(join(tmpdir(), 'surge-cleanup-'));
  let created: string[] = [];

  beforeAll(async () => {
    s = await startStandin({ webConcurrency: 1, sidekiqConcurrency: 2 });
    const [smoke] = await buildScenarios({ entries: ['smoke'] });
    const env = { BASE_URL: s.baseUrl, MAIL_API_URL: s.mailApiUrl, SEED: '11', SMOKE_USERS: '3' };
    const result = await runTest({ script: smoke!.file, env, quiet: true, stdout: { write: () => true } });
    expect(result.exitCode).toBe(0);
    await recordAccounts(dir, new URL(s.baseUrl).origin, { scenario: 'smoke', phase: 'smoke', env, summary: result.summaryData! });
    const manifest = (await readAccountsManifest(dir))!;
    for (const a of manifest.accounts) if ((await call(s.baseUrl, 'GET', `/api/v1/accounts/lookup?acct=${a.username}`)).status === 200) created.push(a.username);
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('recorded the run\'s newcomers by name only', () => {
    expect(created).toHaveLength(3);
    expect(readFileSync(join(dir, 'accounts.json'), 'utf8')).not.toMatch(/token|password/i);
  });

  it('follows Mastodon\'s rules: delete only after suspension, a suspended login is disabled, the owner cannot be suspended', async () => {
    const ip = '198.18.200.1';
    const app = await appToken(s.baseUrl, ip);
    const r = await signUp(s.baseUrl, app, 'rules_check_user', ip);
    expect(r.status).toBe(200);
    const id = (await call(s.baseUrl, 'GET', '/api/v1/accounts/lookup?acct=rules_check_user')).body.id;
    expect((await call(s.baseUrl, 'DELETE', `/api/v1/admin/accounts/${id}`, { token: s.adminToken })).status).toBe(403);
    expect((await call(s.baseUrl, 'POST', `/api/v1/admin/accounts/${id}/action`, { token: s.adminToken, form: 'type=silence' })).status).toBe(422);
    const suspended = await call(s.baseUrl, 'POST', `/api/v1/admin/accounts/${id}/action`, { token: s.adminToken, form: 'type=suspend&send_email_notification=false' });
    expect(suspended).toMatchObject({ status: 200, body: {} });
    expect((await call(s.baseUrl, 'GET', `/api/v1/admin/accounts/${id}`, { token: s.adminToken })).body.suspended).toBe(true);
    expect((await call(s.baseUrl, 'GET', '/api/v1/accounts/verify_credentials', { token: r.body.access_token })).body.error ?? '').toMatch(/disabled|confirmed/);
    expect((await call(s.baseUrl, 'DELETE', `/api/v1/admin/accounts/${id}`, { token: s.adminToken })).status).toBe(200);
    expect((await call(s.baseUrl, 'GET', '/api/v1/accounts/lookup?acct=rules_check_user')).status).toBe(404);
    const owner = (await call(s.baseUrl, 'GET', '/api/v1/accounts/lookup?acct=surge_owner')).body.id;
    expect((await call(s.baseUrl, 'POST', `/api/v1/admin/accounts/${owner}/action`, { token: s.adminToken, form: 'type=suspend' })).status).toBe(403);
  });

  it('refuses a literal token, another instance than the manifest\'s, and sends nothing on --dry-run', async () => {
    const literal = await surge(['cleanup', dir, '--target', s.baseUrl, '--admin-token', s.adminToken]);
    expect(literal.code).toBe(1);
    expect(literal.stderr).toMatch(/env:NAME or file:PATH, never the token itself/);
    expect(literal.stderr).not.toContain(s.adminToken);
    const other = await surge(['cleanup', dir, '--target', 'http://127.0.0.1:9', '--admin-token', `env:${TOKEN_VAR}`], { [TOKEN_VAR]: s.adminToken });
    expect(other.stderr).toMatch(/this run's accounts are on http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:9/);
    const notOwned = await surge(['cleanup', dir, '--target', 'https://social.example', '--admin-token', `env:${TOKEN_VAR}`], { [TOKEN_VAR]: s.adminToken });
    expect(notOwned.stderr).toMatch(/not on this machine: pass --i-own-this-instance/);
    const dry = await surge(['cleanup', dir, '--target', s.baseUrl, '--admin-token', `env:${TOKEN_VAR}`, '--dry-run'], { [TOKEN_VAR]: s.adminToken });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would suspend then delete up to 6 accounts/);
    for (const u of created) expect((await call(s.baseUrl, 'GET', `/api/v1/accounts/lookup?acct=${u}`)).status).toBe(200);
  }, 120_000);

  it('keeps the instance\'s admin measures with a token, and says why not without a valid one', async () => {
    const today = new Date();
    expect(await saveMeasures(dir, { baseUrl: s.baseUrl, token: s.adminToken, start: today, end: today })).toBe('admin measures saved to measures.json');
    const saved = JSON.parse(readFileSync(join(dir, 'measures.json'), 'utf8'));
    const newUsers = saved.measures.find((m: { key: string }) => m.key === 'new_users');
    expect(Number(newUsers.total)).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(saved)).not.toContain(s.adminToken);
    const wrong = await saveMeasures(dir, { baseUrl: s.baseUrl, token: 'x'.repeat(43), start: today, end: today });
    expect(wrong).toMatch(/^admin measures not saved: admin measures: HTTP 401/);
  });

  it('surge run against an instance keeps its accounts.json in a run folder too', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'surge-run-accounts-'));
    const r = await surgeCli(['run', 'smoke', '--engine', 'node', '--target', s.baseUrl, '--mail-api-url', s.mailApiUrl, '--seed', '12', '-e', 'SMOKE_USERS=2', '--quiet'], { env: process.env, cwd });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const dir = join(cwd, 'runs', readdirSync(join(cwd, 'runs'))[0]!);
    expect(r.stderr).toContain(`surge cleanup ${dir} --target ${new URL(s.baseUrl).origin}`);
    const manifest = (await readAccountsManifest(dir))!;
    expect(manifest.target).toBe(new URL(s.baseUrl).origin);
    const found: string[] = [];
    for (const a of manifest.accounts) if ((await call(s.baseUrl, 'GET', `/api/v1/accounts/lookup?acct=${a.username}`)).status === 200) found.push(a.username);
    expect(found).toHaveLength(2);
  }, 120_000);

  it('suspends then deletes exactly the run\'s accounts, keeps the owner, and resumes to nothing on a second run', async () => {
    const r = await surge(['cleanup', dir, '--target', s.baseUrl, '--admin-token', `env:${TOKEN_VAR}`], { [TOKEN_VAR]: s.adminToken });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deleted 3, not on the instance 3, left 0/);
    expect(r.stdout + r.stderr).not.toContain(s.adminToken);
    for (const u of created) expect((await call(s.baseUrl, 'GET', `/api/v1/accounts/lookup?acct=${u}`)).status).toBe(404);
    expect((await call(s.baseUrl, 'GET', '/api/v1/accounts/lookup?acct=surge_owner')).status).toBe(200);
    const manifest = (await readAccountsManifest(dir))!;
    expect(manifest.accounts.filter((a) => a.cleanup === 'deleted').every((a) => created.includes(a.username) && a.id)).toBe(true);
    const again = await surge(['cleanup', dir, '--target', s.baseUrl, '--admin-token', `env:${TOKEN_VAR}`], { [TOKEN_VAR]: s.adminToken });
    expect(again.stdout).toMatch(/deleted 3, not on the instance 3, left 0/);
  }, 120_000);
});
