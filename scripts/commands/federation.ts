import { Command } from 'commander';
import { positiveNumber, wholeNumber } from '../options.js';
import { runFederation } from '../federation/execute.js';
import { MAX_INSTANCES, planFederation, type FederationFlags } from '../federation/plan.js';

// `surge federation`: several stand-ins and the remote fleet federating on
// loopback under a posting load, optionally with one instance going down,
// and a report of how deliveries fan out and how long they take.

export function federationCommand(): Command {
  return new Command('federation')
    .description('federate several stand-ins and a fleet of synthetic remote servers under load, and report fan-out and delivery latency')
    .option('--instances <n>', 'stand-in instances, each on its own 127.0.0.x', wholeNumber(1, MAX_INSTANCES), 3)
    .option('--users <n>', 'accounts over all stand-ins, spread by the s^-0.5 size law', wholeNumber(2, 10_000), 30)
    .option('--graph <shape>', 'instance sizes and follows: power-law or uniform', 'power-law')
    .option('--duration <d>', 'length of the posting load, e.g. 1m', '1m')
    .option('--kill-instance <k>', 'take instance K (1-based) down during the load', wholeNumber(1, MAX_INSTANCES))
    .option('--at <t>', 'when instance K goes down, from the start of the load, e.g. 20s')
    .option('--down-for <d>', 'how long it stays down (default: half the remaining load, 5–30 s)')
    .option('--post-rate <r>', 'posts per second over all accounts', positiveNumber('--post-rate'), 1)
    .option('--inbound-rate <r>', 'signed activities per second from the fleet into the instances (0 = none)', nonNegative('--inbound-rate'), 0)
    .option('--fleet-domains <n>', 'synthetic remote servers in the graph (plus one observer)', wholeNumber(0, 200), 4)
    .option('--follows <n>', 'accounts each account follows', wholeNumber(1, 1000), 5)
    .option('--seed <n>', 'graph and load seed (default: from the clock, so reruns never collide)', wholeNumber(0, 2 ** 31))
    .option('--out <dir>', 'run folder (default runs/<time>-federation)')
    .option('--web-concurrency <n>', 'web processes per instance', wholeNumber(1, 64), 1)
    .option('--max-threads <n>', 'threads per web process', wholeNumber(1, 256), 3)
    .option('--sidekiq-concurrency <n>', 'worker threads per instance', wholeNumber(1, 256), 3)
    .action(async (o: FederationFlags) => {
      const plan = planFederation(o, { now: new Date(), cwd: process.cwd(), seed: Date.now() % 2 ** 31 });
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const outcome = await runFederation(plan, log);
      process.stdout.write(`${outcome.partial ? '(partial) ' : ''}${outcome.headline}\n\nreport: ${outcome.reportPaths.join('\n        ')}\n`);
    });
}

function nonNegative(flag: string) {
  const positive = positiveNumber(flag);
  return (raw: string): number => (Number(raw) === 0 && raw.trim() !== '' ? 0 : positive(raw));
}
