import { Command } from 'commander';
import { checkFleetOptions, DEFAULT_FLEET_ACTORS, MAX_FLEET_ACTORS, MAX_FLEET_DOMAINS } from '../../infra/targets/mastodon/fleet-container.js';
import { planMastodonStack, redactPlan, StackPlanError } from '../../infra/targets/mastodon/plan.js';
import { generateSecrets } from '../../infra/targets/mastodon/secrets.js';
import { makeStackTls } from '../../infra/targets/mastodon/stack-tls.js';
import { DEFAULT_MASTODON_TAG } from '../../infra/targets/mastodon/version.js';
import { wholeNumber } from '../options.js';
import { UsageError } from '../run/plan.js';

// `surge stack print`: the containerised Mastodon a rehearsal would stand up
// (images, env with secrets redacted, commands, health checks, network,
// aliases, bootstrap order), as JSON, without needing Docker. With
// --fleet-domains the remote fleet joins the stack; its TLS material is made
// with openssl for the printout and private keys are redacted like secrets.

export function stackCommand(): Command {
  const stack = new Command('stack').description('the containerised Mastodon target');
  stack
    .command('print')
    .description('print the planned containers and bootstrap steps as JSON (secrets redacted); needs no Docker')
    .option('--target <target>', 'the stack to plan (only mastodon has containers)', 'mastodon')
    .option('--tag <tag>', 'tag of ghcr.io/mastodon/mastodon and mastodon-streaming', DEFAULT_MASTODON_TAG)
    .option('--local-domain <domain>', 'LOCAL_DOMAIN', 'mastodon.surge.test')
    .option('--email-domain <domain>', 'the synthetic newcomers\' mail domain (EMAIL_DOMAIN_ALLOWLIST)', 'surge.test')
    .option('--web-concurrency <n>', 'Puma processes (WEB_CONCURRENCY)', wholeNumber(1, 64))
    .option('--max-threads <n>', 'threads per Puma process (MAX_THREADS)', wholeNumber(1, 256))
    .option('--sidekiq-concurrency <n>', 'Sidekiq threads (sidekiq -c)', wholeNumber(1, 256))
    .option('--db-pool <n>', 'DB_POOL per process (default: the threads)', wholeNumber(1, 256))
    .option('--fleet-domains <n>', 'synthetic remote servers in a container on the stack\'s network (0 = no fleet)', wholeNumber(0, MAX_FLEET_DOMAINS), 0)
    .option('--fleet-actors <n>', 'accounts on each fleet server', wholeNumber(1, MAX_FLEET_ACTORS), DEFAULT_FLEET_ACTORS)
    .action(async (o: { target: string; tag: string; localDomain: string; emailDomain: string; webConcurrency?: number; maxThreads?: number; sidekiqConcurrency?: number; dbPool?: number; fleetDomains: number; fleetActors: number }) => {
      if (o.target !== 'mastodon') throw new UsageError(`surge stack print plans containers for --target mastodon only (the stand-in runs as local processes; a URL is yours)`);
      try {
        // Checked before openssl runs for its certificate.
        const fleet = o.fleetDomains > 0 ? checkFleetOptions({ domains: o.fleetDomains, actorsPerDomain: o.fleetActors }) : undefined;
        const tls = fleet ? await makeStackTls(o.localDomain) : undefined;
        const plan = planMastodonStack({ tag: o.tag, localDomain: o.localDomain, emailDomain: o.emailDomain, webConcurrency: o.webConcurrency, maxThreads: o.maxThreads, sidekiqConcurrency: o.sidekiqConcurrency, dbPool: o.dbPool, fleet }, generateSecrets(), tls);
        process.stdout.write(`${JSON.stringify(redactPlan(plan), null, 2)}\n`);
      } catch (err) {
        throw err instanceof StackPlanError ? new UsageError(err.message) : err;
      }
    });
  return stack;
}
