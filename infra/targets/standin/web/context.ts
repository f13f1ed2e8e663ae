import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { StandinConfig } from '../config.js';
import type { Auth } from './auth.js';
import type { Params } from './params.js';
import type { TrustedProxies } from './remote-ip.js';

export interface WebContext {
  config: StandinConfig;
  db: pg.Pool;
  redis: Redis;
  proxies: TrustedProxies;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | undefined;
    clientIp: string;
    params_: Params;
  }
  interface FastifyContextConfig {
    controller?: string;
    action?: string;
  }
}
