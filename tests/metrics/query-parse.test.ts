import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { holdsListener, listeningInodes, parseProcNetTcp } from '../../infra/metrics/listener.js';
import { prometheusApi } from '../../infra/metrics/query.js';
import {
  formatPromValue,
  labelsText,
  mergeRangeResults,
  parsePromValue,
  parseQueryData,
  rangeWindows,
  singleValue,
  textMetricValues,
} from '../../infra/metrics/query-parse.js';
import { decodeRunSeries, encodeRunSeries, type RunSeries } from '../../infra/metrics/series-json.js';
import { freePort } from '../../infra/services/ports.js';

describe('Prometheus API values', () => {
  it('parses sample strings, NaN and both infinities', () => {
    expect(parsePromValue('1.5')).toBe(1.5);
    expect(parsePromValue('1e+06')).toBe(1e6);
    expect(parsePromValue('NaN')).toBeNaN();
    expect(parsePromValue('+Inf')).toBe(Infinity);
    expect(parsePromValue('-Inf')).toBe(-Infinity);
    expect(() => parsePromValue('abc')).toThrow(/not a number/);
    expect(() => parsePromValue('')).toThrow(/not a number/);
    expect([1, NaN, Infinity, -Infinity].map(formatPromValue)).toEqual([1, 'NaN', '+Inf', '-Inf']);
  });

  it('parses every result type, with native histograms', () => {
    expect(parseQueryData({ resultType: 'scalar', result: [10.5, '+Inf'] })).toEqual({ resultType: 'scalar', result: [10.5, Infinity] });
    expect(parseQueryData({ resultType: 'string', result: [1, 'x'] })).toEqual({ resultType: 'string', result: [1, 'x'] });
    const vector = parseQueryData({
      resultType: 'vector',
      result: [
        { metric: { __name__: 'up', job: 'a' }, value: [1, '1'] },
        { metric: { __name__: 'k6_http_req_duration' }, histogram: [1, { count: '4', sum: '0.5', buckets: [[0, '0.1', '0.2', '4']] }] },
      ],
    });
    expect(vector).toEqual({
      resultType: 'vector',
      result: [
        { metric: { __name__: 'up', job: 'a' }, value: [1, 1] },
        { metric: { __name__: 'k6_http_req_duration' }, histogram: [1, { count: 4, sum: 0.5, buckets: [[0, 0.1, 0.2, 4]] }] },
      ],
    });
    expect(parseQueryData({ resultType: 'matrix', result: [{ metric: {}, values: [[1, 'NaN'], [2, '3']] }] })).toEqual({
      resultType: 'matrix',
      result: [{ metric: {}, values: [[1, NaN], [2, 3]] }],
    });
    expect(() => parseQueryData({ resultType: 'vector', result: [{ metric: { a: 1 } }] })).toThrow(/label a is not a string/);
    expect(() => parseQueryData({ resultType: 'table' })).toThrow(/resultType "table"/);
  });

  it('finds the one number of an instant result', () => {
    expect(singleValue({ resultType: 'vector', result: [] })).toBeUndefined();
    expect(singleValue({ resultType: 'scalar', result: [1, 2] })).toBe(2);
    expect(() =>
      singleValue({
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', job: 'a' }, value: [1, 1] },
          { metric: { __name__: 'up', job: 'b' }, value: [1, 0] },
        ],
      }),
    ).toThrow('expected at most one series, got 2: up{job="a"}, up{job="b"}');
    expect(labelsText({})).toBe('{}');
  });

  it('reads sample lines of the text format', () => {
    const text = '# HELP pg_up x\n# TYPE pg_up gauge\npg_up 1\npg_upx 5\nredis_key_size{db="db0",key="q"} 3\nbad_line\n';
    expect(textMetricValues(text, 'pg_up')).toEqual([{ labels: '', value: 1 }]);
    expect(textMetricValues(text, 'redis_key_size')).toEqual([{ labels: '{db="db0",key="q"}', value: 3 }]);
  });
});

describe('range export windows', () => {
  it('splits a long range into windows whose points are the whole range, none twice', () => {
    expect(rangeWindows(0, 10, 1, 4)).toEqual([
      [0, 3],
      [4, 7],
      [8, 10],
    ]);
    expect(rangeWindows(100, 100, 1)).toEqual([[100, 100]]);
    const windows = rangeWindows(1000.5, 1000.5 + 3 * 3600, 1);
    expect(windows).toHaveLength(2);
    const points = windows.reduce((n, [s, e]) => n + Math.floor((e - s) / 1) + 1, 0);
    expect(points).toBe(3 * 3600 + 1);
    expect(() => rangeWindows(10, 0, 1)).toThrow(/before start/);
    expect(() => rangeWindows(0, 10, 0)).toThrow(/positive/);
  });

  it('joins window results series by series', () => {
    const merged = mergeRangeResults([
      [
        { metric: { job: 'a', i: '1' }, values: [[1, 1]] },
        { metric: { job: 'b' }, values: [[1, 5]] },
      ],
      [
        { metric: { i: '1', job: 'a' }, values: [[2, 2]] },
        { metric: { job: 'c' }, values: [[2, 9]] },
      ],
    ]);
    expect(merged).toEqual([
      { metric: { job: 'a', i: '1' }, values: [[1, 1], [2, 2]] },
      { metric: { job: 'b' }, values: [[1, 5]] },
      { metric: { job: 'c' }, values: [[2, 9]] },
    ]);
  });
});

describe('series.json', () => {
  const run: RunSeries = {
    version: 1,
    start: 100,
    end: 102,
    stepSec: 1,
    source: 'http://127.0.0.1:9090',
    exportedAt: '2026-01-01T00:00:00.000Z',
    queries: [
      {
        name: 'p99',
        expr: 'histogram_quantile(0.99, x)',
        result: [
          {
            metric: { job: 'web' },
            values: [
              [100, 0.25],
              [101, NaN],
              [102, Infinity],
            ],
            histograms: [[100, { count: 1, sum: 2, buckets: [[0, 0.1, 0.2, 1]] }]],
          },
        ],
      },
      { name: 'broken', expr: 'sum(', result: [], error: 'query failed: parse error' },
    ],
  };

  it('round-trips through JSON text with NaN and Inf intact', () => {
    const text = JSON.stringify(encodeRunSeries(run));
    expect(text).toContain('[101,"NaN"]');
    expect(text).toContain('[102,"+Inf"]');
    expect(decodeRunSeries(JSON.parse(text))).toEqual(run);
  });

  it('names what is wrong with a damaged file', () => {
    expect(() => decodeRunSeries({ version: 2 })).toThrow('format version 2, expected 1');
    const damaged = JSON.parse(JSON.stringify(encodeRunSeries(run)));
    damaged.queries[0].result[0].values[1] = [101, 'many'];
    expect(() => decodeRunSeries(damaged)).toThrow(/"many" is not a number/);
  });
});

describe('Prometheus API client errors', () => {
  it('says which Prometheus is unreachable, on one line', async () => {
    const port = await freePort();
    await expect(prometheusApi(`http://127.0.0.1:${port}`).query('up')).rejects.toThrow(
      new RegExp(`^query failed: Prometheus at http://127\\.0\\.0\\.1:${port} unreachable \\(ECONNREFUSED\\) in "up"$`),
    );
  });

  it('says when a URL is not the Prometheus API', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('<html>nope</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(prometheusApi(`http://127.0.0.1:${port}/`).series('up')).rejects.toThrow(
        'series lookup failed: not a Prometheus API reply: "<html>nope</html>" (bad_response, HTTP 404) in "up"',
      );
    } finally {
      server.close();
    }
  });
});

describe('listening socket ownership', () => {
  it('parses /proc/net/tcp rows', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 12346 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    const entries = parseProcNetTcp(text);
    expect(entries).toEqual([
      { port: 8080, state: '0A', inode: '12345' },
      { port: 8080, state: '01', inode: '12346' },
    ]);
    expect(listeningInodes(entries, 8080)).toEqual(['12345']);
  });

  it('tells whether a pid holds the listener of a port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await holdsListener(process.pid, port)).toBe(true);
      expect(await holdsListener(process.pid, await freePort())).toBe(false);
    } finally {
      server.close();
    }
  });
});
