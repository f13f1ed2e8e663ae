import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportedQuery, Time } from './query.js';
import { toUnixSeconds } from './query.js';
import { decodeRunSeries, encodeRunSeries, SERIES_FILE, SERIES_FORMAT_VERSION, type RunSeries } from './series-json.js';

/**
 * Writes `<dir>/series.json` (creating `dir`) and returns its path. The file
 * is written beside and renamed into place, so a crash never leaves half of it.
 */
export async function saveRunSeries(
  dir: string,
  queries: ExportedQuery[],
  range: { start: Time; end: Time; stepSec: number; source?: string },
): Promise<string> {
  const run: RunSeries = {
    version: SERIES_FORMAT_VERSION,
    start: toUnixSeconds(range.start),
    end: toUnixSeconds(range.end),
    stepSec: range.stepSec,
    ...(range.source !== undefined ? { source: range.source } : {}),
    exportedAt: new Date().toISOString(),
    queries,
  };
  await mkdir(dir, { recursive: true });
  const path = join(dir, SERIES_FILE);
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(encodeRunSeries(run))}\n`);
  await rename(partial, path);
  return path;
}

/** Reads `<dir>/series.json` back with NaN and ±Inf restored. */
export async function loadRunSeries(dir: string): Promise<RunSeries> {
  const path = join(dir, SERIES_FILE);
  const text = await readFile(path, 'utf8');
  try {
    return decodeRunSeries(JSON.parse(text));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
