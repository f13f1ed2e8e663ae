import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../infra/services/poll.js';
import { isAlive } from '../../infra/services/process-state.js';
import { exitOf, spawnFixture } from './fixtures/spawn-fixture.js';

describe('reaper watchdog', () => {
  it('stops owned services and removes their folders when the owner is SIGKILLed', async () => {
    const { child, info } = await spawnFixture<{ pids: number[]; dirs: string[]; watchdog: number }>(
      'owned-services.ts',
    );
    expect(info.pids.every(isAlive)).toBe(true);
    expect(info.dirs.every((dir) => existsSync(dir))).toBe(true);

    child.kill('SIGKILL');
    await exitOf(child);

    // isAlive, not kill(pid, 0): orphaned services are reparented to PID 1,
    // which on some machines never reaps them, leaving zombies.
    await pollUntil(
      async () => {
        const running = info.pids.filter(isAlive);
        if (running.length > 0) throw new Error(`still running: ${running.join(', ')}`);
        const left = info.dirs.filter((dir) => existsSync(dir));
        if (left.length > 0) throw new Error(`still present: ${left.join(', ')}`);
        if (isAlive(info.watchdog)) throw new Error(`watchdog ${info.watchdog} still running`);
      },
      { what: 'cleanup after SIGKILL', timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});
