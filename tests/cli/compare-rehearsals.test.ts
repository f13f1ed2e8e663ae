import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { surge } from '../support/surge-cli.js';

// The CI gate on real rehearsals: the same short wave against a healthy
// stand-in and against one crippled the way 2022's admins were (one Sidekiq
// thread behind a slow mail relay). `surge compare` must flag the crippled
// run as a regression, and not the other way round.


// peak-hour's 10,000 signups an hour played in 20 s at ×0.0024: 16 newcomers, 0.8 a second.
const WAVE = ['rehearse', '--phases', 'wave', '--wave', 'peak-hour', '--duration', '20s', '--scale', '0.0024', '--web-concurrency', '1', '--seed', '7'];

describe('surge compare on real rehearsals', () => {
  it('tells a crippled configuration from a healthy one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'surge-cmp-real-'));
    const healthy = await surge([...WAVE, '--sidekiq-concurrency', '3', '--out', join(root, 'healthy')]);
    expect(healthy.code, healthy.stderr.slice(-2000)).toBe(0);
    // One thread and 2 s a mail: 0.5 mails/s against 0.8 signups/s, so the mailers queue grows.
    const crippled = await surge([...WAVE, '--sidekiq-concurrency', '1', '--mail-delay', '2s', '--out', join(root, 'crippled')]);
    expect(crippled.code, crippled.stderr.slice(-2000)).toBe(0);

    const gate = await surge(['compare', join(root, 'healthy'), join(root, 'crippled')]);
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.stdout).toMatch(/^\*\*Regression\*\*/);
    expect(gate.stdout).toMatch(/^\| Sidekiq queue latency \(worst queue\) \|.*\| \*\*REGRESSION\*\* \|$/m);
    const better = await surge(['compare', join(root, 'crippled'), join(root, 'healthy')]);
    expect(better.stdout).toMatch(/^\| Sidekiq queue latency \(worst queue\) \|.*\| improved \|$/m);
  }, 420_000);
});
