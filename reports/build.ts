import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { loadRunSeries } from '../infra/metrics/run-series.js';
import { readRunMeta } from './collect/run-folder.js';
import { toRunData } from './collect/run-data.js';
import { parsePriceSheet } from './model/price-sheet.js';
import { projectionWaveFromRun } from './model/projection.js';
import { buildReport, parseReport } from './model/report-model.js';
import { parseSloConfig } from './model/slo.js';
import { renderReportHtml } from './render/report-html.js';
import { renderReportMd } from './render/report-md.js';

// A run folder (run.json + series.json) to report.json, report.md and
// report.html. Needs no running service, so `surge report` can redo it later.

async function readConfig(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read it (${err.code ?? err.message})`);
  });
  return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
}

export async function buildRunReport(dir: string, opts: { sloFile?: string; priceSheetFile?: string } = {}) {
  const meta = await readRunMeta(dir);
  const data = toRunData(meta, await loadRunSeries(dir));
  // Plan for the whole wave in real time, not the scaled-down replay.
  const full = { ...data.wave, totalSignups: data.wave.totalSignups / meta.wave.scale, peakSignupRate: data.wave.peakSignupRate / meta.wave.scale };
  const report = parseReport(
    buildReport(data, {
      generatedAt: new Date().toISOString(),
      projectionWave: projectionWaveFromRun(full),
      ...(opts.sloFile ? { slos: parseSloConfig(await readConfig(opts.sloFile), opts.sloFile) } : {}),
      ...(opts.priceSheetFile ? { prices: parsePriceSheet(await readConfig(opts.priceSheetFile), opts.priceSheetFile) } : {}),
    }),
  );
  const paths = [join(dir, 'report.html'), join(dir, 'report.md'), join(dir, 'report.json')];
  await writeFile(paths[0]!, renderReportHtml(report, data));
  await writeFile(paths[1]!, renderReportMd(report));
  await writeFile(paths[2]!, `${JSON.stringify(report, null, 2)}\n`);
  return { paths, verdict: report.verdict, pass: report.slos.pass, report };
}
