import { connectPrometheus, type MetricsBackend } from '../../infra/metrics/stack.js';
import { JOBS, RATE_WINDOW_SEC, type JobNames } from '../../reports/collect/queries.js';
import { UsageError } from '../run/plan.js';

// `--prometheus-url`: the instance's series come from a Prometheus the user
// already runs. Checked before any load: it must scrape the instance's web
// job under the name given, and its scrape interval sets the rate() windows.

export interface UserPrometheus {
  backend: MetricsBackend;
  /** rate() window wide enough for four of its scrapes (and never below the rehearsal's own). */
  windowSec: number;
}

export async function connectUserPrometheus(url: string, jobs: Partial<JobNames>): Promise<UserPrometheus> {
  let backend: MetricsBackend;
  try {
    backend = await connectPrometheus(url);
  } catch (err) {
    throw new UsageError(`--prometheus-url ${url}: ${(err as Error).message}; check the URL (e.g. http://127.0.0.1:9090)`);
  }
  const names = { ...JOBS, ...jobs };
  const targets = await backend.api.targets();
  const web = targets.filter((t) => t.job === names.web);
  if (!web.length) {
    const seen = [...new Set(targets.map((t) => t.job))].sort().join(', ') || 'none';
    throw new UsageError(`--prometheus-url: no scrape job "${names.web}" for the instance's web metrics (jobs there: ${seen}); name yours with --prometheus-jobs web=JOB,worker=JOB`);
  }
  const roles = new Set(Object.entries(names).filter(([role]) => role !== 'runner').map(([, job]) => job));
  const intervals = targets.filter((t) => roles.has(t.job)).map((t) => t.scrapeIntervalSec ?? 60);
  return { backend, windowSec: Math.max(RATE_WINDOW_SEC, 4 * Math.max(...intervals)) };
}
