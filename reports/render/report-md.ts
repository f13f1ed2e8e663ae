import type { Report } from '../model/report-schema.js';
import { badge, heading, mdTable } from './markdown.js';

// report.md: what a CI job summary or a PR comment shows — the verdict and the
// tables an admin acts on, no charts.

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const sec = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);

export function renderReportMd(r: Report): string {
  const out: string[] = [];
  out.push(heading(1, `Rehearsal: ${r.wave.name} against ${r.target.label}`));
  if (r.partial) out.push(`> **Partial report**: ${r.partialReason}`);
  if (r.target.kind === 'standin') out.push('> Target: the **stand-in** (a model of Mastodon, not a real instance): read its numbers as the order in which limits are hit.');
  out.push(`${badge(r.slos.pass ? 'pass' : 'fail').value} ${r.verdict}`);
  out.push(heading(2, 'SLOs'));
  out.push(
    mdTable(
      ['SLO', 'objective', 'observed', 'verdict'],
      r.slos.verdicts.map((v) => [
        v.name,
        v.objective,
        v.observed === null ? 'not measured' : v.unit === 'ratio' ? pct(v.observed) : sec(v.observed),
        badge(v.pass === null ? 'skip' : v.pass ? 'pass' : 'fail'),
      ]),
    ),
  );
  out.push(heading(2, 'Breaking point'), r.breakingPoint.summary);
  out.push(heading(2, 'First bottleneck'), r.bottleneck.summary);
  if (r.bottleneck.findings.length > 0) {
    out.push(mdTable(['resource', 'from', 'evidence', 'advice'], r.bottleneck.findings.map((f) => [f.resource, `${Math.round(f.firstAt)} s`, f.evidence, f.advice])));
  }
  if (r.projection) {
    const p = r.projection;
    out.push(heading(2, `What to provision for ${p.wave.name}`), p.summary);
    out.push(
      mdTable(
        ['component', 'need'],
        [
          ['web (Puma)', `${p.web.processes} processes × ${p.web.threadsPerProcess} threads`],
          ['Sidekiq', `${p.sidekiq.processes} processes × ${p.sidekiq.threadsPerProcess} threads (${p.sidekiq.mailersProcesses} for mailers)`],
          ['PostgreSQL', `${Math.ceil(p.database.connections.total)} connections; max_connections ≥ ${Math.ceil(p.database.maxConnections.required)}`],
          ['Redis', `${(p.redis.totalBytes / 2 ** 30).toFixed(2)} GiB`],
          ['storage', `${p.storage.gbPerMonth.toFixed(1)} GB a month`],
          ['cost', `${p.cost.currency} ${Math.round(p.cost.monthly)} a month (${p.cost.source})`],
          ['mas.to', p.anchor.text],
        ],
      ),
    );
    if (p.changes.length > 0) out.push(p.changes.map((c) => `- ${c}`).join('\n'));
  }
  if (r.scalability.fit) {
    const f = r.scalability.fit;
    out.push(heading(2, 'Scalability (USL)'), `λ = ${f.lambda.toPrecision(3)}, σ = ${f.sigma.toPrecision(3)}, κ = ${f.kappa.toPrecision(3)}; ${r.scalability.note}`);
  }
  return `${out.join('\n\n')}\n`;
}
