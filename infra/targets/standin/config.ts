// Sizing and wiring of a stand-in instance, read the way Mastodon reads its
// environment (same variable names and defaults), so a rehearsal can compare
// sizes exactly as an admin would change them in .env.production.

import { HostMapError, parseHostMap, type HostMap } from './federation/addressing.js';

export type RegistrationsMode = 'open' | 'approved' | 'none';

export interface StandinConfig {
  localDomain: string;
  baseUrl: string;
  /** What the instance API tells clients to open WebSockets on (Mastodon's STREAMING_API_BASE_URL). */
  streamingApiBaseUrl: string;
  bind: string;
  port: number;
  webMetricsPort: number;
  workerMetricsPort: number;
  databaseUrl: string;
  redisUrl: string;
  smtpHost: string;
  smtpPort: number;
  smtpFrom: string;
  webConcurrency: number;
  maxThreads: number;
  sidekiqConcurrency: number;
  /** DB pool per process; undefined means Mastodon's default (threads for web, concurrency for Sidekiq). */
  dbPool: number | undefined;
  trustedProxyIp: string | undefined;
  registrationsMode: RegistrationsMode;
  userActiveDays: number;
  /** FEDERATION_HOSTS: how peer domains are reached on loopback (federation/README.md). */
  federationHosts: HostMap;
}

// Messages are one line: values are quoted with JSON.stringify, so a stray
// newline in an env file shows as \n instead of splitting the message.
export class ConfigError extends Error {}

export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new ConfigError(`${name} must be a whole number between 1 and 1024 (got ${JSON.stringify(raw)})`);
  }
  return n;
}

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`${name} is not set`);
  return v;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): StandinConfig {
  const port = positiveIntPort(env, 'PORT');
  const mode = (env.REGISTRATIONS_MODE ?? 'open') as RegistrationsMode;
  if (!['open', 'approved', 'none'].includes(mode)) {
    throw new ConfigError(`REGISTRATIONS_MODE must be open, approved or none (got ${JSON.stringify(mode)})`);
  }
  const bind = env.BIND ?? '127.0.0.1';
  const localDomain = env.LOCAL_DOMAIN ?? `${bind}:${port}`;
  const baseUrl = env.STANDIN_BASE_URL ?? `http://${localDomain}`;
  return {
    localDomain,
    baseUrl,
    // Mastodon's default is the web host itself, for nginx to route /api/v1/streaming.
    streamingApiBaseUrl: env.STREAMING_API_BASE_URL || baseUrl.replace(/^http/, 'ws'),
    bind,
    port,
    webMetricsPort: positiveIntPort(env, 'WEB_METRICS_PORT'),
    workerMetricsPort: positiveIntPort(env, 'WORKER_METRICS_PORT'),
    databaseUrl: required(env, 'DATABASE_URL'),
    redisUrl: required(env, 'REDIS_URL'),
    smtpHost: env.SMTP_SERVER ?? '127.0.0.1',
    smtpPort: positiveIntPort(env, 'SMTP_PORT'),
    smtpFrom: env.SMTP_FROM_ADDRESS ?? `notifications@${localDomain.replace(/:\d+$/, '')}`,
    webConcurrency: positiveInt(env, 'WEB_CONCURRENCY', 2)!,
    maxThreads: positiveInt(env, 'MAX_THREADS', 5)!,
    sidekiqConcurrency: positiveInt(env, 'SIDEKIQ_CONCURRENCY', 5)!,
    dbPool: positiveInt(env, 'DB_POOL', undefined),
    trustedProxyIp: env.TRUSTED_PROXY_IP || undefined,
    registrationsMode: mode,
    userActiveDays: positiveInt(env, 'USER_ACTIVE_DAYS', 7)!,
    federationHosts: hostMap(env.FEDERATION_HOSTS),
  };
}

function hostMap(text: string | undefined): HostMap {
  try {
    return parseHostMap(text);
  } catch (e) {
    if (e instanceof HostMapError) throw new ConfigError(e.message);
    throw e;
  }
}

export function positiveIntPort(env: NodeJS.ProcessEnv, name: string): number {
  const raw = required(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${name} must be a TCP port (got ${JSON.stringify(raw)})`);
  return n;
}

/** Mastodon: DB_POOL defaults to MAX_THREADS for Puma and to the concurrency for Sidekiq. */
export function webDbPool(c: StandinConfig): number {
  return c.dbPool ?? c.maxThreads;
}

export function workerDbPool(c: StandinConfig): number {
  return c.dbPool ?? c.sidekiqConcurrency;
}
