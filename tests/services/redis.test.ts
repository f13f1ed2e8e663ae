import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '../../infra/services/redis.js';
import { leftInOwnTmpdir } from '../support/own-tmpdir.js';

describe('startRedis', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis({ maxMemory: '64mb' });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('answers a real client at its URL with the requested limits', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(64 * 1024 * 1024)]);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
  });

  it('explains a port clash with the server log, and leaves nothing behind', async () => {
    const left = await leftInOwnTmpdir(() => expect(startRedis({ port: redis.port })).rejects.toThrow(/did not become ready[\s\S]*Address already in use/));
    expect(left).toEqual([]);
  });

  it('stop() ends the server and removes its folder', async () => {
    const { pid, dataDir } = redis;
    await redis.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });
});
