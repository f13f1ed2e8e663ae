import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadRunSeries } from '../../infra/metrics/run-series.js';
import type { RunSeries as ExportedSeries } from '../../infra/metrics/series-json.js';
import type { RunData, Series } from '../model/types.js';
import type { ExtraSeriesName } from './queries.js';
import { extraSeries, toRunData, type SummaryData } from './run-data.js';

// run.json: what a rehearsal was (target, wave, sizing, phases), written next
// to series.json so a report can be rebuilt later without any service. It
// holds no token, password or URL credentials.

const num = z.number().finite();
export const runMetaSchema = z.strictObject({
  schemaVersion: z.literal(1),
  startedAt: z.string(),
  endedAt: z.string(),
  partial: z.boolean(),
  partialReason: z.string().optional(),
  target: z.strictObject({ kind: z.enum(['standin', 'url']), label: z.string() }),
  engine: z.enum(['node', 'k6']),
  wave: z.strictObject({
    name: z.string(), total: num, durationSec: num, compression: num, scale: num, realDurationSec: num, realPeakSignupRate: num,
  }),
  sizing: z.strictObject({ webConcurrency: num, maxThreads: num, sidekiqConcurrency: num, dbPool: num.nullable() }),
  limits: z.strictObject({ pgMaxConnections: num.optional(), webCpuCores: num.optional(), redisMaxMemoryBytes: num.optional() }),
  scrapeIntervalSec: num,
  /** Width of the rate() windows of the exported series (older runs: 10 s). */
  rateWindowSec: num.optional(),
  phases: z.array(
    z.strictObject({
      name: z.enum(['breakpoint', 'wave', 'activity']),
      kind: z.enum(['stepped', 'ramping', 'wave', 'activity']),
      startSec: num,
      endSec: num,
      steps: z.array(z.strictObject({ startSec: num, endSec: num, rate: num })).optional(),
      /** CPU share of the machine (0–1) used by processes outside the rehearsal meanwhile. */
      neighbourCpuShare: num.optional(),
    }),
  ),
});
export type RunMeta = z.output<typeof runMetaSchema>;

export const RUN_FILE = 'run.json';

/**
 * URLs in `text` without what could be a secret: user and password, query
 * string (access_token=…) and fragment. Anything that is not a URL is kept.
 */
export function withoutCredentials(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (raw) => {
    try {
      const u = new URL(raw);
      u.username = '';
      u.password = '';
      u.search = '';
      u.hash = '';
      return raw.endsWith('/') || u.pathname !== '/' ? u.toString() : u.toString().replace(/\/$/, '');
    } catch {
      return raw.replace(/\/\/[^/@\s]*@/, '//');
    }
  });
}

/** Writes run.json after validating it; target labels and reasons lose any URL credentials. */
export async function writeRunMeta(dir: string, meta: RunMeta): Promise<void> {
  const clean: RunMeta = {
    ...meta,
    target: { ...meta.target, label: withoutCredentials(meta.target.label) },
    ...(meta.partialReason !== undefined ? { partialReason: withoutCredentials(meta.partialReason) } : {}),
  };
  await writeFile(join(dir, RUN_FILE), `${JSON.stringify(runMetaSchema.parse(clean), null, 2)}\n`);
}

export async function readRunMeta(dir: string): Promise<RunMeta> {
  const file = join(dir, RUN_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found: is this a run folder?' : (err as Error).message}`);
  }
  const r = runMetaSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}

const summarySchema = z.looseObject({
  metrics: z.record(z.string(), z.looseObject({ type: z.string().optional(), contains: z.string().optional(), values: z.record(z.string(), z.number()) })),
});

/** `summary-<phase>.json` files (k6's handleSummary data), by phase name. */
export async function readSummaries(dir: string): Promise<Record<string, SummaryData>> {
  const out: Record<string, SummaryData> = {};
  for (const name of (await readdir(dir)).sort()) {
    const m = /^summary-(.+)\.json$/.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    const r = summarySchema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new Error(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
    }
    out[m[1]!] = r.data as SummaryData;
  }
  return out;
}

export interface RunFolder {
  dir: string;
  meta: RunMeta;
  series: ExportedSeries;
  summaries: Record<string, SummaryData>;
  /** The model's input. */
  data: RunData;
  /** Series the report shows beside the model's (CPU per process, machine CPU, …). */
  extra: Partial<Record<ExtraSeriesName, Series[]>>;
}

/** run.json, series.json and the summaries of a run folder; errors name the file (and field). */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const meta = await readRunMeta(dir);
  const series = await loadRunSeries(dir).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new Error(`${join(dir, 'series.json')}: not found (the run exported no series)`) : err;
  });
  const summaries = await readSummaries(dir);
  return { dir, meta, series, summaries, data: toRunData(meta, series, summaries), extra: extraSeries(meta, series) };
}
