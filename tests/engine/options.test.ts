import { describe, expect, it } from 'vitest';
import { consolidateOptions } from '../../infra/engines/node/runtime/options.js';

// exec.test.options shows k6's consolidated options: the shortcuts stay next to the scenario made of them.
describe('consolidated options (exec.test.options)', () => {
  it('keeps vus and iterations from the script', () => {
    const { raw } = consolidateOptions({ vus: 2, iterations: 4 });
    expect(raw).toMatchObject({ vus: 2, iterations: 4 });
    expect((raw.scenarios as Record<string, { executor: string }>).default!.executor).toBe('shared-iterations');
  });

  it('a CLI duration wins over the script iterations, while the script vus stay', () => {
    const { raw } = consolidateOptions({ vus: 2, iterations: 4 }, { duration: '1s' });
    expect(raw).toMatchObject({ vus: 2, duration: '1s' });
    expect(raw.iterations).toBeUndefined();
  });

  it('adds nothing when only scenarios are set', () => {
    const { raw } = consolidateOptions({ scenarios: { s: { executor: 'per-vu-iterations' } } });
    expect(raw.vus).toBeUndefined();
    expect(raw.duration).toBeUndefined();
  });
});
