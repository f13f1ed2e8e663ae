import { Command } from 'commander';
import { buildRunReport } from '../../reports/build.js';

// `surge report <run-dir>`: rebuild a run's reports from its run.json and
// series.json, offline, e.g. with other SLOs or prices.

export function reportCommand(): Command {
  return new Command('report')
    .description('re-render a run folder\'s report.html, report.md and report.json (no services needed)')
    .argument('<run-dir>', 'a folder written by surge rehearse')
    .option('--slo <file>', 'SLO overrides (JSON/YAML)')
    .option('--prices <file>', 'price sheet overrides (JSON/YAML)')
    .action(async (dir: string, o: { slo?: string; prices?: string }) => {
      const out = await buildRunReport(dir, { sloFile: o.slo, priceSheetFile: o.prices });
      process.stdout.write(`${out.verdict}\n\nreport: ${out.paths.join('\n        ')}\n`);
    });
}
