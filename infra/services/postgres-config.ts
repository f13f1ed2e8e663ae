export const POSTGRES_USER = 'surge';

/** Debian installs server binaries per major version, off PATH. */
export const POSTGRES_CANDIDATES = ['/usr/lib/postgresql/*/bin', '/usr/local/pgsql/bin'];

export function initdbArgs(dataDir: string): string[] {
  return [
    '-D', dataDir,
    '-U', POSTGRES_USER,
    '--auth=trust',
    '--encoding=UTF8',
    // C collation: no dependency on which locales the machine has generated.
    '--locale=C',
    '--no-sync',
  ];
}

export function serverArgs(opts: { dataDir: string; port: number; maxConnections: number }): string[] {
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port: opts.port,
    // The socket lives in the throwaway folder so nothing is left in /var/run.
    unix_socket_directories: opts.dataDir,
    max_connections: opts.maxConnections,
    // A rehearsal database is thrown away after the run, so durability buys
    // nothing and costs fsyncs that would skew the load test toward disk speed.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    logging_collector: 'off',
  };
  return [
    '-D', opts.dataDir,
    ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
  ];
}

export function postgresUrl(opts: { host: string; port: number; database: string }): string {
  return `postgres://${POSTGRES_USER}@${opts.host}:${opts.port}/${encodeURIComponent(opts.database)}`;
}
