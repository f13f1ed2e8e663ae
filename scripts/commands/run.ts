import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { dockerAvailable } from '../../infra/services/docker.js';
import { k6Duration, k6Stage, oneOf, wholeNumber } from '../options.js';
import { bundleFor, describePlan, executeRun, findK6 } from '../run/execute.js';
import { planRun, type RunFlags } from '../run/plan.js';
import { waveJsonOf, waveOptions } from '../run/wave.js';

// `surge run`: one k6 scenario against a target, with the k6 flags users know,
// on real k6 when it is installed and on the Node runner otherwise.

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function builtinScenarios(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(SCENARIOS)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => [basename(f, '.ts'), join(SCENARIOS, f)]),
  );
}

const collect = (v: string, prev: string[]) => [...prev, v];


export function runCommand(): Command {
  return waveOptions(new Command('run'))
    .description('run a k6 scenario (built-in name or .ts/.js file) against a target')
    .argument('<scenario>', `built-in: ${Object.keys(builtinScenarios()).join(', ')}; or a k6 script file`)
    .option('--engine <engine>', 'k6, node or auto (default auto: k6 when on PATH, else the Node runner); k6 without a binary uses the grafana/k6 image where Docker runs', oneOf('k6', 'node', 'auto'))
    .option('--target <target>', 'standin (started for the run) or the instance URL', 'standin')
    .option('--i-own-this-instance', 'allow a target that is not on this machine')
    .option('--mail-api-url <url>', 'Mailpit API receiving the target\'s mail (the stand-in provides its own)')
    .option('-e, --env <NAME=value>', 'environment variable for the script (repeatable)', collect, [])
    .option('-u, --vus <n>', 'k6 --vus', wholeNumber(1, 1_000_000))
    .option('-d, --duration <d>', 'k6 --duration (replaces the script\'s scenarios, as in k6)', k6Duration)
    .option('-i, --iterations <n>', 'k6 --iterations', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('-s, --stage <duration:target>', 'k6 --stage, e.g. 30s:10 (repeatable; replaces the script\'s scenarios)', k6Stage, [])
    .option('--summary-trend-stats <stats>', 'k6 --summary-trend-stats, e.g. avg,min,med,max,p(90),p(99),count')
    .option('--summary-export <file>', 'k6 --summary-export')
    .option('-o, --out <spec>', 'k6 --out (json=FILE)', collect, [])
    .option('--tag <k=v>', 'k6 --tag (repeatable)', collect, [])
    .option('--execution-segment <seg>', 'k6 --execution-segment')
    .option('--execution-segment-sequence <seq>', 'k6 --execution-segment-sequence')
    .option('-q, --quiet', 'k6 --quiet: no progress')
    .option('--no-thresholds', 'k6 --no-thresholds')
    .option('--prometheus-rw <url>', 'k6 engine: remote-write metrics to this Prometheus (/api/v1/write)')
    .option('--workers <n>', 'Node runner: split the run across this many processes by execution segment', wholeNumber(1, 64))
    .option('--dry-run', 'validate everything and print the plan; send nothing')
    .option('--web-concurrency <n>', 'stand-in web processes', wholeNumber(1, 64))
    .option('--max-threads <n>', 'stand-in threads per web process', wholeNumber(1, 256))
    .option('--sidekiq-concurrency <n>', 'stand-in worker threads', wholeNumber(1, 256))
    .option('--db-pool <n>', 'stand-in DB pool per process', wholeNumber(1, 256))
    .action(async (scenario: string, o: RunFlags & { dryRun?: boolean; webConcurrency?: number; maxThreads?: number; sidekiqConcurrency?: number; dbPool?: number }) => {
      const waveJson = await waveJsonOf(o.wave);
      const k6Path = findK6();
      // Only a k6 run without the binary needs the grafana/k6 image.
      const docker = o.engine === 'k6' && !k6Path ? await dockerAvailable() : false;
      const plan = planRun(scenario, o, { builtins: builtinScenarios(), k6Path, docker, waveJson });
      const script = await bundleFor(plan);
      if (o.dryRun) {
        process.stdout.write(`${JSON.stringify(await describePlan(plan, script), null, 2)}\n`);
        return;
      }
      process.exitCode = await executeRun(plan, script, {
        webConcurrency: o.webConcurrency,
        maxThreads: o.maxThreads,
        sidekiqConcurrency: o.sidekiqConcurrency,
        dbPool: o.dbPool,
      });
    });
}
