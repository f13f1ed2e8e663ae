import { describe, expect, it } from 'vitest';
import { Group, pathId } from '../../infra/engines/node/groups.js';
import { CounterSink, GaugeSink, RateSink, TrendSink } from '../../infra/engines/node/stats/sinks.js';
import {
  buildSummaryData,
  legacySummaryExportJSON,
  type ObservedMetric,
  toLegacySummaryExport,
} from '../../infra/engines/node/summary.js';
import { buildSummaryReport } from '../../infra/engines/node/summary-report.js';
import { humanizeGenericDuration, humanizeValue, renderTextSummary } from '../../infra/engines/node/summary-text.js';

// The fixture of k6's internal/js/summary_test.go (createTestMetrics).
function fixture() {
  const vus = new GaugeSink();
  vus.add(1);
  const httpReqs = new CounterSink();
  const myTrend = new TrendSink();
  for (const v of [10, 15, 20]) {
    myTrend.add(v);
    httpReqs.add(1);
  }
  const root = Group.root();
  const child = root.group('child');
  const check1 = child.check('check1');
  check1.passes = 30;
  const check3 = child.check('check3'); // intentionally before check2
  check3.passes = 10;
  check3.fails = 5;
  const check2 = child.check('check2');
  check2.passes = 5;
  check2.fails = 10;
  const checks = new RateSink();
  for (let i = 0; i < 45; i++) checks.add(1);
  for (let i = 0; i < 15; i++) checks.add(0);
  const metrics: ObservedMetric[] = [
    { name: 'vus', type: 'gauge', contains: 'default', sink: vus },
    { name: 'http_reqs', type: 'counter', contains: 'default', sink: httpReqs, thresholds: [{ source: 'rate<100', ok: false }] },
    { name: 'checks', type: 'rate', contains: 'default', sink: checks, thresholds: [{ source: 'rate>70', ok: true }] },
    { name: 'my_trend', type: 'trend', contains: 'time', sink: myTrend, thresholds: [{ source: 'my_trend<1000', ok: false }] },
  ];
  return { root, metrics };
}
const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

describe('handleSummary data (k6 expectedHandleSummaryRawData)', () => {
  it('has k6’s shape, ids and values', () => {
    const { root, metrics } = fixture();
    const data = buildSummaryData({ rootGroup: root, metrics, testRunDurationMs: 1000, summaryTrendStats: STATS });
    expect(data).toEqual({
      root_group: {
        name: '',
        path: '',
        id: 'd41d8cd98f00b204e9800998ecf8427e',
        checks: [],
        groups: [
          {
            name: 'child',
            path: '::child',
            id: 'f41cbb53a398ec1c9fb3d33e20c9b040',
            groups: [],
            checks: [
              { name: 'check1', path: '::child::check1', id: '6289a7a06253a1c3f6137dfb25695563', passes: 30, fails: 0 },
              { name: 'check3', path: '::child::check3', id: 'c7553eca92d3e034b5808332296d304a', passes: 10, fails: 5 },
              { name: 'check2', path: '::child::check2', id: '06f5922794bef0d4584ba76a49893e1f', passes: 5, fails: 10 },
            ],
          },
        ],
      },
      options: { summaryTrendStats: STATS, summaryTimeUnit: '', noColor: false },
      state: { isStdErrTTY: false, isStdOutTTY: false, testRunDurationMs: 1000 },
      metrics: {
        checks: {
          type: 'rate',
          contains: 'default',
          values: { passes: 45, fails: 15, rate: 0.75 },
          thresholds: { 'rate>70': { ok: true } },
        },
        my_trend: {
          type: 'trend',
          contains: 'time',
          values: { avg: 15, min: 10, med: 15, max: 20, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3 },
          thresholds: { 'my_trend<1000': { ok: false } },
        },
        vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 1 } },
        http_reqs: {
          type: 'counter',
          contains: 'default',
          values: { count: 3, rate: 3 },
          thresholds: { 'rate<100': { ok: false } },
        },
      },
      setup_data: undefined,
    });
    expect(pathId('::child::check1')).toBe('6289a7a06253a1c3f6137dfb25695563');
  });

  it('JSON round-trips setup data like k6', () => {
    const { root, metrics } = fixture();
    const data = buildSummaryData({
      rootGroup: root,
      metrics,
      testRunDurationMs: 1000,
      setupData: { v: 1, when: new Date(0), skip: undefined },
    });
    expect(data.setup_data).toEqual({ v: 1, when: '1970-01-01T00:00:00.000Z' });
  });

  it('rejects group and check names containing ::', () => {
    expect(() => Group.root().group('a::b')).toThrow("group and check names may not contain '::'");
    expect(() => Group.root().check('a::b')).toThrow("group and check names may not contain '::'");
    expect(Group.root().group('g1').group('g2').tag).toBe('::g1::g2');
  });
});

describe('--summary-export (k6 expectedOldJSONExportResult)', () => {
  it('inverts thresholds, renames a rate’s rate to value and keys groups/checks by name', () => {
    const { root, metrics } = fixture();
    const legacy = toLegacySummaryExport(
      buildSummaryData({ rootGroup: root, metrics, testRunDurationMs: 1000, summaryTrendStats: STATS }),
    );
    expect(legacy.metrics).toEqual({
      checks: { value: 0.75, passes: 45, fails: 15, thresholds: { 'rate>70': false } },
      http_reqs: { count: 3, rate: 3, thresholds: { 'rate<100': true } },
      my_trend: {
        avg: 15,
        max: 20,
        med: 15,
        min: 10,
        'p(90)': 19,
        'p(95)': 19.5,
        'p(99)': 19.9,
        count: 3,
        thresholds: { 'my_trend<1000': true },
      },
      vus: { value: 1, min: 1, max: 1 },
    });
    expect(legacy.root_group.checks).toEqual({});
    expect(Object.keys(legacy.root_group.groups)).toEqual(['child']);
    expect(legacy.root_group.groups.child!.checks.check2).toEqual({
      name: 'check2',
      path: '::child::check2',
      id: '06f5922794bef0d4584ba76a49893e1f',
      passes: 5,
      fails: 10,
    });
    expect('options' in legacy || 'state' in legacy).toBe(false);
    // the rate metric's keys end up in the same order as in k6's JS
    expect(Object.keys(legacy.metrics.checks!)).toEqual(['passes', 'fails', 'thresholds', 'value']);
  });

  it('writes 4-space indented JSON without options/state', () => {
    const { root, metrics } = fixture();
    const text = legacySummaryExportJSON(buildSummaryData({ rootGroup: root, metrics, testRunDurationMs: 1000 }));
    expect(text.startsWith('{\n    "root_group": {\n        "name": "",')).toBe(true);
    expect(JSON.parse(text)).not.toHaveProperty('options');
  });
});

describe('text summary (k6 v1 summary.js, no colours)', () => {
  it('humanizes values like k6', () => {
    expect(humanizeGenericDuration(0.0005)).toBe('500ns');
    expect(humanizeGenericDuration(0.12345)).toBe('123.45µs');
    expect(humanizeGenericDuration(148.219)).toBe('148.21ms');
    expect(humanizeGenericDuration(1500)).toBe('1.5s');
    expect(humanizeGenericDuration(61_500)).toBe('1m1s');
    expect(humanizeGenericDuration(3_723_000)).toBe('1h2m3s');
    expect(humanizeValue(0.99999, { type: 'rate', contains: 'default' }, null)).toBe('99.99%');
    expect(humanizeValue(1234567, { type: 'counter', contains: 'data' }, null)).toBe('1.2 MB');
    expect(humanizeValue(13.1221794, { type: 'counter', contains: 'default' }, null)).toBe('13.122179');
    expect(humanizeValue(1500, { type: 'trend', contains: 'time' }, 's')).toBe('1.50s');
  });

  it('renders thresholds, checks and metric sections', () => {
    const { metrics } = fixture();
    const dur = new TrendSink();
    for (const v of [100, 120, 140]) dur.add(v);
    const expected = new TrendSink();
    for (const v of [100, 120]) expected.add(v);
    const blocked = new TrendSink();
    blocked.add(1);
    const all: ObservedMetric[] = [
      ...metrics,
      {
        name: 'http_req_duration',
        type: 'trend',
        contains: 'time',
        sink: dur,
        thresholds: [{ source: 'p(99)<150', ok: true }],
      },
      { name: 'http_req_duration{expected_response:true}', type: 'trend', contains: 'time', sink: expected },
      { name: 'http_req_blocked', type: 'trend', contains: 'time', sink: blocked },
    ];
    const report = buildSummaryReport({
      testRunDurationMs: 1000,
      metrics: all,
      checks: [
        { name: 'is up', passes: 45, fails: 0 },
        { name: 'status is 200', passes: 10, fails: 5 },
      ],
    });
    const text = renderTextSummary(report);
    expect(text).toBe(
      [
        '',
        '  █ THRESHOLDS ',
        '',
        '    checks',
        "    ✓ 'rate>70' rate=75.00%",
        '',
        '    http_req_duration',
        "    ✓ 'p(99)<150' p(99)=139.6ms",
        '',
        '    http_reqs',
        "    ✗ 'rate<100' rate=3/s",
        '',
        '    my_trend',
        "    ✗ 'my_trend<1000' my_trend=undefined",
        '',
        '',
        '  █ TOTAL RESULTS ',
        '',
        '    checks_total.......: 60     60/s',
        '    checks_succeeded...: 75.00% 45 out of 60',
        '    checks_failed......: 25.00% 15 out of 60',
        '',
        '    ✓ is up',
        '    ✗ status is 200',
        '      ↳  66% — ✓ 10 / ✗ 5',
        '',
        '    CUSTOM',
        '    my_trend.......................: avg=15ms  min=10ms  med=15ms  max=20ms  p(90)=19ms  p(95)=19.5ms',
        '',
        '    HTTP',
        '    http_req_duration..............: avg=120ms min=100ms med=120ms max=140ms p(90)=136ms p(95)=138ms ',
        '      { expected_response:true }...: avg=110ms min=100ms med=110ms max=120ms p(90)=118ms p(95)=119ms ',
        '    http_reqs......................: 3 3/s',
        '',
        '    EXECUTION',
        '    vus............................: 1 min=1 max=1',
        '',
        '',
      ].join('\n'),
    );
  });

  it('renders full-mode groups and scenarios', () => {
    const it1 = new CounterSink();
    it1.add(2);
    const it2 = new CounterSink();
    it2.add(1);
    const gd = new TrendSink();
    gd.add(5);
    const vus = new GaugeSink();
    vus.add(1);
    const report = buildSummaryReport({
      mode: 'full',
      testRunDurationMs: 2000,
      metrics: [
        { name: 'iterations', type: 'counter', contains: 'default', sink: it1 },
        { name: 'vus_max', type: 'gauge', contains: 'default', sink: vus },
      ],
      checks: [],
      scenarios: {
        b_scn: { metrics: [{ name: 'iterations', type: 'counter', contains: 'default', sink: it2 }], checks: [] },
        a_scn: {
          metrics: [],
          checks: [],
          groups: { login: { metrics: [{ name: 'group_duration', type: 'trend', contains: 'time', sink: gd }], checks: [] } },
        },
      },
    });
    const text = renderTextSummary(report);
    expect(text.indexOf('█ SCENARIO: a_scn')).toBeLessThan(text.indexOf('█ SCENARIO: b_scn'));
    expect(text).toContain('    ↳ GROUP: login \n');
    // k6's report-wide width is NaN here, so each section aligns on its own names
    expect(text).toContain('    iterations...: 2 1/s\n    vus_max......: 1 min=1 max=1\n');
    expect(text).toContain('    iterations...: 1 0.5/s\n');
    // group_duration is hidden in full mode too, so the group has no lines of its own
    expect(text).toContain('  █ SCENARIO: a_scn \n\n    ↳ GROUP: login \n\n\n');
  });

  it('keeps k6’s quirk: a report with a single metric prints no dots', () => {
    const c = new CounterSink();
    c.add(3);
    const report = buildSummaryReport({
      testRunDurationMs: 1000,
      metrics: [{ name: 'iterations', type: 'counter', contains: 'default', sink: c }],
      checks: [],
    });
    expect(renderTextSummary(report)).toContain('\n    iterations: 3 3/s\n');
  });
});
