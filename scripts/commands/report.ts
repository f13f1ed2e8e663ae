import { Command } from 'commander';
import { buildRunReport } from '../../reports/build.js';
import { collectK8sRun } from '../k8s/report.js';
import { reportConfigFlags, wholeNumber } from '../options.js';
import { checkPrometheusUrl, parseJobNames } from '../rehearse/plan.js';
import { UsageError } from '../run/plan.js';

// `surge report <run-dir>`: rebuild a run's reports from its run.json and
// series.json, offline, e.g. with other SLOs or prices.

const COLLECT_ONLY = ['testid', 'prometheusJobs', 'webConcurrency', 'maxThreads', 'sidekiqConcurrency'];
const flagOf = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function reportCommand(): Command {
  return new Command('report')
    .description('re-render a run folder\'s report.html, report.md and report.json (no services needed)')
    .argument('<run-dir>', 'a folder written by surge rehearse')
    .option('--slo <file>', 'SLO overrides (JSON/YAML)')
    .option('--prices <file>', 'price sheet overrides (JSON/YAML)')
    .option('--prometheus-url <url>', 'first collect a surge k8s run (its --out folder) from this Prometheus')
    .option('--testid <id>', 'with --prometheus-url: the run\'s testid (default: the one surge k8s wrote)')
    .option('--prometheus-jobs <list>', 'with --prometheus-url: its scrape job names by role, e.g. web=mastodon-web,worker=sidekiq')
    .option('--web-concurrency <n>', 'with --prometheus-url: the instance\'s Puma processes', wholeNumber(1, 1024), 2)
    .option('--max-threads <n>', 'with --prometheus-url: its threads per Puma process', wholeNumber(1, 1024), 5)
    .option('--sidekiq-concurrency <n>', 'with --prometheus-url: its Sidekiq threads', wholeNumber(1, 10_000), 5)
    .action(async (dir: string, o: { slo?: string; prices?: string; prometheusUrl?: string; testid?: string; prometheusJobs?: string; webConcurrency: number; maxThreads: number; sidekiqConcurrency: number }, cmd: Command) => {
      const config = await reportConfigFlags(o.slo, o.prices);
      if (o.prometheusUrl) {
        const sizing = { webConcurrency: o.webConcurrency, maxThreads: o.maxThreads, sidekiqConcurrency: o.sidekiqConcurrency, dbPool: null };
        await collectK8sRun(dir, { prometheusUrl: checkPrometheusUrl(o.prometheusUrl), testid: o.testid, jobs: o.prometheusJobs ? parseJobNames(o.prometheusJobs) : {}, sizing });
      } else {
        // Without a Prometheus to collect from they would be silently ignored: the run folder already says all of it.
        const given = COLLECT_ONLY.filter((name) => cmd.getOptionValueSource(name) === 'cli');
        if (given.length) throw new UsageError(`${given.map(flagOf).join(', ')} only go${given.length > 1 ? '' : 'es'} with --prometheus-url (collecting a surge k8s run); a rehearsal's run folder already records its sizing`);
      }
      const out = await buildRunReport(dir, config);
      process.stdout.write(`${out.verdict}\n\nreport: ${out.paths.join('\n        ')}\n`);
    });
}
