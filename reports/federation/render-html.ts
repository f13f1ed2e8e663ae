// federation report.html: one self-contained page (inline SVG charts, no
// scripts) built from the shared chart and page helpers. Pure.

import { barChart, lineChart, scatterChart, type Band, type Marker, type Series } from '../render/charts/index.js';
import { detailsSection, figure, html, keyValueTable, page, table, verdictBanner, type Column } from '../render/html.js';
import { fmtMs, type FederationReport } from './model.js';

type Row = { domain: string; count: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };

const latencyColumns = (what: string): Column<Row>[] => [
  { header: what, cell: (r) => r.domain },
  { header: 'deliveries', align: 'right', cell: (r) => r.count },
  { header: 'p50', align: 'right', cell: (r) => fmtMs(r.p50Ms) },
  { header: 'p95', align: 'right', cell: (r) => fmtMs(r.p95Ms) },
  { header: 'p99', align: 'right', cell: (r) => fmtMs(r.p99Ms) },
  { header: 'max', align: 'right', cell: (r) => fmtMs(r.maxMs) },
];

export function renderFederationHtml(r: FederationReport): string {
  const bands: Band[] = r.outage ? [{ from: r.outage.downAtS, to: r.outage.upAtS ?? r.durationS, label: `${r.outage.domain} down` }] : [];
  const markers: Marker[] = [{ x: r.durationS, label: 'load ends' }];
  const perInstance = (pick: (s: FederationReport['series'][number]) => Series['points']): Series[] => r.series.map((s) => ({ name: s.domain, points: pick(s) }));
  const charts = [
    scatterChart({
      title: 'Delivery latency of every post at the fleet, by arrival time',
      series: [{ name: 'deliveries', points: r.latencyPoints, connect: false }],
      x: { scale: 'time', label: 'arrival' },
      y: { unit: 'ms', label: 'published → arrival', zero: true },
      markers,
    }),
    lineChart({ title: 'push queue backlog per instance', series: perInstance((s) => s.pushBacklog), y: { unit: 'count', label: 'jobs waiting' }, bands, markers }),
    lineChart({ title: 'push queue latency per instance', series: perInstance((s) => s.pushLatencyS), y: { unit: 's', label: 'age of oldest job' }, bands, markers }),
    lineChart({ title: 'ingress queue backlog per instance', series: perInstance((s) => s.ingressBacklog), y: { unit: 'count', label: 'jobs waiting' }, bands, markers }),
    lineChart({ title: 'ingress queue latency per instance', series: perInstance((s) => s.ingressLatencyS), y: { unit: 's', label: 'age of oldest job' }, bands, markers }),
    lineChart({
      title: 'Delivery attempts per second: delivered (solid) and failed, to be retried (dashed)',
      series: [...perInstance((s) => s.deliveredPerS), ...r.series.map((s) => ({ name: `${s.domain} failed`, points: s.failedPerS, dashed: true }))],
      y: { unit: 'none', label: 'attempts/s' },
      bands,
      markers,
    }),
  ];
  const hist = barChart({
    title: 'Deliveries per post (distinct other servers among the author\'s followers)',
    bars: r.deliveriesPerPost.planned.histogram.map((h) => ({ label: `${h.deliveries} server${h.deliveries === 1 ? '' : 's'}`, value: h.posts, note: 'posts' })),
    unit: 'count',
    axisLabel: 'posts',
  });
  const o = r.outage;
  const body = html`
    <h1>Federation run: ${r.series.length} stand-ins and the remote fleet</h1>
    ${r.partial ? verdictBanner('partial', 'Partial report: the run stopped early', r.partialReason ?? 'interrupted') : ''}
    <p class="notice" role="note">Targets: stand-ins, Node models of Mastodon 4.5 built by mastodon-surge. Read the numbers as the shape of federation
      (how far a post fans out, where deliveries queue and how long they wait), not as a real Mastodon's costs.</p>
    ${verdictBanner(
      r.partial ? 'partial' : r.fleetCompleteness.arrived === r.fleetCompleteness.expected ? 'pass' : 'fail',
      r.fleetCompleteness.arrived === r.fleetCompleteness.expected ? 'Every delivery to the fleet arrived' : `${r.fleetCompleteness.expected - r.fleetCompleteness.arrived} deliveries to the fleet had not arrived when the run ended`,
      r.headline,
    )}
    ${keyValueTable(r.facts)}
    <h2>Fan-out</h2>
    ${keyValueTable([
      ['posts', `${r.posts.published} published, ${r.posts.failed} refused or failed`],
      ['deliveries per post (graph)', `mean ${r.deliveriesPerPost.planned.mean.toFixed(2)}, median ${r.deliveriesPerPost.planned.p50}, max ${r.deliveriesPerPost.planned.max}`],
      ['deliveries per post (instances\' counters)', r.deliveriesPerPost.measured === undefined ? 'not measured' : r.deliveriesPerPost.measured.toFixed(2)],
      ['fleet deliveries arrived', `${r.fleetCompleteness.arrived} of ${r.fleetCompleteness.expected}`],
      ['fan-out time (published → last fleet arrival)', `p50 ${fmtMs(r.fanOut.p50Ms)}, p95 ${fmtMs(r.fanOut.p95Ms)}, p99 ${fmtMs(r.fanOut.p99Ms)} over ${r.fanOut.count} complete posts`],
      ['delivery latency (published → arrival)', `p50 ${fmtMs(r.latency.p50Ms)}, p95 ${fmtMs(r.latency.p95Ms)}, p99 ${fmtMs(r.latency.p99Ms)}, max ${fmtMs(r.latency.maxMs)} over ${r.latency.count} deliveries`],
    ])}
    ${figure(hist)}
    ${o
      ? html`<h2>Outage of ${o.domain}</h2>
        ${keyValueTable([
          ['down', `${o.downAtS.toFixed(1)} s → ${o.upAtS === undefined ? 'not back before the end' : `${o.upAtS.toFixed(1)} s`}`],
          ['failed deliveries by the other instances (retried with Sidekiq\'s backoff)', o.retriesByOthers],
          ['deliveries skipped by an open circuit', o.circuitOpenByOthers],
          ['hosts with failing days recorded', o.failingHosts.length ? o.failingHosts.join(', ') : 'none'],
          ['unavailable domains', o.unavailableDomains.length ? o.unavailableDomains.join(', ') : 'none (a domain becomes unavailable after 7 distinct failing days)'],
          ['its own posts refused while down', o.postsRefused],
          ['its posts held in its push queue, arriving after the crash', o.delayedArrivals.count ? `${o.delayedArrivals.count}, p50 ${fmtMs(o.delayedArrivals.p50Ms)}, max ${fmtMs(o.delayedArrivals.maxMs)}` : 'none'],
        ])}`
      : ''}
    <h2>Over time</h2>
    ${charts.map((c) => figure(c))}
    <h2>Delivery latency by sending instance</h2>
    ${table(latencyColumns('from'), r.latencyBySource)}
    <h2>Delivery latency by receiving fleet server</h2>
    ${table(latencyColumns('to'), r.latencyByDomain)}
    ${detailsSection(
      'Delivery attempts per instance over the whole run (including setup)',
      table(
        [
          { header: 'instance', cell: (c: FederationReport['counts'][number]) => c.domain },
          { header: 'posts distributed', align: 'right', cell: (c) => c.distributed },
          { header: 'deliveries enqueued', align: 'right', cell: (c) => c.enqueued },
          { header: 'delivered', align: 'right', cell: (c) => c.delivered },
          { header: 'failed (retried)', align: 'right', cell: (c) => c.failed },
          { header: 'circuit open', align: 'right', cell: (c) => c.circuitOpen },
          { header: 'skipped (unavailable)', align: 'right', cell: (c) => c.skippedUnavailable },
          { header: 'gave up (4xx)', align: 'right', cell: (c) => c.unsalvageable },
        ],
        r.counts,
      ),
    )}
  `;
  return page({ title: 'mastodon-surge federation report', body, description: r.headline });
}
