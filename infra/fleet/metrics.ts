// The fleet's Prometheus metrics: what arrived where, how late, and what was
// refused. Latency buckets reach minutes because a retried delivery after an
// outage arrives minutes after its post.

import client from 'prom-client';

export interface FleetMetrics {
  registry: client.Registry;
  latency: client.Histogram<'domain' | 'source'>;
  inbox: client.Counter<'domain' | 'type' | 'status'>;
  duplicates: client.Counter<'domain'>;
  sent: client.Counter<'domain' | 'type' | 'status'>;
}

export function fleetMetrics(actors: number, domains: number): FleetMetrics {
  const registry = new client.Registry();
  new client.Gauge({ name: 'fleet_domains', help: 'Synthetic remote servers hosted', registers: [registry] }).set(domains);
  new client.Gauge({ name: 'fleet_actors', help: 'Synthetic remote accounts hosted', registers: [registry] }).set(actors);
  return {
    registry,
    latency: new client.Histogram({
      name: 'fleet_delivery_latency_seconds',
      help: "From a delivered Note's published time to its arrival at the fleet",
      labelNames: ['domain', 'source'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    inbox: new client.Counter({ name: 'fleet_inbox_requests_total', help: 'Inbox POSTs by activity type and answer', labelNames: ['domain', 'type', 'status'], registers: [registry] }),
    duplicates: new client.Counter({ name: 'fleet_duplicate_deliveries_total', help: 'Notes that arrived again at the same domain', labelNames: ['domain'], registers: [registry] }),
    sent: new client.Counter({ name: 'fleet_sent_activities_total', help: 'Signed activities the fleet sent, by answer', labelNames: ['domain', 'type', 'status'], registers: [registry] }),
  };
}
