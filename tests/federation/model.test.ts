import { describe, expect, it } from 'vitest';
import { buildFederationReport, counterIncrease } from '../../reports/federation/model.js';
import { renderFederationHtml } from '../../reports/federation/render-html.js';
import { renderFederationMd } from '../../reports/federation/render-md.js';
import type { FederationRunData, InstanceSample } from '../../reports/federation/types.js';
import { planFederation, type FederationFlags } from '../../scripts/federation/plan.js';

const T0 = 1_800_000_000_000;

function sample(instance: number, t: number, over: Partial<InstanceSample> = {}): InstanceSample {
  return { t, instance, up: true, pushBacklog: 0, pushLatencyS: 0, ingressBacklog: 0, ingressLatencyS: 0, deliveries: { delivered: 0, failed: 0, circuit_open: 0 }, distributed: 0, enqueued: 0, ...over };
}

function run(): FederationRunData {
  return {
    schemaVersion: 1,
    startedAt: '2026-11-27T00:00:00Z',
    endedAt: '2026-11-27T00:01:00Z',
    partial: false,
    loadStartMs: T0,
    plan: { instances: 2, users: 6, shape: 'power-law', durationS: 30, postRate: 1, inboundRate: 0, fleetDomains: 1, followsPerAccount: 2, seed: 1, kill: { instance: 1, atS: 10, downForS: 10 }, sizing: { webConcurrency: 1, maxThreads: 3, sidekiqConcurrency: 3 } },
    instances: [
      { index: 0, domain: 'a:1', users: 4 },
      { index: 1, domain: 'b:2', users: 2 },
    ],
    fleet: [
      { domain: 'f:1', actors: 1, role: 'graph' },
      { domain: 'o:1', actors: 1, role: 'observer' },
    ],
    follows: { planned: 10, accepted: 10, failed: 0 },
    outage: { instance: 1, downAtS: 10, upAtS: 20 },
    posts: [
      // Reaches b and both fleet servers; the Note's `published` is rounded to the second, the API's created_at is not.
      { uri: 'p1', instance: 0, publishedMs: T0 + 1_250, expected: { standins: [1], fleet: ['f:1', 'o:1'] } },
      { uri: 'p2', instance: 0, publishedMs: T0 + 2_000, expected: { standins: [], fleet: ['o:1'] } },
      // Held in b's push queue by the crash: arrives after it.
      { uri: 'p3', instance: 1, publishedMs: T0 + 9_500, expected: { standins: [0], fleet: ['o:1'] } },
    ],
    postFailures: [{ t: 12, instance: 1, message: 'fetch failed' }],
    arrivals: [
      { note: 'p1', source: 'a:1', domain: 'f:1', publishedMs: T0 + 1_000, arrivedMs: T0 + 1_350 },
      { note: 'p1', source: 'a:1', domain: 'o:1', publishedMs: T0 + 1_000, arrivedMs: T0 + 1_450 },
      { note: 'p3', source: 'b:2', domain: 'o:1', publishedMs: T0 + 9_000, arrivedMs: T0 + 21_500 },
    ],
    samples: [
      sample(0, 0),
      sample(0, 5, { deliveries: { delivered: 3, failed: 0, circuit_open: 0 }, distributed: 2, enqueued: 4 }),
      sample(0, 15, { deliveries: { delivered: 3, failed: 4, circuit_open: 1 }, distributed: 2, enqueued: 4, failingHosts: ['b:2'], unavailable: [] }),
      sample(1, 0),
      sample(1, 5, { distributed: 1, enqueued: 2 }),
      { t: 12, instance: 1, up: false },
      // Restarted worker: its counters start again from 0.
      sample(1, 22, { distributed: 0, enqueued: 0, deliveries: { delivered: 2, failed: 0, circuit_open: 0 } }),
    ],
  };
}

describe('federation report model', () => {
  it('adds counter increases across a restart that reset them', () => {
    expect(counterIncrease([0, 3, 5, undefined, 1, 4])).toBe(9);
    expect(counterIncrease([undefined, 7])).toBe(0);
  });

  it('times deliveries from the post\'s millisecond created_at and a fan-out from its last fleet arrival', () => {
    const r = buildFederationReport(run());
    expect(r.latency.count).toBe(3);
    expect(r.latency.p50Ms).toBe(200);
    expect(r.latencyByDomain.map((d) => [d.domain, d.count])).toEqual([
      ['f:1', 1],
      ['o:1', 2],
    ]);
    expect(r.fleetCompleteness).toEqual({ expected: 4, arrived: 3 });
    // p1 completed (last arrival 200 ms after created_at), p3 too; p2 never arrived.
    expect(r.fanOut.count).toBe(2);
    expect(r.fanOut.p50Ms).toBe((200 + 12_000) / 2);
    expect(r.deliveriesPerPost.planned).toMatchObject({ mean: 2, p50: 2, max: 3 });
    // 6 deliveries enqueued for 3 posts distributed during the load.
    expect(r.deliveriesPerPost.measured).toBe(2);
  });

  it('sums up the outage: retries and circuit skips by the others, failing hosts, refused and held posts', () => {
    const o = buildFederationReport(run()).outage!;
    expect(o).toMatchObject({ domain: 'b:2', downAtS: 10, upAtS: 20, retriesByOthers: 4, circuitOpenByOthers: 1, failingHosts: ['b:2'], unavailableDomains: [], postsRefused: 1 });
    expect(o.delayedArrivals.count).toBe(1);
    expect(o.delayedArrivals.maxMs).toBe(12_000);
  });

  it('renders a down instance as a gap and both pages with the numbers', () => {
    const r = buildFederationReport(run());
    expect(r.series[1]!.pushBacklog.find(([t]) => t === 12)![1]).toBeNull();
    const html = renderFederationHtml(r);
    expect(html).toContain('Outage of b:2');
    expect(html).toContain('1 deliveries to the fleet had not arrived');
    expect(html).not.toContain('NaN');
    expect(renderFederationMd(r)).toMatch(/\| failed deliveries by the other instances \(retried\) \| 4 \|/);
  });
});

describe('federation plan', () => {
  const flags: FederationFlags = { instances: 3, users: 30, graph: 'power-law', duration: '1m', postRate: 1, inboundRate: 0, fleetDomains: 4, follows: 5, webConcurrency: 1, maxThreads: 3, sidekiqConcurrency: 3 };
  const ctx = { now: new Date('2026-11-27T03:00:00Z'), cwd: '/w', seed: 9 };

  it('gives each instance its own loopback address and a timestamped run folder', () => {
    const p = planFederation(flags, ctx);
    expect(p.addresses).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(p.outDir).toBe('/w/runs/20261127T030000Z-federation');
    expect(p).toMatchObject({ durationS: 60, seed: 9, kill: undefined });
  });

  it('plans an outage that ends before the load does, with a default length', () => {
    expect(planFederation({ ...flags, killInstance: 2, at: '20s' }, ctx).kill).toEqual({ instance: 1, atS: 20, downForS: 20 });
    expect(() => planFederation({ ...flags, killInstance: 2, at: '50s', downFor: '20s' }, ctx)).toThrow(/come back at 70s, after the load ends at 60s/);
    expect(() => planFederation({ ...flags, at: '20s' }, ctx)).toThrow(/--kill-instance and --at go together/);
    expect(() => planFederation({ ...flags, killInstance: 4, at: '20s' }, ctx)).toThrow(/from 1 to 3/);
    expect(() => planFederation({ ...flags, graph: 'zipf' }, ctx)).toThrow(/--graph must be one of power-law, uniform/);
  });
});
