// Reads a federation run folder's federation-run.json and writes report.html,
// report.md and report.json beside it. The only I/O of reports/federation.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFederationReport } from './model.js';
import { renderFederationHtml } from './render-html.js';
import { renderFederationMd } from './render-md.js';
import type { FederationRunData } from './types.js';

export const RUN_FILE = 'federation-run.json';

export async function buildFederationReportFiles(dir: string): Promise<{ paths: string[]; headline: string }> {
  let run: FederationRunData;
  try {
    run = JSON.parse(await readFile(join(dir, RUN_FILE), 'utf8')) as FederationRunData;
  } catch (err) {
    throw new Error(`${join(dir, RUN_FILE)} cannot be read (${(err as Error).message}): is ${dir} a surge federation run folder?`);
  }
  const report = buildFederationReport(run);
  const paths = [join(dir, 'report.html'), join(dir, 'report.md'), join(dir, 'report.json')];
  await Promise.all([
    writeFile(paths[0]!, renderFederationHtml(report)),
    writeFile(paths[1]!, renderFederationMd(report)),
    writeFile(paths[2]!, `${JSON.stringify(report, null, 2)}\n`),
  ]);
  return { paths, headline: report.headline };
}
