// federation report.md: the numbers a CI job summary needs, no charts. Pure.

import { heading, mdTable } from '../render/markdown.js';
import { fmtMs, type FederationReport } from './model.js';

export function renderFederationMd(r: FederationReport): string {
  const out: string[] = [heading(1, `Federation run: ${r.series.length} stand-ins and the remote fleet`)];
  if (r.partial) out.push(`> **Partial report**: ${r.partialReason ?? 'interrupted'}`);
  out.push(r.headline);
  out.push(mdTable(['', ''], r.facts));
  out.push(heading(2, 'Fan-out'));
  out.push(
    mdTable(
      ['measure', 'value'],
      [
        ['posts', `${r.posts.published} published, ${r.posts.failed} refused or failed`],
        ['deliveries per post (graph)', `mean ${r.deliveriesPerPost.planned.mean.toFixed(2)}, median ${r.deliveriesPerPost.planned.p50}, max ${r.deliveriesPerPost.planned.max}`],
        ["deliveries per post (instances' counters)", r.deliveriesPerPost.measured === undefined ? 'not measured' : r.deliveriesPerPost.measured.toFixed(2)],
        ['fleet deliveries arrived', `${r.fleetCompleteness.arrived} of ${r.fleetCompleteness.expected}`],
        ['fan-out time p50 / p95 / p99', `${fmtMs(r.fanOut.p50Ms)} / ${fmtMs(r.fanOut.p95Ms)} / ${fmtMs(r.fanOut.p99Ms)}`],
        ['delivery latency p50 / p95 / p99', `${fmtMs(r.latency.p50Ms)} / ${fmtMs(r.latency.p95Ms)} / ${fmtMs(r.latency.p99Ms)}`],
      ],
      ['left', 'right'],
    ),
  );
  const rows = (list: FederationReport['latencyBySource']) => list.map((x) => [x.domain, x.count, fmtMs(x.p50Ms), fmtMs(x.p95Ms), fmtMs(x.p99Ms), fmtMs(x.maxMs)]);
  out.push(heading(2, 'Delivery latency by sending instance'), mdTable(['from', 'deliveries', 'p50', 'p95', 'p99', 'max'], rows(r.latencyBySource), ['left', 'right', 'right', 'right', 'right', 'right']));
  out.push(heading(2, 'Queues per instance (worst during the run)'));
  const worst = (pts: ReadonlyArray<readonly [number, number | null]>) => Math.max(0, ...pts.map(([, v]) => v ?? 0));
  out.push(
    mdTable(
      ['instance', 'push backlog', 'push latency', 'ingress backlog', 'ingress latency'],
      r.series.map((s) => [s.domain, worst(s.pushBacklog), fmtMs(worst(s.pushLatencyS) * 1000), worst(s.ingressBacklog), fmtMs(worst(s.ingressLatencyS) * 1000)]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  if (r.outage) {
    const o = r.outage;
    out.push(heading(2, `Outage of ${o.domain}`));
    out.push(
      mdTable(
        ['', ''],
        [
          ['down', `${o.downAtS.toFixed(1)} s → ${o.upAtS === undefined ? 'not back' : `${o.upAtS.toFixed(1)} s`}`],
          ['failed deliveries by the other instances (retried)', o.retriesByOthers],
          ['skipped by an open circuit', o.circuitOpenByOthers],
          ['hosts with failing days', o.failingHosts.join(', ') || 'none'],
          ['unavailable domains', o.unavailableDomains.join(', ') || 'none'],
          ['its own posts refused while down', o.postsRefused],
          ['its held posts arriving after the crash', o.delayedArrivals.count],
        ],
      ),
    );
  }
  return `${out.join('\n\n')}\n`;
}
