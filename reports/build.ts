import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { readRunFolder, type RunFolder } from './collect/run-folder.js';
import { parsePriceSheet, type PriceSheet } from './model/price-sheet.js';
import { projectionWaveFromRun } from './model/projection.js';
import { buildReport, parseReport } from './model/report-model.js';
import type { Report } from './model/report-schema.js';
import { parseSloConfig, type Slos } from './model/slo.js';
import { renderReportHtml } from './render/report-html.js';
import { renderReportMd } from './render/report-md.js';

// A run folder (run.json + series.json + summaries) to report.json, report.md
// and report.html. Needs no running service, so `surge report` can redo it later.

export interface BuildOptions {
  /** SLO overrides: a JSON/YAML file, or its already-parsed content. */
  sloFile?: string;
  sloConfig?: unknown;
  /** Price sheet overrides: a JSON/YAML file, or its already-parsed content. */
  priceSheetFile?: string;
  priceSheet?: unknown;
  /** ISO time written as generatedAt (default now). */
  generatedAt?: string;
}

export async function readConfigFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read it (${err.code ?? err.message})`);
  });
  try {
    return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Reads and validates the SLO and price files, so a typo stops a rehearsal
 * before it starts rather than after its load; the result is BuildOptions.
 */
export async function loadReportConfig(files: { sloFile?: string; priceSheetFile?: string }): Promise<Pick<BuildOptions, 'sloConfig' | 'priceSheet'>> {
  const out: Pick<BuildOptions, 'sloConfig' | 'priceSheet'> = {};
  if (files.sloFile) parseSloConfig((out.sloConfig = await readConfigFile(files.sloFile)), files.sloFile);
  if (files.priceSheetFile) parsePriceSheet((out.priceSheet = await readConfigFile(files.priceSheetFile)), files.priceSheetFile);
  return out;
}

async function resolveConfig(opts: BuildOptions): Promise<{ slos?: Slos; prices?: PriceSheet }> {
  const out: { slos?: Slos; prices?: PriceSheet } = {};
  if (opts.sloFile) out.slos = parseSloConfig(await readConfigFile(opts.sloFile), opts.sloFile);
  else if (opts.sloConfig !== undefined) out.slos = parseSloConfig(opts.sloConfig);
  if (opts.priceSheetFile) out.prices = parsePriceSheet(await readConfigFile(opts.priceSheetFile), opts.priceSheetFile);
  else if (opts.priceSheet !== undefined) out.prices = parsePriceSheet(opts.priceSheet);
  return out;
}

/** The validated report of a run folder, in memory (nothing written). */
export async function reportForRunFolder(dir: string, opts: BuildOptions = {}): Promise<{ report: Report; folder: RunFolder }> {
  const folder = await readRunFolder(dir);
  const { data, meta } = folder;
  // Plan for the whole wave in real time, not the scaled-down replay.
  const full = { ...data.wave, totalSignups: data.wave.totalSignups / meta.wave.scale, peakSignupRate: data.wave.peakSignupRate / meta.wave.scale };
  const report = parseReport(
    buildReport(data, {
      generatedAt: opts.generatedAt ?? new Date().toISOString(),
      projectionWave: projectionWaveFromRun(full),
      ...(await resolveConfig(opts)),
    }),
  );
  return { report, folder };
}

export interface BuiltReport {
  /** report.html, report.md, report.json. */
  paths: string[];
  verdict: string;
  /** Every measured SLO held. */
  pass: boolean;
  report: Report;
}

export async function buildRunReport(dir: string, opts: BuildOptions = {}): Promise<BuiltReport> {
  const { report, folder } = await reportForRunFolder(dir, opts);
  const paths = [join(dir, 'report.html'), join(dir, 'report.md'), join(dir, 'report.json')];
  await writeFile(paths[0]!, renderReportHtml(report, folder.data, folder.extra));
  await writeFile(paths[1]!, renderReportMd(report));
  await writeFile(paths[2]!, `${JSON.stringify(report, null, 2)}\n`);
  return { paths, verdict: report.verdict, pass: report.slos.pass, report };
}
