import { Command } from 'commander';
import { compareReports, CompareInputError, parseTolerance, renderComparisonMd, type CompareMetricId } from '../../reports/compare.js';
import { loadCompareSide } from '../../reports/compare-load.js';

// `surge compare <baseline> <current>`: the CI regression gate. Prints a
// Markdown table of deltas; exit 1 on a regression, 0 otherwise, 2 on bad input.

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare a run with a baseline; exit 1 on a regression beyond tolerance and noise, 2 on bad input')
    .argument('<baseline>', 'run folder, report.json, folder of runs, or a comma-separated list of them (repeated runs)')
    .argument('<current>', 'the same, for the run(s) to judge')
    .option(
      '--tolerance <metric=pct>',
      'allowed worsening, repeatable: p95=10, error-rate=0.5 (percentage points), breaking-point=10, queue-latency=20',
      collect,
    )
    .exitOverride((err) => {
      // Usage errors are bad input too: 2, like a missing file; help and version stay 0.
      if (err.exitCode !== 0) err.exitCode = 2;
      throw err;
    })
    .action(async (baselineArg: string, currentArg: string, o: { tolerance?: string[] }) => {
      try {
        const overrides: Partial<Record<CompareMetricId, number>> = {};
        for (const t of o.tolerance ?? []) {
          const [id, value] = parseTolerance(t);
          overrides[id] = value;
        }
        const baseline = await loadCompareSide(baselineArg);
        const current = await loadCompareSide(currentArg);
        const result = compareReports(baseline, current, overrides);
        process.stdout.write(renderComparisonMd(result));
        process.exitCode = result.regression ? 1 : 0;
      } catch (err) {
        // Whatever went wrong, it is not a regression: never exit 1 for it.
        const message = err instanceof CompareInputError ? err.message : `cannot compare: ${(err as Error).message}`;
        process.stderr.write(`surge compare: ${message.split('\n')[0]}\n`);
        process.exitCode = 2;
      }
    });
}
