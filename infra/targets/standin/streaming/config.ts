import { positiveInt, positiveIntPort, required } from '../config.js';

// The streaming server reads the same .env.production as web and Sidekiq, with
// its own PORT and a pool of DB_POOL connections (default 10, not the threads).

export interface StreamingConfig {
  bind: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** REDIS_NAMESPACE, as a channel prefix (`ns:`), empty without one. */
  redisPrefix: string;
  dbPool: number;
}

export function readStreamingConfig(env: NodeJS.ProcessEnv = process.env): StreamingConfig {
  return {
    bind: env.BIND || '127.0.0.1',
    port: positiveIntPort(env, 'PORT'),
    databaseUrl: required(env, 'DATABASE_URL'),
    redisUrl: required(env, 'REDIS_URL'),
    redisPrefix: env.REDIS_NAMESPACE ? `${env.REDIS_NAMESPACE}:` : '',
    dbPool: positiveInt(env, 'DB_POOL', 10)!,
  };
}
