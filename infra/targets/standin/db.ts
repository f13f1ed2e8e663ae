import { readFile } from 'node:fs/promises';
import pg from 'pg';

// A pool the size Mastodon would give the process (DB_POOL); its busy/idle/
// waiting counts are what active_record_connection_pool_* report.
export function createPool(databaseUrl: string, size: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: size, idleTimeoutMillis: 0 });
  // A dropped connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  return pool;
}

export async function migrate(pool: pg.Pool): Promise<void> {
  const sql = await readFile(new URL('./schema.sql', import.meta.url), 'utf8');
  const client = await pool.connect();
  try {
    // Web and worker may start together: one migration at a time.
    await client.query('SELECT pg_advisory_lock(4242)');
    await client.query(sql);
  } finally {
    await client.query('SELECT pg_advisory_unlock(4242)').catch(() => {});
    client.release();
  }
}

/** Runs fn in one transaction, as Mastodon wraps every multi-row write. */
export async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
