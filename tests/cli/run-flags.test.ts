import { describe, expect, it } from 'vitest';
import { surge } from '../support/surge-cli.js';

// k6's duration and stage flags are refused by surge run in one line naming
// the flag, before a target starts (the engine used to reject them after
// start-up, with only Go's "time: invalid duration").

describe('surge run duration and stage flags', () => {
  it('refuses a bad --duration or --stage in one line, before anything starts', async () => {
    const cases: [string[], RegExp][] = [
      [['--duration', 'xyz'], /--duration.*k6 duration like 30s.*"xyz"/],
      [['-d', '0s'], /--duration.*k6 duration like 30s.*"0s"/],
      [['--stage', 'xyz'], /--stage.*duration:target like 30s:10.*"xyz"/],
      [['-s', '5s:abc'], /--stage.*duration:target like 30s:10.*"5s:abc"/],
      [['-s', '1d:5'], /--stage.*duration:target like 30s:10.*"1d:5"/],
    ];
    for (const [flags, message] of cases) {
      const r = await surge(['run', 'smoke', '--dry-run', ...flags]);
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('takes the durations k6 takes', async () => {
    const duration = await surge(['run', 'smoke', '--dry-run', '-d', '1m30s']);
    expect(duration.code, duration.stderr).toBe(0);
    expect(JSON.parse(duration.stdout).execution.scenarios.default).toMatchObject({ executor: 'constant-vus', duration: 90_000 });
    const stages = await surge(['run', 'smoke', '--dry-run', '-s', '30s:10', '--stage', '1h:0']);
    expect(stages.code, stages.stderr).toBe(0);
    expect(JSON.parse(stages.stdout).execution.scenarios.default).toMatchObject({ executor: 'ramping-vus' });
  });
});
