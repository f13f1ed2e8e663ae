import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, matchesSubmetric, parseMetricName, parseSubmetricTags } from '../../infra/engines/node/metric-names.js';
import { CounterSink, GaugeSink, RateSink, TrendSink } from '../../infra/engines/node/stats/sinks.js';
import {
  buildThresholds,
  evaluateThresholds,
  InvalidThresholdError,
  MetricThresholds,
  parseThresholdExpression,
  parseThresholdsOption,
  sinkKey,
  Threshold,
  thresholdsCrossedError,
} from '../../infra/engines/node/thresholds.js';
import { ExitCodes } from '../../infra/engines/node/exitcodes.js';

const registry = (name: string) => BUILTIN_METRICS[name] ?? (name === 'my_trend' ? { type: 'trend' as const, contains: 'default' as const } : undefined);
const build = (config: Record<string, unknown>, line: 'v1' | 'v2' = 'v1') => buildThresholds(parseThresholdsOption(config), registry, line);
const trend = (...v: number[]) => {
  const t = new TrendSink();
  for (const x of v) t.add(x);
  return t;
};
function thresholdError(f: () => unknown): InvalidThresholdError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidThresholdError);
    expect((e as InvalidThresholdError).exitCode).toBe(104);
    return e as InvalidThresholdError;
  }
  throw new Error('expected an InvalidThresholdError');
}

describe('threshold expressions', () => {
  it.each([
    ['count>20', 'count', '>', 20],
    ['rate<=0.01', 'rate', '<=', 0.01],
    ['  avg  < 200 ', 'avg', '<', 200],
    ['value>=5', 'value', '>=', 5],
    ['med===3', 'med', '===', 3],
    ['min==3', 'min', '==', 3],
    ['max!=3', 'max', '!=', 3],
    ['count>-1', 'count', '>', -1],
    ['p(99.9)<1e3', 'p', '<', 1000],
  ])('%j', (input, method, op, value) => {
    expect(parseThresholdExpression(input)).toMatchObject({ aggregationMethod: method, operator: op, value });
  });

  it('scans operators in k6 order: <= before <, >= before >, === before ==', () => {
    expect(parseThresholdExpression('p(95)<=5').operator).toBe('<=');
    expect(parseThresholdExpression('count>=5').operator).toBe('>=');
    expect(parseThresholdExpression('count===5').operator).toBe('===');
    // an operator with nothing on its right is skipped, so "x<" matches nothing
    expect(() => parseThresholdExpression('count<')).toThrow('malformed threshold expression');
  });

  it('builds percentile sink keys with %g', () => {
    expect(sinkKey(parseThresholdExpression('p(95)<1'))).toBe('p(95)');
    expect(sinkKey(parseThresholdExpression('p(99.90)<1'))).toBe('p(99.9)');
    expect(sinkKey(parseThresholdExpression('p(0.00001)<1'))).toBe('p(1e-05)');
  });

  it.each([
    ['count!20', 'failed parsing threshold expression "count!20"; reason: malformed threshold expression'],
    ['foo>20', 'failed parsing threshold expression\'s "foo>20" left hand side; reason: failed parsing method from expression'],
    [
      'p(foo)<20',
      'failed parsing threshold expression\'s "p(foo)<20" left hand side; reason: malformed percentile value; reason: strconv.ParseFloat: parsing "foo": invalid syntax',
    ],
    ['p()<20', 'malformed percentile value'],
    ['p(99<20', 'failed parsing method from expression'],
    [
      'count>abc',
      'failed parsing threshold expresion\'s "count>abc" right hand side; reason: strconv.ParseFloat: parsing "abc": invalid syntax',
    ],
  ])('rejects %j', (input, message) => {
    expect(() => parseThresholdExpression(input)).toThrow(message);
  });

  it('rejects p(N) outside 0..100 only on the v2 line', () => {
    expect(parseThresholdExpression('p(101)<5').aggregationValue).toBe(101);
    expect(() => parseThresholdExpression('p(101)<5', 'v2')).toThrow(
      'malformed percentile value, provide a number between 0 and 100',
    );
  });
});

describe('metric and submetric names', () => {
  it('parses metric{k:v,k2:v2}, trimming and stripping quotes', () => {
    expect(parseMetricName('http_req_duration{ scenario : signup , status:200}')).toEqual({
      name: 'http_req_duration',
      tags: ['scenario : signup', 'status:200'],
    });
    expect(parseSubmetricTags(` "scenario" : 'signup' , status:200`)).toEqual({ scenario: 'signup', status: '200' });
    expect(parseSubmetricTags('group:::g1::g2')).toEqual({ group: '::g1::g2' });
    expect(matchesSubmetric({ scenario: 'signup' }, { scenario: 'signup', status: '200' })).toBe(true);
    expect(matchesSubmetric({ scenario: 'signup', status: '201' }, { scenario: 'signup', status: '200' })).toBe(false);
  });

  it.each([
    ['m{a:b', 'metric "m{a:b" has unmatched opening/close curly brace'],
    ['m}a:b{', 'metric "m}a:b{" closing curly brace appears before opening one'],
    ['m{a:b}x', 'metric "m{a:b}x" lacks a closing curly brace in its last position'],
    ['m{a}', 'metric "a" tag expression is malformed'],
    ['m{a:}', 'metric "a:" tag expression is malformed'],
  ])('rejects %j', (name, message) => {
    expect(() => parseMetricName(name)).toThrow(`parsing metric name failed, ${message}`);
  });
});

describe('threshold configuration (exit 104 when invalid)', () => {
  it('accepts strings and {threshold, abortOnFail, delayAbortEval}', () => {
    const [m] = build({
      http_req_duration: ['p(95)<500', { threshold: 'avg<200', abortOnFail: true, delayAbortEval: '10s' }],
    });
    expect(m!.thresholds.map((t) => [t.source, t.abortOnFail, t.delayAbortEval])).toEqual([
      ['p(95)<500', false, undefined],
      ['avg<200', true, 10_000],
    ]);
  });

  it('rejects aggregations the metric type lacks', () => {
    expect(thresholdError(() => build({ http_reqs: ['p(95)<5'] })).message).toBe(
      'invalid threshold "p(95)<5" applied on metric http_reqs; reason: unsupported aggregation method p on metric of type counter. supported aggregation methods for this metric are: count, rate',
    );
    thresholdError(() => build({ vus: ['count>1'] }));
    thresholdError(() => build({ checks: ['count>1'] }));
    thresholdError(() => build({ my_trend: ['rate>1'] }));
    expect(build({ vus: ['value>1'], checks: ['rate>0.9'], http_reqs: ['count>1', 'rate>1'], my_trend: ['med<1', 'p(50)<1'] })).toHaveLength(4);
  });

  it('rejects unknown metrics, malformed names and bad syntax', () => {
    expect(thresholdError(() => build({ 'nope{a:b}': ['count>1'] })).message).toBe(
      'invalid threshold defined on nope{a:b}; reason: no metric name "nope{a:b}" found',
    );
    expect(thresholdError(() => build({ 'http_reqs{a}': ['count>1'] })).message).toBe(
      'unable to validate threshold expressions; reason: parsing metric name failed, metric "a" tag expression is malformed',
    );
    expect(thresholdError(() => build({ http_reqs: ['count>>1'] })).message).toContain('right hand side');
  });
});

describe('evaluation', () => {
  it('k6 TestThresholdsRun cases', () => {
    const mt = (exprs: string[], type: 'counter' | 'trend') =>
      new MetricThresholds('m', { type, contains: 'default' }, exprs.map((e) => new Threshold(e, parseThresholdExpression(e))));
    const counter = (v: number) => {
      const c = new CounterSink();
      c.value = v;
      return c;
    };
    expect(mt(['count<2000'], 'counter').run(counter(1234.5), 0)).toBe(true);
    expect(mt(['count<2000'], 'counter').run(counter(3000), 0)).toBe(false);
    // the key p(95) does not exist for a counter: treated as "no data", passes
    expect(mt(['p(95)<2000'], 'counter').run(new CounterSink(), 0)).toBe(true);
    // an empty trend reads 0 for every aggregate
    expect(mt(['med<39'], 'trend').run(new TrendSink(), 0)).toBe(true);
    expect(mt(['med>39'], 'trend').run(new TrendSink(), 0)).toBe(false);
    expect(mt(['med>39'], 'trend').run(trend(70, 80, 90), 0)).toBe(true);
    expect(mt(['med<39'], 'trend').run(trend(70, 80, 90), 0)).toBe(false);
  });

  it('final evaluation includes empty sinks; periodic evaluation skips them', () => {
    const [p95, count, rate] = build({ http_req_duration: ['p(95)<500'], http_reqs: ['count>10'], http_req_failed: ['rate<0.01'] });
    const metrics = [
      { thresholds: p95!, sink: new TrendSink() },
      { thresholds: count!, sink: new CounterSink() },
      { thresholds: rate!, sink: new RateSink() },
    ];
    expect(evaluateThresholds(metrics, 2000, true)).toEqual({ breached: [], shouldAbort: false });
    // empty Trend → 0 passes p(95)<500; empty Counter count 0 fails count>10; empty Rate has no key → passes
    expect(evaluateThresholds(metrics, 2000, false)).toEqual({ breached: ['http_reqs'], shouldAbort: false });
    expect(count!.thresholds[0]!.lastFailed).toBe(true);
  });

  it('Counter rate at t=0: v1 divides by zero, v2 leaves the key out (passes)', () => {
    const c = new CounterSink();
    c.add(5, 0);
    const [v1] = build({ http_reqs: ['rate<100'] }, 'v1');
    const [v2] = build({ http_reqs: ['rate<100'] }, 'v2');
    expect(v1!.sinkValues(c, 0).rate).toBe(Infinity);
    expect(v1!.run(c, 0)).toBe(false);
    expect(v2!.run(c, 0)).toBe(true);
    expect(v2!.run(c, 1000)).toBe(true);
    expect(v1!.sinkValues(c, 2500).rate).toBe(2);
  });

  it('reads value for gauges and rate = passes/total for rates', () => {
    const g = new GaugeSink();
    g.add(7);
    const r = new RateSink();
    for (const v of [1, 1, 0, 1]) r.add(v);
    const [vus, checks] = build({ vus: ['value<5'], checks: ['rate>0.7'] });
    expect(vus!.run(g, 1)).toBe(false);
    expect(checks!.run(r, 1)).toBe(true);
  });

  it('abortOnFail aborts once elapsed time exceeds delayAbortEval', () => {
    const [m] = build({ http_req_duration: [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: '10s' }] });
    const metrics = [{ thresholds: m!, sink: trend(500) }];
    expect(evaluateThresholds(metrics, 10_000, true)).toEqual({ breached: ['http_req_duration'], shouldAbort: false });
    expect(evaluateThresholds(metrics, 10_001, true)).toEqual({ breached: ['http_req_duration'], shouldAbort: true });
    const [now] = build({ http_req_duration: [{ threshold: 'p(95)<100', abortOnFail: true }] });
    expect(evaluateThresholds([{ thresholds: now!, sink: trend(500) }], 0, true).shouldAbort).toBe(true);
  });

  it('breached names are sorted and reported with exit code 99', () => {
    const ms = build({ 'http_req_duration{scenario:b}': ['max<1'], checks: ['rate>0.99'], 'http_req_duration{scenario:a}': ['max<1'] });
    const bad = new RateSink();
    bad.add(0);
    const res = evaluateThresholds(
      ms.map((thresholds) => ({ thresholds, sink: thresholds.info.type === 'rate' ? bad : trend(5) })),
      1000,
      false,
    );
    expect(res.breached).toEqual(['checks', 'http_req_duration{scenario:a}', 'http_req_duration{scenario:b}']);
    const err = thresholdsCrossedError(res.breached);
    expect(err.message).toBe(
      "thresholds on metrics 'checks, http_req_duration{scenario:a}, http_req_duration{scenario:b}' have been crossed",
    );
    expect(err.exitCode).toBe(ExitCodes.ThresholdsHaveFailed);
  });
});
