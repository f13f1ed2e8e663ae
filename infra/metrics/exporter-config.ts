// Arguments and environment for the Debian 12 exporters (flags checked with
// --help of postgres_exporter 0.11.1, redis_exporter 1.45.0, node_exporter 1.5.0).

/** Node collectors worth a 1 s scrape during a rehearsal; the rest are off. */
export const NODE_COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'pressure', 'netdev', 'diskstats', 'filesystem', 'stat', 'vmstat'] as const;

/**
 * Sidekiq's keys on a Mastodon Redis: the queue lists and the retry, dead and
 * scheduled sets. Named one by one (`-check-single-keys`) rather than matched
 * with `-check-keys=queue:*`, which SCANs the whole keyspace (every home feed)
 * on each scrape.
 */
export const SIDEKIQ_KEYS = [
  'queue:default',
  'queue:push',
  'queue:ingress',
  'queue:mailers',
  'queue:pull',
  'queue:scheduler',
  'queue:fasp',
  'retry',
  'dead',
  'schedule',
] as const;

const LOOPBACK_HOSTS = new Set(['', 'localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The exporter's lib/pq defaults to sslmode=require, which a local server
 * without SSL refuses ("SSL is not enabled on the server"). For a loopback or
 * socket URL without an sslmode we ask for none; anything else is left as given.
 */
export function exporterDsn(dsn: string): string {
  if (!/^postgres(?:ql)?:\/\//i.test(dsn)) return dsn;
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return dsn;
  }
  if (url.searchParams.has('sslmode')) return dsn;
  const host = url.hostname.toLowerCase();
  const socketHost = url.searchParams.get('host');
  const local = socketHost !== null ? socketHost.startsWith('/') : LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
  if (!local) return dsn;
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

/** Our flags must win over settings the harness happens to have in its environment. */
export function exporterEnv(base: NodeJS.ProcessEnv, set: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^(PG_EXPORTER_|DATA_SOURCE_|REDIS_EXPORTER_|NODE_EXPORTER_)/.test(key)) continue;
    if (/^REDIS_(ADDR|USER|PASSWORD|PASSWORD_FILE)$/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...set };
}

export function postgresExporterArgs(listen: string): string[] {
  return [`--web.listen-address=${listen}`];
}

function keyList(flag: string, keys: readonly string[] | undefined): string[] {
  if (!keys || keys.length === 0) return [];
  for (const key of keys) {
    if (key === '' || key.includes(',')) throw new Error(`${flag}: key ${JSON.stringify(key)} must be non-empty and without commas`);
  }
  return [`${flag}=${keys.join(',')}`];
}

export function redisExporterArgs(listen: string, opts: { checkKeys?: readonly string[]; checkSingleKeys?: readonly string[] } = {}): string[] {
  // The Redis URL goes in REDIS_ADDR, not argv, where a password would show in ps.
  return [
    `-web.listen-address=${listen}`,
    ...keyList('-check-keys', opts.checkKeys),
    ...keyList('-check-single-keys', opts.checkSingleKeys),
  ];
}

export function nodeExporterArgs(listen: string, collectors: readonly string[] = NODE_COLLECTORS): string[] {
  return [
    `--web.listen-address=${listen}`,
    // Off: slow or noisy in containers (hwmon, thermal, rapl, systemd, udp_queues, …)
    // and the textfile collector, which reads /var/lib/prometheus/node-exporter.
    '--collector.disable-defaults',
    ...collectors.map((c) => `--collector.${c}`),
    '--web.disable-exporter-metrics',
  ];
}
