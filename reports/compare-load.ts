import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { reportForRunFolder } from './build.js';
import { CompareInputError } from './compare.js';
import { parseReport } from './model/report-model.js';
import type { Report } from './model/report-schema.js';

// One side of `surge compare`: a report.json, a run folder (its report.json,
// or rebuilt in memory from run.json + series.json), a folder of run folders,
// or a comma-separated list of any of these. Errors are one line naming the path.

async function kind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

async function readReportFile(file: string): Promise<Report> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CompareInputError(`${file}: not a readable JSON report (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    return parseReport(data, file);
  } catch (err) {
    throw new CompareInputError((err as Error).message);
  }
}

async function runFolderReport(dir: string): Promise<Report | undefined> {
  if ((await kind(join(dir, 'report.json'))) === 'file') return readReportFile(join(dir, 'report.json'));
  if ((await kind(join(dir, 'run.json'))) === 'file') {
    try {
      return (await reportForRunFolder(dir, { generatedAt: '1970-01-01T00:00:00.000Z' })).report;
    } catch (err) {
      throw new CompareInputError((err as Error).message);
    }
  }
  return undefined;
}

/** The reports one argument names, in a stable order. */
export async function loadCompareSide(arg: string): Promise<Report[]> {
  const items = arg.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new CompareInputError(`"${arg}": no run folder or report given`);
  const out: Report[] = [];
  for (const item of items) {
    const k = await kind(item);
    if (k === 'missing') throw new CompareInputError(`${item}: not found`);
    if (k === 'file') {
      out.push(await readReportFile(item));
      continue;
    }
    const own = await runFolderReport(item);
    if (own) {
      out.push(own);
      continue;
    }
    const children = (await readdir(item, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const found: Report[] = [];
    for (const child of children) {
      const r = await runFolderReport(join(item, child));
      if (r) found.push(r);
    }
    if (found.length === 0) throw new CompareInputError(`${item}: not a run folder, a report.json or a folder of run folders`);
    out.push(...found);
  }
  return out;
}
