import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

// A Lua script run by its digest, so each call sends and Redis hashes 40 bytes
// instead of the whole text; a Redis that has not seen it yet (restarted,
// flushed) gets the text once.

export type LuaScript = (redis: Redis, keys: string[], args: (string | number)[]) => Promise<unknown>;

export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
