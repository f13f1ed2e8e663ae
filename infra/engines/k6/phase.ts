import { join } from 'node:path';
import { JOBS } from '../../../reports/collect/queries.js';
import type { RunOptions } from '../run-options.js';
import { REPORT_TREND_STATS } from './engine.js';

// One rehearsal phase on real k6, fed to the same report as the Node runner:
// k6 remote-writes its series into the run's Prometheus (the Node runner is
// scraped instead), tagged so the report's queries find them either way —
// `job` carries the runner's scrape job name and `testid` the run — and its
// --summary-export becomes the phase's summary file.

export class RemoteWriteMissing extends Error {}

export function k6PhaseRun(o: {
  script: string;
  env: Record<string, string>;
  outDir: string;
  phase: string;
  testid: string;
  remoteWriteUrl: string | undefined;
}): RunOptions {
  if (!o.remoteWriteUrl) {
    throw new RemoteWriteMissing('--engine k6 pushes its metrics: the Prometheus at --prometheus-url must run with --web.enable-remote-write-receiver');
  }
  return {
    script: o.script,
    env: o.env,
    tags: { testid: o.testid, job: JOBS.runner },
    summaryExport: join(o.outDir, `k6-summary-${o.phase}.json`),
    quiet: true,
    // Pushed every second, like the 1 s scrapes the report's 10 s rate windows expect.
    prometheusRw: { url: o.remoteWriteUrl, trendStats: REPORT_TREND_STATS, pushInterval: '1s' },
  };
}
