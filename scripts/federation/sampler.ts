// Samples every instance's worker during a federation run: Sidekiq's push and
// ingress queues (backlog, latency) and the delivery counters, once a second;
// the hosts on their way to "unavailable" (failing days in Redis) and the
// unavailable domains (database) every few seconds. A down instance is a gap.
// Scraping the exporters directly keeps the footprint of a run small: no
// Prometheus is needed for these few series.

import { Redis } from 'ioredis';
import pg from 'pg';
import { failureDaysKey } from '../../infra/targets/standin/federation/delivery-rules.js';
import { parseExposition, sumOf } from '../../reports/collect/exposition.js';
import type { InstanceSample } from '../../reports/federation/types.js';

export interface SampledInstance {
  index: number;
  workerMetricsUrl: string;
  redisUrl: string;
  postgresUrl: string;
}

const DELIVERY_RESULTS = ['delivered', 'failed', 'circuit_open', 'skipped_unavailable', 'unsalvageable'] as const;

export class InstanceSampler {
  readonly samples: InstanceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: Redis[];
  private readonly db: pg.Pool[];
  private tick = 0;
  private busy = false;

  constructor(
    private readonly instances: readonly SampledInstance[],
    private readonly t0: number,
    private readonly intervalMs = 1000,
    private readonly slowEvery = 5,
  ) {
    this.redis = instances.map((i) => new Redis(i.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }));
    this.db = instances.map((i) => new pg.Pool({ connectionString: i.postgresUrl, max: 1 }));
  }

  start(): void {
    const run = () => {
      if (this.busy) return;
      this.busy = true;
      void this.sampleAll().finally(() => (this.busy = false));
    };
    run();
    this.timer = setInterval(run, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 50));
    await this.sampleAll();
    await Promise.all([...this.redis.map((r) => r.quit().catch(() => r.disconnect())), ...this.db.map((d) => d.end().catch(() => {}))]);
  }

  private async sampleAll(): Promise<void> {
    const slow = this.tick++ % this.slowEvery === 0;
    const t = (Date.now() - this.t0) / 1000;
    const rows = await Promise.all(this.instances.map((inst, k) => this.sampleOne(inst, k, t, slow)));
    this.samples.push(...rows);
  }

  private async sampleOne(inst: SampledInstance, k: number, t: number, slow: boolean): Promise<InstanceSample> {
    const sample: InstanceSample = { t, instance: inst.index, up: false };
    try {
      const res = await fetch(inst.workerMetricsUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const f = parseExposition(await res.text());
        sample.up = true;
        sample.pushBacklog = sumOf(f, 'sidekiq_queue_backlog', { queue: 'push' });
        sample.pushLatencyS = sumOf(f, 'sidekiq_queue_latency_seconds', { queue: 'push' });
        sample.ingressBacklog = sumOf(f, 'sidekiq_queue_backlog', { queue: 'ingress' });
        sample.ingressLatencyS = sumOf(f, 'sidekiq_queue_latency_seconds', { queue: 'ingress' });
        sample.deliveries = Object.fromEntries(DELIVERY_RESULTS.map((r) => [r, sumOf(f, 'standin_federation_deliveries_total', { result: r })]));
        sample.distributed = sumOf(f, 'standin_federation_statuses_distributed_total');
        sample.enqueued = sumOf(f, 'standin_federation_deliveries_enqueued_total');
        sample.processed = sumOf(f, 'standin_federation_activities_processed_total');
      }
    } catch {
      // down or restarting: a gap
    }
    if (slow) {
      try {
        const redis = this.redis[k]!;
        if (redis.status === 'wait') await redis.connect();
        const keys = await scanAll(redis, failureDaysKey('*'));
        sample.failingHosts = keys.map((key) => key.slice(failureDaysKey('').length)).sort();
        const { rows } = await this.db[k]!.query('SELECT domain FROM unavailable_domains ORDER BY domain');
        sample.unavailable = rows.map((r: { domain: string }) => r.domain);
      } catch {
        // Redis or PostgreSQL of a killed instance keep running; a failure here is a skipped sample.
      }
    }
    return sample;
  }
}

async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}
