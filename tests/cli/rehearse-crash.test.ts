import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { parseReport } from '../../reports/model/report-model.js';
import { surge } from '../support/surge-cli.js';

// A target that dies mid-wave: the rehearsal stops the load within seconds
// (not at the wave's planned end), still writes its report, marked partial
// with the reason, and exits 0 because a report was written.

let instance: StandinHandle;
beforeAll(async () => {
  instance = await startStandin({ webConcurrency: 1, sidekiqConcurrency: 2 });
}, 120_000);
afterAll(async () => {
  await instance?.stop();
});

describe('surge rehearse against a target that crashes', () => {
  it('ends the phase when the target stops answering and writes a partial report saying so', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-reh-crash-')), 'run');
    let killedAt = 0;
    const r = await surge(
      ['rehearse', '--target', instance.baseUrl, '--mail-api-url', instance.mailApiUrl, '--phases', 'wave', '--wave', 'peak-hour', '--duration', '3m', '--scale', '0.002', '--out', out],
      {
        onStderr: (text) => {
          if (!killedAt && text.includes('phase wave')) {
            killedAt = -1;
            setTimeout(() => {
              killedAt = Date.now();
              process.kill(instance.web().pid, 'SIGKILL');
            }, 8000);
          }
        },
      },
    );
    expect(killedAt).toBeGreaterThan(0);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    // Stopped within seconds of the crash, not three minutes later.
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(r.stderr).toMatch(/the target stopped answering \(GET \/health failed 3 times in a row: ECONNREFUSED\) at t=\d+ s, during the wave phase/);
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.partial).toBe(true);
    expect(report.partialReason).toMatch(/stopped answering/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/stopped answering/);
  }, 240_000);
});
