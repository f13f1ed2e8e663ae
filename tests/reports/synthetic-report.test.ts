import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../reports/build.js';
import { parseReport } from '../../reports/model/report-model.js';
import { writeSyntheticRun, type SyntheticRun } from './synthetic-run.js';

// A run folder generated from planted behaviour (p95 crosses 500 ms at
// 8 signups/s; the web DB pool waits from 7/s, before the web backlog at 8/s)
// rebuilt offline into the three reports. Structure, not pixels.

async function build(o: SyntheticRun = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'surge-synth-'));
  await writeSyntheticRun(dir, o);
  const out = await buildRunReport(dir, { generatedAt: '2026-11-27T12:00:00.000Z' });
  return {
    out,
    report: parseReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))),
    html: readFileSync(join(dir, 'report.html'), 'utf8'),
    md: readFileSync(join(dir, 'report.md'), 'utf8'),
  };
}

describe('report from a stepped breakpoint that breaks at 8 signups/s', () => {
  it('finds the breaking point and the DB pool as first bottleneck, and renders them', async () => {
    const { out, report, html, md } = await build();
    expect(report.breakingPoint.status).toBe('broke');
    expect(report.breakingPoint.sustainedRate).toBe(7);
    expect(report.breakingPoint.brokeAt?.rate).toBe(8);
    expect(report.breakingPoint.brokeAt?.violated).toContain('api-p95');
    expect(report.bottleneck.first?.resource).toBe(`db-pool:standin-web`);
    expect(report.bottleneck.findings.map((f) => f.resource)).toEqual(['db-pool:standin-web', 'web-backlog']);
    expect(report.projection?.web.processes).toBeGreaterThan(2);
    expect(out.paths.map((p) => p.split('/').pop())).toEqual(['report.html', 'report.md', 'report.json']);
    expect(out.verdict).toBe(report.verdict);

    // report.html: self-contained, verdict first, charts, stand-in stated.
    expect(html.match(/<script|(src|href)="https?:|<link |@import|url\((?!#)/i)).toBeNull();
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(6);
    expect(html).toContain(report.verdict.slice(0, 60).replace(/'/g, '&#39;'));
    expect(html).toContain('class="notice"');
    expect(html).toMatch(/Target: the stand-in/);
    expect(html).toContain('breaking point 8.0/s');
    expect(html).toContain('first bottleneck: Database pool (standin-web)');
    for (const title of ['API latency', 'Signups offered and achieved', 'Errors and throttles', 'Sidekiq queue latency by queue', 'CPU', 'Redis memory', 'Latency against load']) {
      expect(html).toContain(title);
    }
    expect(html).toMatch(/Sidekiq threads per queue/);
    expect(html).toMatch(/mas\.to/);
    expect(html).toMatch(/σ \(contention\)/);
    expect(html.match(/NaN|undefined/)).toBeNull();
    expect(html).not.toContain('PARTIAL');

    // report.md: compact, for a job summary.
    expect(md).toMatch(/\| SLO \| objective \| observed \| verdict \|/);
    expect(md).toContain('## Breaking point');
    expect(md).toContain('## First bottleneck');
    expect(md).toMatch(/## What to provision/);
    expect(md).toMatch(/\*\*stand-in\*\*/);
    expect(md.length).toBeLessThan(20_000);
  });

  it('a healthy run did not break and found no bottleneck', async () => {
    const { report, html } = await build({ breakAt: null });
    expect(report.breakingPoint.status).toBe('did-not-break');
    expect(report.breakingPoint.sustainedRate).toBe(12);
    expect(report.bottleneck.first).toBeNull();
    expect(report.slos.pass).toBe(true);
    expect(html).toContain('No resource saturated.');
  });

  it('an interrupted run says partial; a URL target has no stand-in notice', async () => {
    const { report, html, md } = await build({ partialReason: 'interrupted by SIGINT', target: { kind: 'url', label: 'http://127.0.0.1:3000' } });
    expect(report.partial).toBe(true);
    expect(html).toMatch(/PARTIAL<\/strong> Partial report/);
    expect(html).toContain('interrupted by SIGINT');
    expect(html).not.toContain('class="notice"');
    expect(md).toMatch(/\*\*Partial report\*\*: interrupted by SIGINT/);
  });
});
