import type { ExtraSeriesName } from '../collect/queries.js';
import type { Report } from '../model/report-schema.js';
import type { Point, RunData, Series } from '../model/types.js';
import { barChart, lineChart, scatterChart } from './charts/index.js';
import { detailsSection, figure, html, keyValueTable, page, table, verdictBanner } from './html.js';

// report.html: one self-contained page (inline CSS and SVG, no script, no
// external asset) with the verdict first, then the charts and tables behind it.

type Extra = Partial<Record<ExtraSeriesName, Series[]>>;

const named = (list: Series[] | undefined, prefix = '') =>
  (list ?? []).map((s) => ({ name: `${prefix}${Object.values(s.labels).join(' ') || s.name}`, points: s.points }));
const first = (list: Series[] | undefined): Point[] => list?.[0]?.points ?? [];

/**
 * a / b sample by sample (same timestamps, as one range query's step gives),
 * skipping moments of (almost) no traffic, where a share means nothing.
 */
function ratio(a: Point[], b: Point[]): Point[] {
  const floor = 0.01 * Math.max(0, ...b.map(([, v]) => v));
  const byT = new Map(b.map(([t, v]) => [t, v]));
  return a.flatMap(([t, v]) => {
    const d = byT.get(t);
    return d !== undefined && d > 0 && d >= floor ? [[t, v / d] as Point] : [];
  });
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const gib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`);
const sloVerdict = (v: Report['slos']['verdicts'][number]) => (v.pass === null ? 'not measured' : v.pass ? 'pass' : 'fail');

const NOTICE_CSS = `.notice { border: 2px dashed var(--partial); border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; font-weight: 600; }`;

export function renderReportHtml(r: Report, data: RunData, extra: Extra = {}): string {
  const bands = data.phases.map((p) => ({ from: p.startSec, to: p.endSec, label: p.name }));
  const markers = [
    ...(r.breakingPoint.brokeAt ? [{ x: r.breakingPoint.brokeAt.t, label: `breaking point ${r.breakingPoint.brokeAt.rate.toFixed(1)}/s` }] : []),
    ...(r.bottleneck.first ? [{ x: r.bottleneck.first.firstAt, label: `first bottleneck: ${r.bottleneck.first.name}` }] : []),
  ];
  const slo = (id: string) => r.slos.verdicts.find((v) => v.id === id);
  const sloLine = (id: string, label: string) => {
    const v = slo(id);
    return v ? [{ value: v.threshold, label: `${label} ${v.objective.replace(/^.*< /, '< ')}` }] : [];
  };
  const s = data.series;
  const queueThresholds = r.slos.verdicts
    .filter((v) => v.id.startsWith('queue-') && (s.sidekiqLatency ?? []).some((x) => `queue-${x.labels.queue}` === v.id))
    .map((v) => ({ value: v.threshold, label: `${v.id.slice(6)} SLO`, includeInDomain: false }));
  const webJob = (extra.processCpu ?? []).filter((x) => /web/.test(x.labels.job ?? ''));
  const workerJob = (extra.processCpu ?? []).filter((x) => /worker|sidekiq/.test(x.labels.job ?? ''));

  const charts = [
    lineChart({
      title: 'API latency (web histogram)',
      series: [
        { name: 'p50', points: first(s.latencyP50) },
        { name: 'p95', points: first(s.latencyP95) },
        { name: 'p99', points: first(s.latencyP99) },
      ],
      y: { unit: 's', label: 'latency' },
      thresholds: [...sloLine('api-p95', 'p95 SLO'), ...sloLine('api-p99', 'p99 SLO')],
      bands,
      markers,
    }),
    lineChart({
      title: 'Signups offered and achieved',
      series: [
        { name: 'offered', points: first(s.offeredRate) },
        { name: 'achieved', points: first(s.throughput) },
        ...(extra.droppedRate?.length ? [{ name: 'dropped (no free VU)', points: first(extra.droppedRate), dashed: true }] : []),
      ],
      y: { unit: 'req/s', label: data.rateUnit, format: (v: number) => `${+v.toFixed(2)}/s` },
      bands,
      markers,
    }),
    ...(extra.activityRate?.some((x) => x.points.length)
      ? [
          lineChart({
            title: "Newcomers' everyday requests (activity phase)",
            series: [
              { name: 'started by the runner', points: first(extra.activityRate) },
              { name: 'answered by the web (all)', points: first(s.requestRate), dashed: true },
            ],
            y: { unit: 'req/s', label: 'requests/s', format: (v: number) => `${+v.toFixed(1)}/s` },
            bands,
            markers,
          }),
        ]
      : []),
    lineChart({
      title: 'Errors and throttles (share of web requests)',
      series: [
        { name: 'server errors (5xx)', points: first(s.errorRate) },
        { name: '429 throttled', points: ratio(first(s.throttleRate), first(s.requestRate)) },
      ],
      y: { unit: 'ratio', label: 'share of requests' },
      thresholds: sloLine('errors', 'error SLO'),
      bands,
      markers,
    }),
    lineChart({
      title: 'Sidekiq queue latency by queue',
      series: named(s.sidekiqLatency),
      y: { unit: 's', label: 'age of oldest job' },
      thresholds: queueThresholds,
      bands,
      markers,
    }),
    lineChart({
      title: 'CPU',
      series: [
        { name: 'web processes', points: webJob.length ? webJob[0]!.points : first(s.webCpu) },
        ...(workerJob.length ? [{ name: 'Sidekiq worker', points: workerJob[0]!.points }] : []),
        ...(extra.nodeCpu?.length ? [{ name: 'whole machine', points: first(extra.nodeCpu), dashed: true }] : []),
      ],
      y: { unit: 'none', label: 'cores' },
      ...(data.limits.webCpuCores ? { thresholds: [{ value: data.limits.webCpuCores, label: `${data.limits.webCpuCores} cores`, includeInDomain: false }] } : {}),
      bands,
      markers,
    }),
    lineChart({
      title: 'Waiting: database pool and web backlog',
      series: [...named(s.dbPoolWaiting, 'DB pool waiting '), { name: 'web backlog (puma)', points: first(s.webBacklog) }, ...named(s.sidekiqBacklog, 'jobs queued ')],
      y: { unit: 'count', label: 'threads / requests / jobs' },
      bands,
      markers,
    }),
    lineChart({
      title: 'Redis memory',
      series: [{ name: 'Redis used memory', points: first(s.redisMemory) }],
      y: { unit: 'bytes', label: 'memory' },
      ...(data.limits.redisMaxMemoryBytes ? { thresholds: [{ value: data.limits.redisMaxMemoryBytes, label: 'maxmemory' }] } : {}),
      bands,
      markers,
    }),
    scatterChart({
      title: 'Latency against load (breakpoint steps)',
      series: [
        {
          name: 'held every SLO',
          connect: false,
          points: r.breakingPoint.windows.filter((w) => w.throughput !== null && w.latencyP95 !== null && w.violated.length === 0).map((w) => [w.throughput!, w.latencyP95!] as [number, number]),
        },
        {
          name: 'broke an SLO',
          connect: false,
          points: r.breakingPoint.windows.filter((w) => w.throughput !== null && w.latencyP95 !== null && w.violated.length > 0).map((w) => [w.throughput!, w.latencyP95!] as [number, number]),
        },
      ],
      x: { unit: 'req/s', label: `throughput (${data.rateUnit})`, format: (v: number) => `${+v.toFixed(2)}/s` },
      y: { unit: 's', label: 'p95 latency' },
      thresholds: sloLine('api-p95', 'p95 SLO'),
      highlights: [
        ...(r.breakingPoint.knee ? [{ x: r.breakingPoint.knee.throughput, y: r.breakingPoint.knee.latencyP95, label: 'knee' }] : []),
        ...breakingHighlight(r),
      ],
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
  const standin = r.target.kind === 'standin';
  const fit = r.scalability.fit;
  const body = html`
    <h1>Rehearsal: ${r.wave.name} against ${r.target.label}</h1>
    ${r.partial ? verdictBanner('partial', 'Partial report: the run stopped early', r.partialReason ?? 'interrupted') : ''}
    ${standin
      ? html`<p class="notice" role="note">Target: the stand-in, a Node model of Mastodon 4.5 built by mastodon-surge, not a real Mastodon. Its costs per request are
        not Rails' costs; read its numbers as the shape of the limits (what saturates first, and in what order), and rehearse a real instance before buying hardware.</p>`
      : ''}
    ${verdictBanner(r.slos.pass ? 'pass' : 'fail', r.slos.pass ? 'Every measured SLO held' : 'An SLO failed', r.verdict)}
    ${keyValueTable([
      ['target', `${r.target.label}${standin ? ' (stand-in, not a real Mastodon)' : ''}`],
      ['wave', `${r.wave.name}: ${int(r.wave.totalSignups)} signups over ${int(r.wave.durationSec)} s as rehearsed (×${r.wave.compression.toFixed(0)} compressed)${r.projection ? `; planned for ${int(r.projection.wave.totalSignups)} signups, peak ${r.projection.wave.peakSignupRate.toFixed(2)}/s` : ''}`],
      ['sizing', `WEB_CONCURRENCY ${r.sizing.webConcurrency}, MAX_THREADS ${r.sizing.maxThreads}, SIDEKIQ_CONCURRENCY ${r.sizing.sidekiqConcurrency}, DB_POOL ${r.sizing.dbPool ?? 'default (threads)'}`],
      ['phases', data.phases.map((ph) => `${ph.name} ${Math.round(ph.startSec)}–${Math.round(ph.endSec)} s`).join(', ') || 'none'],
      ['breaking point', r.breakingPoint.summary],
      ['first bottleneck', r.bottleneck.summary],
      ['generated', r.generatedAt ?? 'unknown'],
    ])}
    <h2>Over time</h2>
    ${charts.map((c) => figure(c))}
    <h2>SLOs</h2>
    ${table(
      [
        { header: 'SLO', cell: (v: Report['slos']['verdicts'][number]) => v.name },
        { header: 'objective', cell: (v) => v.objective },
        { header: 'observed', align: 'right', cell: (v) => (v.observed === null ? '–' : v.unit === 'ratio' ? `${(v.observed * 100).toFixed(2)} %` : `${v.observed.toPrecision(3)} s`) },
        { header: 'verdict', cell: (v) => sloVerdict(v) },
        { header: 'evidence', cell: (v) => v.evidence.text },
      ],
      r.slos.verdicts,
      { caption: r.slos.window.basis },
    )}
    <h2>Bottlenecks, in the order they appeared</h2>
    ${r.bottleneck.findings.length
      ? table(
          [
            { header: 'resource', cell: (f: Report['bottleneck']['findings'][number]) => f.name },
            { header: 'from', align: 'right', cell: (f) => `${Math.round(f.firstAt)} s` },
            { header: 'at load', align: 'right', cell: (f) => (f.offeredRate === null ? '–' : `${f.offeredRate.toFixed(1)}/s`) },
            { header: 'evidence', cell: (f) => f.evidence },
            { header: 'advice', cell: (f) => f.advice },
          ],
          r.bottleneck.findings,
        )
      : html`<p>No resource saturated.</p>`}
    ${r.bottleneck.notChecked.length ? detailsSection('Not checked', html`<ul>${r.bottleneck.notChecked.map((n) => html`<li>${n}</li>`)}</ul>`) : ''}
    ${p
      ? html`<h2>What to provision for ${p.wave.name}</h2><p>${p.summary}</p>
      ${keyValueTable([
        ['web (Puma)', `${p.web.processes} processes × ${p.web.threadsPerProcess} threads (${p.web.basis})`],
        ['Sidekiq', `${p.sidekiq.processes} processes × ${p.sidekiq.threadsPerProcess} threads (${p.sidekiq.mailersProcesses} for mailers)`],
        ['streaming', `${p.streaming.processes} processes for ${int(p.streaming.connections)} connections`],
        ['PostgreSQL', `${Math.ceil(p.database.connections.total)} connections (web ${Math.ceil(p.database.connections.web)}, Sidekiq ${Math.ceil(p.database.connections.sidekiq)}, streaming ${Math.ceil(p.database.connections.streaming)}); max_connections ≥ ${Math.ceil(p.database.maxConnections.required)} (now ${int(p.database.maxConnections.current)}${p.database.maxConnections.mustRaise ? ': raise it' : ''})`],
        ['Redis', `${gib(p.redis.totalBytes)} (home feeds ${gib(p.redis.feedBytes)})`],
        ['storage', `${(p.storage.bytesPerDay / 1e9).toFixed(2)} GB a day, ${p.storage.gbPerMonth.toFixed(1)} GB a month (${int(p.storage.statusesPerDay)} statuses a day)`],
        ['mail', `${int(p.mail.perDay)} a day`],
        ['cost', `${p.cost.currency} ${int(p.cost.monthly)} a month`],
        ['price sheet', p.cost.source],
        ['compared with mas.to', `${p.anchor.text} (mas.to: USD ${int(p.anchor.monthlyUsd)} a month for ${int(p.anchor.users.low)}–${int(p.anchor.users.high)} users)`],
      ])}
      ${p.sidekiq.queues.length
        ? table(
            [
              { header: 'queue', cell: (q: (typeof p.sidekiq.queues)[number]) => q.queue },
              { header: 'jobs/s', align: 'right', cell: (q) => q.jobRate.toFixed(2) },
              { header: 's per job', align: 'right', cell: (q) => q.jobSeconds.toFixed(3) },
              { header: 'busy threads', align: 'right', cell: (q) => q.busyThreads.toFixed(1) },
              { header: 'threads', align: 'right', cell: (q) => String(q.threads) },
              { header: 'basis', cell: (q) => q.basis },
            ],
            p.sidekiq.queues,
            { caption: 'Sidekiq threads per queue' },
          )
        : ''}
      ${p.changes.length ? html`<ul>${p.changes.map((c) => html`<li>${c}</li>`)}</ul>` : ''}
      ${cost ? figure(cost) : ''}
      ${p.notes.length ? html`<ul>${p.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
      ${detailsSection('Assumptions', table([{ header: 'assumption', cell: (a: (typeof p.assumptions)[number]) => a.name }, { header: 'value', cell: (a) => (typeof a.value === 'number' ? String(a.value) : JSON.stringify(a.value)) }, { header: 'basis', cell: (a) => a.basis }], p.assumptions))}`
      : html`<h2>What to provision</h2><p>No projection: the run did not measure enough to size from.</p>`}
    <h2>Scalability (Universal Scalability Law)</h2>
    ${fit
      ? keyValueTable([
          ['model', fit.model],
          ['λ (throughput of one thread)', fit.lambda.toPrecision(3)],
          ['σ (contention)', fit.sigma.toPrecision(3)],
          ['κ (coherency)', fit.kappa.toPrecision(3)],
          ['R²', fit.r2 === null ? '–' : fit.r2.toFixed(3)],
          ['peak concurrency N*', fit.peakConcurrency === null ? '–' : fit.peakConcurrency.toFixed(1)],
          ['max throughput', fit.maxThroughput === null ? '–' : `${fit.maxThroughput.toFixed(2)} ${r.breakingPoint.rateUnit}`],
          ['points', String(fit.points)],
        ])
      : ''}
    <p>${r.scalability.note}</p>
  `;
  return page({ title: `mastodon-surge report: ${r.wave.name}${standin ? ' (stand-in)' : ''}`, body, extraCss: NOTICE_CSS });
}

function breakingHighlight(r: Report) {
  const bp = r.breakingPoint;
  if (bp.sustainedRate === null) return [];
  const w = bp.windows.find((x) => x.credited && x.rate === bp.sustainedRate && x.throughput !== null && x.latencyP95 !== null);
  return w ? [{ x: w.throughput!, y: w.latencyP95!, label: `${bp.status === 'broke' ? 'breaking point' : 'highest load tried'} ${bp.sustainedRate}/s` }] : [];
}
