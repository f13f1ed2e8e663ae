import { Command } from 'commander';
import { AdminApiError, adminClient } from '../../infra/targets/mastodon/admin-api.js';
import { AdminTokenError, readAdminToken } from '../../infra/targets/mastodon/admin-token.js';
import { cleanupAccounts } from '../../infra/targets/mastodon/cleanup.js';
import { ACCOUNTS_FILE, readAccountsManifest } from '../../infra/targets/mastodon/manifest.js';
import { baseUrlOf, parseTarget, TargetError } from '../../infra/targets/target.js';
import { UsageError } from '../run/plan.js';

// `surge cleanup <run-dir>`: removes the synthetic accounts a run created on
// an instance, from the run folder's accounts.json, through the admin API.

export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description('suspend and delete the synthetic accounts a run created (from <run-dir>/accounts.json) through the admin API')
    .argument('<run-dir>', 'a run folder holding accounts.json')
    .requiredOption('--target <url>', 'the instance the run loaded (must be the manifest\'s)')
    .requiredOption('--admin-token <env:NAME|file:PATH>', 'where the token is (scope admin:read admin:write, role with manage_users); never the token itself')
    .option('--i-own-this-instance', 'allow a target that is not on this machine')
    .option('--dry-run', 'say what would be removed; send nothing')
    .action(async (dir: string, o: { target: string; adminToken: string; iOwnThisInstance?: boolean; dryRun?: boolean }) => {
      let baseUrl: string;
      try {
        const t = parseTarget(o.target, { ownsInstance: o.iOwnThisInstance });
        if (t.kind !== 'url') throw new UsageError('surge cleanup needs --target URL: the instance the run loaded');
        baseUrl = baseUrlOf(t);
      } catch (err) {
        throw err instanceof TargetError ? new UsageError(err.message) : err;
      }
      const manifest = await readAccountsManifest(dir);
      if (!manifest) throw new UsageError(`${dir}/${ACCOUNTS_FILE} not found: only runs against an instance record the accounts they create`);
      if (new URL(manifest.target).origin !== new URL(baseUrl).origin) {
        throw new UsageError(`this run's accounts are on ${manifest.target}, not ${new URL(baseUrl).origin}: give that --target`);
      }
      let token: string;
      try {
        token = await readAdminToken(o.adminToken);
      } catch (err) {
        throw err instanceof AdminTokenError ? new UsageError(err.message) : err;
      }
      const todo = manifest.accounts.filter((a) => !a.cleanup).length;
      if (o.dryRun) {
        process.stdout.write(`would suspend then delete up to ${todo} accounts on ${manifest.target} (of ${manifest.accounts.length} in the manifest); nothing sent\n`);
        return;
      }
      const log = (line: string) => process.stderr.write(`${line}\n`);
      try {
        const r = await cleanupAccounts(dir, manifest, adminClient({ baseUrl, token }), log);
        process.stdout.write(`deleted ${r.deleted}, not on the instance ${r.absent}, left ${r.remaining} (Mastodon removes their data in the background)\n`);
      } catch (err) {
        throw err instanceof AdminApiError ? new UsageError(`${err.message}; accounts.json records what was done, so running surge cleanup again resumes`) : err;
      }
    });
}
