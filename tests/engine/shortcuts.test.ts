import { describe, expect, it } from 'vitest';
import {
  applyExecutionOptions,
  decodeExecutionOptions,
  deriveScenariosFromShortcuts,
  ExecutionConflictError,
  shortcutOverrideWarning,
} from '../../infra/engines/node/executors/shortcuts.js';

const derive = (raw: Record<string, unknown>) => deriveScenariosFromShortcuts(decodeExecutionOptions(raw));

describe('shortcut options → scenarios (k6 v1.x)', () => {
  it('iterations (+duration, vus) → shared-iterations "default" with duration as maxDuration', () => {
    const { scenarios } = derive({ iterations: 20, vus: 4, duration: '30s' });
    expect(Object.keys(scenarios)).toEqual(['default']);
    expect(scenarios.default).toMatchObject({ executor: 'shared-iterations', vus: 4, iterations: 20, maxDuration: 30_000 });
    expect(derive({ iterations: 3 }).scenarios.default).toMatchObject({ vus: 1, maxDuration: 600_000 });
  });

  it('duration → constant-vus; stages → ramping-vus with startVUs = vus', () => {
    expect(derive({ duration: '1m', vus: 7 }).scenarios.default).toMatchObject({ executor: 'constant-vus', vus: 7, duration: 60_000 });
    expect(
      derive({ vus: 2, stages: [{ duration: '10s', target: 5 }, { target: 9 }, { duration: '5s', target: 0 }] }).scenarios.default,
    ).toMatchObject({
      executor: 'ramping-vus',
      startVUs: 2,
      stages: [
        { duration: 10_000, target: 5 },
        { duration: 5_000, target: 0 },
      ],
    });
    expect(derive({ stages: ['30s:10', '1m'] }).scenarios.default).toMatchObject({
      stages: [
        { duration: 30_000, target: 10 },
        { duration: 60_000, target: undefined },
      ],
    });
  });

  it('nothing → per-vu-iterations, 1 VU × 1 iteration; bare vus is ignored with a warning', () => {
    const r = derive({ vus: 10 });
    expect(r.scenarios.default).toMatchObject({ executor: 'per-vu-iterations', vus: 1, iterations: 1 });
    expect(r.warnings).toEqual([
      '`vus=10` option will be ignored, it only works in conjunction with `iterations`, `duration`, or `stages`',
    ]);
    expect(derive({ scenarios: {} }).warnings).toEqual([
      '`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU',
    ]);
    expect(derive({ stages: [] }).warnings).toEqual([
      '`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU',
    ]);
  });

  it('keeps explicit scenarios', () => {
    const { scenarios } = derive({ scenarios: { s1: { executor: 'constant-vus', duration: '5s' } } });
    expect(scenarios.s1).toMatchObject({ name: 's1', executor: 'constant-vus', duration: 5000 });
  });

  it.each([
    [{ duration: '10s', scenarios: { a: { executor: 'shared-iterations' } } }, 'using `duration` and `scenarios` options simultaneously is not allowed'],
    [{ duration: '10s', scenarios: {} }, 'using `duration` and `scenarios` options simultaneously is not allowed'],
    [{ duration: '10s', stages: [{ duration: '1s', target: 1 }] }, 'using `duration` and `stages` options simultaneously is not allowed'],
    [{ iterations: 1, stages: [{ duration: '1s', target: 1 }] }, 'using `iterations` and `stages` options simultaneously is not allowed'],
    [{ iterations: 1, scenarios: {} }, 'using `iterations` and `scenarios` options simultaneously is not allowed'],
    [{ stages: [{ duration: '1s', target: 1 }], scenarios: {} }, 'using `stages` and `scenarios` options simultaneously is not allowed'],
    [{ duration: 0 }, '`duration` option should be more than 0, for infinite duration use the externally-controlled executor'],
  ])('rejects %j (exit 104)', (raw, message) => {
    let err: unknown;
    try {
      derive(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExecutionConflictError);
    expect((err as ExecutionConflictError).message).toBe(message);
    expect((err as ExecutionConflictError).exitCode).toBe(104);
  });
});

describe('config tiers (Options.Apply)', () => {
  it('a higher tier setting any execution key wipes all four from lower tiers', () => {
    const script = decodeExecutionOptions({ scenarios: { a: { executor: 'shared-iterations' } }, vus: 3 });
    const cli = decodeExecutionOptions({ duration: '10s' });
    const merged = applyExecutionOptions(script, cli);
    expect(merged).toMatchObject({ vus: 3, duration: 10_000, scenarios: undefined });
    expect(derive({}).scenarios.default!.executor).toBe('per-vu-iterations');
    expect(deriveScenariosFromShortcuts(merged).scenarios.default).toMatchObject({ executor: 'constant-vus', vus: 3 });
    expect(shortcutOverrideWarning(script, cli, 'cli')).toBe('"cli" level configuration overrode scenarios configuration entirely');
  });

  it('within one tier, conflicting keys survive so validation can reject them', () => {
    const merged = applyExecutionOptions({}, decodeExecutionOptions({ duration: '1s', iterations: 5 }));
    expect(merged).toMatchObject({ duration: 1000, iterations: 5 });
    // iterations wins the switch: shared-iterations with maxDuration 1s
    expect(deriveScenariosFromShortcuts(merged).scenarios.default).toMatchObject({ executor: 'shared-iterations', maxDuration: 1000 });
  });
});
