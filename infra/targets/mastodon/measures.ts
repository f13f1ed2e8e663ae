import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdminApiError, adminClient } from './admin-api.js';

// An instance's own account of a run, from its admin dashboard's measures:
// new users (every created user, confirmed or not), active users and
// interactions for the run's days, kept beside the series as measures.json.
// Daily and cached for 5 minutes by Mastodon, so they confirm totals; they
// are no time series.

export const MEASURE_KEYS = ['new_users', 'active_users', 'interactions', 'opened_reports'];

export async function saveMeasures(dir: string, o: { baseUrl: string; token: string; start: Date; end: Date }): Promise<string> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  try {
    const data = await adminClient({ baseUrl: o.baseUrl, token: o.token, maxWaitMs: 60_000 }).measures(MEASURE_KEYS, day(o.start), day(o.end));
    await writeFile(join(dir, 'measures.json'), `${JSON.stringify({ source: 'POST /api/v1/admin/measures', startAt: day(o.start), endAt: day(o.end), measures: data }, null, 2)}\n`);
    return 'admin measures saved to measures.json';
  } catch (err) {
    if (err instanceof AdminApiError) return `admin measures not saved: ${err.message}`;
    throw err;
  }
}
