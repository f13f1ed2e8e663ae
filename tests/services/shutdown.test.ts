import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/services/process-state.js';
import { exitOf, spawnFixture } from './fixtures/spawn-fixture.js';

const scratch = mkdtempSync(join(tmpdir(), 'surge-shutdown-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('onShutdown', () => {
  it('runs cleanup on SIGTERM, then exits 143', async () => {
    const marker = join(scratch, 'term');
    const { child, info } = await spawnFixture<{ pid: number; dir: string }>('shutdown-redis.ts', [marker]);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 143, signal: null });
    expect(readFileSync(marker, 'utf8')).toBe('stopped');
    expect(isAlive(info.pid)).toBe(false);
    expect(existsSync(info.dir)).toBe(false);
  });

  it('exits 130 on SIGINT, or with the exit code the cleanup chose', async () => {
    const first = await spawnFixture<{ pid: number }>('shutdown-redis.ts', [join(scratch, 'int')]);
    first.child.kill('SIGINT');
    expect((await exitOf(first.child)).code).toBe(130);

    const second = await spawnFixture<{ pid: number }>('shutdown-redis.ts', [join(scratch, 'int3'), '3']);
    second.child.kill('SIGINT');
    expect((await exitOf(second.child)).code).toBe(3);
  });
});
