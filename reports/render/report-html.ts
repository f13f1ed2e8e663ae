import type { Report } from '../model/report-schema.js';
import type { RunData, Series } from '../model/types.js';
import { barChart, lineChart, scatterChart } from './charts/index.js';
import { detailsSection, figure, html, keyValueTable, page, table, verdictBanner } from './html.js';

// report.html: one self-contained page (inline CSS and SVG, no script, no
// external asset) with the verdict first, then the charts and tables behind it.

const pts = (list: Series[] | undefined) => (list ?? []).map((s) => ({ name: Object.values(s.labels).join(' ') || s.name, points: s.points }));

export function renderReportHtml(r: Report, data: RunData): string {
  const bands = data.phases.map((p) => ({ from: p.startSec, to: p.endSec, label: p.name }));
  const markers = [
    ...(r.breakingPoint.brokeAt ? [{ x: r.breakingPoint.brokeAt.t, label: `breaking point ${r.breakingPoint.brokeAt.rate.toFixed(1)}/s` }] : []),
    ...(r.bottleneck.first ? [{ x: r.bottleneck.first.firstAt, label: `first bottleneck: ${r.bottleneck.first.resource}` }] : []),
  ];
  const s = data.series;
  const charts = [
    lineChart({
      title: 'API latency',
      series: [
        { name: 'p50', points: s.latencyP50?.[0]?.points ?? [] },
        { name: 'p95', points: s.latencyP95[0]?.points ?? [] },
        { name: 'p99', points: s.latencyP99?.[0]?.points ?? [] },
      ],
      y: { unit: 's', label: 'latency' },
      thresholds: [{ value: 0.5, label: 'p95 SLO 500 ms' }, { value: 1, label: 'p99 SLO 1 s' }],
      bands,
      markers,
    }),
    lineChart({
      title: 'Signups offered and completed',
      series: [
        { name: 'offered', points: s.offeredRate[0]?.points ?? [] },
        { name: 'completed', points: s.throughput[0]?.points ?? [] },
      ],
      y: { unit: 'req/s', label: data.rateUnit },
      bands,
      markers,
    }),
    lineChart({
      title: 'Errors and throttles',
      series: [{ name: 'error share', points: s.errorRate[0]?.points ?? [] }],
      y: { unit: 'ratio', label: 'share of requests' },
      thresholds: [{ value: 0.01, label: 'error SLO 1 %' }],
      bands,
    }),
    lineChart({ title: 'Sidekiq queue latency', series: pts(s.sidekiqLatency), y: { unit: 's', label: 'age of oldest job' }, thresholds: [{ value: 60, label: '60 s (default, push, ingress)' }], bands }),
    lineChart({
      title: 'Resources',
      series: [
        { name: 'web CPU (cores)', points: s.webCpu?.[0]?.points ?? [] },
        { name: 'web backlog', points: s.webBacklog?.[0]?.points ?? [] },
        ...pts(s.dbPoolWaiting).map((x) => ({ ...x, name: `DB pool waiting ${x.name}` })),
      ],
      y: { label: 'cores / requests / threads' },
      bands,
      markers,
    }),
    scatterChart({
      title: 'Latency against load',
      series: [
        {
          name: 'breakpoint windows',
          connect: false,
          points: r.breakingPoint.windows.filter((w) => w.throughput !== null && w.latencyP95 !== null).map((w) => [w.throughput!, w.latencyP95!] as [number, number]),
        },
      ],
      x: { unit: 'req/s', label: `throughput (${data.rateUnit})` },
      y: { unit: 's', label: 'p95 latency' },
      thresholds: [{ value: 0.5, label: 'p95 SLO' }],
      highlights: r.breakingPoint.knee ? [{ x: r.breakingPoint.knee.throughput, y: r.breakingPoint.knee.latencyP95, label: 'knee' }] : [],
    }),
  ];
  const p = r.projection;
  const cost = p
    ? barChart({
        title: `Monthly cost (${p.cost.currency}) for ${p.wave.name}`,
        bars: Object.entries(p.cost.breakdown).map(([label, value]) => ({ label, value })),
        references: [{ value: p.anchor.monthlyUsd, label: `${p.anchor.name}: USD ${p.anchor.monthlyUsd}/month` }],
      })
    : undefined;
  const body = html`
    <h1>Rehearsal: ${r.wave.name} against ${r.target.label}</h1>
    ${verdictBanner(r.partial ? 'partial' : r.slos.pass ? 'pass' : 'fail', r.partial ? `Partial report: ${r.partialReason}` : r.slos.pass ? 'SLOs held' : 'SLOs failed', r.verdict)}
    ${keyValueTable([
      ['target', r.target.label],
      ['wave', `${r.wave.name}: ${Math.round(r.wave.totalSignups)} signups, ×${r.wave.compression.toFixed(0)} compressed`],
      ['sizing', `WEB_CONCURRENCY ${r.sizing.webConcurrency}, MAX_THREADS ${r.sizing.maxThreads}, SIDEKIQ_CONCURRENCY ${r.sizing.sidekiqConcurrency}`],
      ['breaking point', r.breakingPoint.summary],
      ['first bottleneck', r.bottleneck.summary],
    ])}
    ${charts.map((c) => figure(c))}
    <h2>SLOs</h2>
    ${table(
      [
        { header: 'SLO', cell: (v: Report['slos']['verdicts'][number]) => v.name },
        { header: 'objective', cell: (v) => v.objective },
        { header: 'verdict', cell: (v) => (v.pass === null ? 'not measured' : v.pass ? 'pass' : 'fail') },
        { header: 'evidence', cell: (v) => v.evidence.text },
      ],
      r.slos.verdicts,
    )}
    <h2>Bottlenecks, in the order they appeared</h2>
    ${table(
      [
        { header: 'resource', cell: (f: Report['bottleneck']['findings'][number]) => f.resource },
        { header: 'from', align: 'right', cell: (f) => `${Math.round(f.firstAt)} s` },
        { header: 'evidence', cell: (f) => f.evidence },
        { header: 'advice', cell: (f) => f.advice },
      ],
      r.bottleneck.findings,
    )}
    ${p
      ? html`<h2>What to provision for ${p.wave.name}</h2><p>${p.summary}</p>
      ${keyValueTable([
        ['web (Puma)', `${p.web.processes} processes × ${p.web.threadsPerProcess} threads`],
        ['Sidekiq', `${p.sidekiq.processes} processes × ${p.sidekiq.threadsPerProcess} threads (${p.sidekiq.mailersProcesses} for mailers)`],
        ['PostgreSQL', `${Math.ceil(p.database.connections.total)} connections, max_connections ≥ ${Math.ceil(p.database.maxConnections.required)}`],
        ['Redis', `${(p.redis.totalBytes / 2 ** 30).toFixed(2)} GiB`],
        ['storage', `${p.storage.gbPerMonth.toFixed(1)} GB a month`],
        ['cost', `${p.cost.currency} ${Math.round(p.cost.monthly)} a month (${p.cost.source}); mas.to: USD ${p.anchor.monthlyUsd} a month for ${p.anchor.users.low.toLocaleString('en')}–${p.anchor.users.high.toLocaleString('en')} users`],
      ])}
      ${cost ? figure(cost) : ''}
      ${detailsSection('Assumptions', table([{ header: 'assumption', cell: (a: (typeof p.assumptions)[number]) => a.name }, { header: 'basis', cell: (a) => a.basis }], p.assumptions))}`
      : ''}
    ${r.scalability.fit ? html`<h2>Scalability (USL)</h2><p>λ = ${r.scalability.fit.lambda.toPrecision(3)}, σ = ${r.scalability.fit.sigma.toPrecision(3)}, κ = ${r.scalability.fit.kappa.toPrecision(3)}; ${r.scalability.note}</p>` : ''}
  `;
  return page({ title: `mastodon-surge report: ${r.wave.name}`, body });
}
