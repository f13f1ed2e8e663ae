import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresHandle } from '../../infra/services/postgres.js';

async function query(url: string, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let first: PostgresHandle;
  let second: PostgresHandle;

  beforeAll(async () => {
    [first, second] = await Promise.all([startPostgres(), startPostgres({ database: 'other_db', maxConnections: 50 })]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('serves the requested database on a loopback URL', async () => {
    expect(first.url).toBe(`postgres://surge@127.0.0.1:${first.port}/mastodon_surge`);
    const row = await query(first.url, 'SELECT current_database() AS db, current_user AS who, 1 + 1 AS two');
    expect(row).toEqual({ db: 'mastodon_surge', who: 'surge', two: 2 });
  });

  it('runs two instances side by side with their own settings', async () => {
    expect(second.port).not.toBe(first.port);
    expect(second.dataDir).not.toBe(first.dataDir);
    expect((await query(second.url, 'SELECT current_database() AS db')).db).toBe('other_db');
    expect((await query(first.url, 'SHOW max_connections')).max_connections).toBe('200');
    expect((await query(second.url, 'SHOW max_connections')).max_connections).toBe('50');
    expect((await query(first.url, 'SHOW fsync')).fsync).toBe('off');
  });

  it('explains a port clash with the server log instead of using the other server', async () => {
    await expect(startPostgres({ port: second.port })).rejects.toThrow(/did not accept connections[\s\S]*Address already in use/);
  });

  it('stop() ends the server and removes its data folder', async () => {
    const { pid, dataDir } = first;
    expect(existsSync(dataDir)).toBe(true);
    await first.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dataDir)).toBe(false);
    await first.stop(); // idempotent
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();
  });
});
