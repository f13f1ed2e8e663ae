import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, webDbPool, workerDbPool } from '../../../infra/targets/standin/config.js';

// The stand-in reads Mastodon's variable names with Mastodon's defaults
// (WEB_CONCURRENCY 2, MAX_THREADS 5, SIDEKIQ concurrency 5, USER_ACTIVE_DAYS 7,
// DB_POOL = threads for web and concurrency for Sidekiq; mastodon.md §6), and
// refuses a bad value with one line that names the variable.

const BASE_ENV = {
  PORT: '3000',
  WEB_METRICS_PORT: '9394',
  WORKER_METRICS_PORT: '9395',
  SMTP_PORT: '1025',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/standin',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig({ ...BASE_ENV, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`readConfig accepted ${JSON.stringify(env)}`);
}

describe('readConfig defaults', () => {
  const c = readConfig({ ...BASE_ENV });

  it('uses Mastodon’s sizing defaults', () => {
    expect(c.webConcurrency).toBe(2);
    expect(c.maxThreads).toBe(5);
    expect(c.sidekiqConcurrency).toBe(5);
    expect(c.userActiveDays).toBe(7);
    expect(c.dbPool).toBeUndefined();
    expect(c.trustedProxyIp).toBeUndefined();
  });

  it('sizes DB pools per process as Mastodon does', () => {
    expect(webDbPool(c)).toBe(5);
    expect(workerDbPool(c)).toBe(5);
    const sized = readConfig({ ...BASE_ENV, MAX_THREADS: '8', SIDEKIQ_CONCURRENCY: '25' });
    expect(webDbPool(sized)).toBe(8);
    expect(workerDbPool(sized)).toBe(25);
    const pinned = readConfig({ ...BASE_ENV, MAX_THREADS: '8', SIDEKIQ_CONCURRENCY: '25', DB_POOL: '12' });
    expect(webDbPool(pinned)).toBe(12);
    expect(workerDbPool(pinned)).toBe(12);
  });

  it('reads the wiring it was given', () => {
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBe(BASE_ENV.DATABASE_URL);
    expect(c.redisUrl).toBe(BASE_ENV.REDIS_URL);
    expect(c.localDomain).toBe('127.0.0.1:3000');
    expect(c.baseUrl).toBe('http://127.0.0.1:3000');
    expect(c.smtpFrom).toBe('notifications@127.0.0.1');
  });

  it('takes sizes and settings from the environment', () => {
    const t = readConfig({ ...BASE_ENV, WEB_CONCURRENCY: '4', USER_ACTIVE_DAYS: '30', TRUSTED_PROXY_IP: '10.0.0.0/8', REGISTRATIONS_MODE: 'approved', LOCAL_DOMAIN: 'surge.test' });
    expect(t.webConcurrency).toBe(4);
    expect(t.userActiveDays).toBe(30);
    expect(t.trustedProxyIp).toBe('10.0.0.0/8');
    expect(t.registrationsMode).toBe('approved');
    expect(t.smtpFrom).toBe('notifications@surge.test');
  });

  it('treats an empty variable as unset, as a dotenv file line `WEB_CONCURRENCY=` would', () => {
    const t = readConfig({ ...BASE_ENV, WEB_CONCURRENCY: '', TRUSTED_PROXY_IP: '' });
    expect(t.webConcurrency).toBe(2);
    expect(t.trustedProxyIp).toBeUndefined();
  });
});

describe('readConfig rejects bad values', () => {
  it.each(['abc', '0', '-1', '2.5', '1e9', '2 workers', '4\nMAX_THREADS=9'])('WEB_CONCURRENCY=%j with one line naming it', (value) => {
    const err = configError({ WEB_CONCURRENCY: value });
    expect(err.message).toMatch(/^WEB_CONCURRENCY\b/);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toMatch(/MAX_THREADS must|SIDEKIQ_CONCURRENCY/);
  });

  it('quotes the offending value', () => {
    expect(configError({ WEB_CONCURRENCY: 'lots' }).message).toContain('"lots"');
  });

  it('names other sizing variables the same way', () => {
    expect(configError({ MAX_THREADS: 'x' }).message).toMatch(/^MAX_THREADS\b/);
    expect(configError({ SIDEKIQ_CONCURRENCY: '0' }).message).toMatch(/^SIDEKIQ_CONCURRENCY\b/);
    expect(configError({ DB_POOL: '-3' }).message).toMatch(/^DB_POOL\b/);
  });

  it('rejects a port that is not a TCP port, in one line', () => {
    expect(configError({ PORT: '70000' }).message).toMatch(/^PORT\b/);
    const err = configError({ SMTP_PORT: '25\n26' });
    expect(err.message).toMatch(/^SMTP_PORT\b/);
    expect(err.message).not.toContain('\n');
  });

  it('names a missing required variable', () => {
    const env: Record<string, string | undefined> = { ...BASE_ENV };
    delete env.REDIS_URL;
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(/^REDIS_URL is not set$/);
  });

  it('rejects an unknown registrations mode', () => {
    expect(configError({ REGISTRATIONS_MODE: 'closed' }).message).toMatch(/^REGISTRATIONS_MODE\b.*open, approved or none/);
  });
});
