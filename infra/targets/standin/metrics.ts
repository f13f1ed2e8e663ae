import type pg from 'pg';
import client from 'prom-client';

// Metric names as Mastodon's prometheus_exporter integration serves them with
// MASTODON_PROMETHEUS_EXPORTER_LOCAL (no `ruby_` prefix), so dashboards and the
// report's queries are the same for the stand-in and a real instance.

export function poolGauges(registry: client.Registry, pool: pg.Pool, size: number): void {
  const labelNames = ['pool_name'] as const;
  const gauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.set({ pool_name: 'primary' }, read());
      },
    });
  gauge('active_record_connection_pool_size', 'Maximum connections in the pool', () => size);
  gauge('active_record_connection_pool_connections', 'Open connections', () => pool.totalCount);
  gauge('active_record_connection_pool_busy', 'Connections in use', () => pool.totalCount - pool.idleCount);
  gauge('active_record_connection_pool_idle', 'Idle connections', () => pool.idleCount);
  gauge('active_record_connection_pool_waiting', 'Threads waiting for a connection', () => pool.waitingCount);
  gauge('active_record_connection_pool_dead', 'Dead connections', () => 0);
}

export interface WebMetrics {
  requests: client.Counter<'controller' | 'action' | 'status'>;
  duration: client.Histogram<'controller' | 'action'>;
}

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Per web process; the cluster primary sums them across processes. */
export function webMetrics(registry: client.Registry, threads: { busy(): number; backlog(): number; max: number }): WebMetrics {
  new client.Gauge({
    name: 'puma_request_backlog',
    help: 'Requests waiting for a free thread',
    registers: [registry],
    collect() {
      this.set(threads.backlog());
    },
  });
  new client.Gauge({
    name: 'puma_running_threads',
    help: 'Threads serving a request',
    registers: [registry],
    collect() {
      this.set(threads.busy());
    },
  });
  new client.Gauge({
    name: 'puma_thread_pool_capacity',
    help: 'Threads free to take a request',
    registers: [registry],
    collect() {
      this.set(threads.max - threads.busy());
    },
  });
  new client.Gauge({ name: 'puma_max_threads', help: 'Threads per process', registers: [registry], aggregator: 'max' }).set(threads.max);
  new client.Gauge({ name: 'puma_booted_workers', help: 'Web processes booted', registers: [registry] }).set(1);
  return {
    requests: new client.Counter({
      name: 'http_requests_total',
      help: 'Total HTTP requests',
      labelNames: ['controller', 'action', 'status'],
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time spent in HTTP requests',
      labelNames: ['controller', 'action'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

export interface WorkerMetrics {
  jobs: client.Counter<'job_name' | 'queue'>;
  failed: client.Counter<'job_name' | 'queue'>;
  dead: client.Counter<'job_name' | 'queue'>;
  restarted: client.Counter;
  duration: client.Histogram<'job_name' | 'queue'>;
  busy: client.Gauge;
}

export function workerMetrics(
  registry: client.Registry,
  concurrency: number,
  stats: () => Promise<{ queue: string; backlog: number; latencySec: number }[]>,
): WorkerMetrics {
  const backlog = new client.Gauge({ name: 'sidekiq_queue_backlog', help: 'Jobs waiting in a queue', labelNames: ['queue'], registers: [registry] });
  new client.Gauge({
    name: 'sidekiq_queue_latency_seconds',
    help: 'Age of the oldest job in a queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const s of await stats()) {
        this.set({ queue: s.queue }, s.latencySec);
        backlog.set({ queue: s.queue }, s.backlog);
      }
    },
  });
  new client.Gauge({ name: 'sidekiq_process_concurrency', help: 'Worker threads', registers: [registry] }).set(concurrency);
  const labelNames = ['job_name', 'queue'] as const;
  return {
    jobs: new client.Counter({ name: 'sidekiq_jobs_total', help: 'Jobs processed', labelNames, registers: [registry] }),
    failed: new client.Counter({ name: 'sidekiq_failed_jobs_total', help: 'Jobs that raised', labelNames, registers: [registry] }),
    dead: new client.Counter({ name: 'sidekiq_dead_jobs_total', help: 'Jobs out of retries', labelNames, registers: [registry] }),
    restarted: new client.Counter({ name: 'sidekiq_restarted_jobs_total', help: 'Jobs recovered from a dead process', registers: [registry] }),
    duration: new client.Histogram({
      name: 'sidekiq_job_duration_seconds',
      help: 'Time spent in jobs',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    busy: new client.Gauge({ name: 'sidekiq_process_busy', help: 'Threads running a job', registers: [registry] }),
  };
}
