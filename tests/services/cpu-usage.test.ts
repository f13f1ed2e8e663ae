import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cpuSince, cpuSnapshot, neighbourShare } from '../../infra/services/cpu-usage.js';

// What a rehearsal reports as "other programs on this machine": real processes,
// read from /proc. Shares are checked against generous lower bounds only, since
// other test files run beside this one.

const cores = availableParallelism();

describe('cpu usage from /proc', () => {
  it('counts a busy process outside this process tree as a neighbour', async () => {
    const start = cpuSnapshot();
    // sh exits at once, so the busy loop is reparented away from this tree.
    const pid = Number(execFileSync('sh', ['-c', `${process.execPath} -e "const e = Date.now() + 3000; while (Date.now() < e);" >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }).trim());
    try {
      await sleep(1500);
      expect(neighbourShare(start, cores)).toBeGreaterThan(0.5 / cores);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already finished.
      }
    }
  });

  it('counts this process tree\'s own work as its own, not a neighbour\'s', () => {
    const start = cpuSnapshot();
    const end = Date.now() + 800;
    while (Date.now() < end);
    const own = cpuSince(start, cores).find((s) => s.role === 'this run');
    // A quarter of the loop at least: on a shared machine the loop is not always on a core.
    expect(own?.cpuSeconds).toBeGreaterThan(0.2);
  });
});
