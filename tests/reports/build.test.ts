import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../reports/build.js';
import { parseReport } from '../../reports/model/report-model.js';

// A recorded run folder (run.json + series.json from a short rehearsal of the
// stand-in) rebuilt offline into the three reports.

const FIXTURE = fileURLToPath(new URL('./fixtures/rehearsal-small', import.meta.url));

describe('building a report from a recorded run folder', () => {
  it('writes a valid report.json, a self-contained report.html and a report.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const out = await buildRunReport(dir);
    expect(out.verdict).toMatch(/stand-in/);
    const report = parseReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.schemaVersion).toBe('1.0');
    expect(report.target.label).toMatch(/stand-in/);
    expect(report.breakingPoint.status).toBe('did-not-break');
    expect(report.breakingPoint.maxOfferedRate).toBeGreaterThan(2);
    expect(report.projection?.web.processes).toBeGreaterThan(0);

    const htmlText = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(htmlText).not.toMatch(/<script|src="https?:|href="https?:|<link /);
    expect(htmlText.match(/<svg/g)?.length).toBeGreaterThanOrEqual(6);
    expect(htmlText).toContain(report.verdict.slice(0, 40));

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| SLO \| objective \| observed \| verdict \|/);
    expect(md).toContain('Breaking point');
  });

  it('names the file and field when run.json is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-report-'));
    await expect(buildRunReport(dir)).rejects.toThrow(/run\.json: not found: is this a run folder\?/);
  });
});
