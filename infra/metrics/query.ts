import { pollUntil } from '../services/poll.js';
import {
  mergeRangeResults,
  parseActiveTargets,
  parseLabelSets,
  parseQueryData,
  parseStringList,
  rangeWindows,
  singleValue,
  ResponseShapeError,
  type ActiveTarget,
  type ExportedQuery,
  type Labels,
  type NamedQuery,
  type QueryResult,
  type RangeSeries,
  type VectorSample,
} from './query-parse.js';

export type {
  ActiveTarget,
  ExportedQuery,
  NamedQuery,
  HistogramPoint,
  Labels,
  NativeHistogram,
  Point,
  QueryResult,
  RangeSeries,
  VectorSample,
} from './query-parse.js';

/** A Date, or unix seconds. */
export type Time = Date | number;

/**
 * One line: the request, Prometheus' own `error` text and type, the HTTP
 * status. `expr` is the PromQL (or series selector) that failed.
 */
export class PrometheusError extends Error {
  readonly status: number;
  readonly errorType: string;
  readonly expr: string | undefined;

  constructor(opts: { what: string; error: string; errorType: string; status: number; expr?: string }) {
    const expr = opts.expr === undefined ? '' : ` in ${JSON.stringify(oneLine(opts.expr))}`;
    super(oneLine(`${opts.what} failed: ${opts.error} (${opts.errorType}, HTTP ${opts.status})${expr}`));
    this.name = 'PrometheusError';
    this.status = opts.status;
    this.errorType = opts.errorType;
    this.expr = opts.expr;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export interface PrometheusApi {
  readonly url: string;
  /** True when `/-/ready` answers 200. */
  ready(): Promise<boolean>;
  query(expr: string, opts?: { time?: Time; timeoutSec?: number }): Promise<QueryResult>;
  /** An instant query that must return a vector (a scalar becomes one unlabelled sample). */
  queryVector(expr: string, opts?: { time?: Time }): Promise<VectorSample[]>;
  /** The single number an instant query returns, or undefined for an empty vector. */
  value(expr: string, opts?: { time?: Time }): Promise<number | undefined>;
  queryRange(expr: string, start: Time, end: Time, stepSec: number): Promise<RangeSeries[]>;
  series(match: string | string[], opts?: { start?: Time; end?: Time }): Promise<Labels[]>;
  labels(opts?: { match?: string[]; start?: Time; end?: Time }): Promise<string[]>;
  labelValues(name: string, opts?: { match?: string[]; start?: Time; end?: Time }): Promise<string[]>;
  targets(): Promise<ActiveTarget[]>;
}

export function toUnixSeconds(time: Time): number {
  return time instanceof Date ? time.getTime() / 1000 : time;
}

function timeParam(time: Time): string {
  return String(toUnixSeconds(time));
}

interface Envelope {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

/**
 * A client for Prometheus' HTTP API at `url` (e.g. http://127.0.0.1:9090).
 * Queries go as form POSTs so long PromQL never meets a URL length limit.
 */
export function prometheusApi(url: string, opts: { timeoutMs?: number } = {}): PrometheusApi {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function send(path: string, what: string, params: URLSearchParams | undefined, expr?: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: params ? 'POST' : 'GET',
        ...(params ? { body: params, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new Error(oneLine(`${what} failed: Prometheus at ${base} unreachable (${detail})${expr === undefined ? '' : ` in ${JSON.stringify(oneLine(expr))}`}`));
    }
    const text = await response.text();
    let body: Envelope;
    try {
      body = JSON.parse(text) as Envelope;
    } catch {
      throw new PrometheusError({
        what,
        error: `not a Prometheus API reply: ${JSON.stringify(text.slice(0, 120))}`,
        errorType: 'bad_response',
        status: response.status,
        ...(expr === undefined ? {} : { expr }),
      });
    }
    if (body.status !== 'success') {
      throw new PrometheusError({
        what,
        error: body.error ?? `status ${JSON.stringify(body.status)}`,
        errorType: body.errorType ?? 'unknown',
        status: response.status,
        ...(expr === undefined ? {} : { expr }),
      });
    }
    return body.data;
  }

  /** Shape errors get the request named, still on one line. */
  async function call<T>(path: string, what: string, params: URLSearchParams | undefined, parse: (data: unknown) => T, expr?: string): Promise<T> {
    const data = await send(path, what, params, expr);
    try {
      return parse(data);
    } catch (err) {
      if (err instanceof ResponseShapeError) {
        throw new Error(oneLine(`${what} failed: ${err.message}${expr === undefined ? '' : ` in ${JSON.stringify(expr)}`}`));
      }
      throw err;
    }
  }

  function rangeParams(o: { match?: string[]; start?: Time; end?: Time }): URLSearchParams {
    const params = new URLSearchParams();
    for (const m of o.match ?? []) params.append('match[]', m);
    if (o.start !== undefined) params.set('start', timeParam(o.start));
    if (o.end !== undefined) params.set('end', timeParam(o.end));
    return params;
  }

  const api: PrometheusApi = {
    url: base,

    async ready() {
      try {
        const response = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(Math.min(timeoutMs, 5000)) });
        await response.arrayBuffer();
        return response.status === 200;
      } catch {
        return false;
      }
    },

    query(expr, o = {}) {
      const params = new URLSearchParams({ query: expr });
      if (o.time !== undefined) params.set('time', timeParam(o.time));
      if (o.timeoutSec !== undefined) params.set('timeout', `${o.timeoutSec}s`);
      return call('/api/v1/query', 'query', params, parseQueryData, expr);
    },

    async queryVector(expr, o = {}) {
      const result = await api.query(expr, o);
      if (result.resultType === 'vector') return result.result;
      if (result.resultType === 'scalar') return [{ metric: {}, value: result.result }];
      throw new Error(`query failed: expected a vector, got a ${result.resultType} in ${JSON.stringify(oneLine(expr))}`);
    },

    async value(expr, o = {}) {
      const result = await api.query(expr, o);
      try {
        return singleValue(result);
      } catch (err) {
        throw new Error(`query failed: ${(err as Error).message} in ${JSON.stringify(oneLine(expr))}`);
      }
    },

    async queryRange(expr, start, end, stepSec) {
      const params = new URLSearchParams({
        query: expr,
        start: timeParam(start),
        end: timeParam(end),
        step: String(stepSec),
      });
      const result = await call('/api/v1/query_range', 'range query', params, parseQueryData, expr);
      if (result.resultType !== 'matrix') {
        throw new Error(`range query failed: expected a matrix, got a ${result.resultType} in ${JSON.stringify(oneLine(expr))}`);
      }
      return result.result;
    },

    series(match, o = {}) {
      const matchers = Array.isArray(match) ? match : [match];
      return call('/api/v1/series', 'series lookup', rangeParams({ ...o, match: matchers }), parseLabelSets, matchers.join(', '));
    },

    labels(o = {}) {
      return call('/api/v1/labels', 'label names lookup', rangeParams(o), parseStringList);
    },

    labelValues(name, o = {}) {
      const query = rangeParams(o).toString();
      return call(
        `/api/v1/label/${encodeURIComponent(name)}/values${query ? `?${query}` : ''}`,
        `label ${name} values lookup`,
        undefined,
        parseStringList,
      );
    },

    targets() {
      return call('/api/v1/targets?state=active', 'targets lookup', undefined, parseActiveTargets);
    },
  };
  return api;
}

function asApi(source: string | PrometheusApi): PrometheusApi {
  return typeof source === 'string' ? prometheusApi(source) : source;
}

/**
 * Runs each query over [start, end] at `stepSec`, in windows small enough for
 * Prometheus' per-query point limit, and joins the windows. A query
 * Prometheus rejects keeps its error and an empty result so one bad
 * expression does not lose a run's other series; an unreachable Prometheus
 * throws.
 */
export async function exportRange(
  source: string | PrometheusApi,
  queries: readonly NamedQuery[],
  start: Time,
  end: Time,
  stepSec: number,
): Promise<ExportedQuery[]> {
  const api = asApi(source);
  const windows = rangeWindows(toUnixSeconds(start), toUnixSeconds(end), stepSec);
  const exported: ExportedQuery[] = [];
  for (const { name, expr } of queries) {
    try {
      const parts: RangeSeries[][] = [];
      for (const [s, e] of windows) parts.push(await api.queryRange(expr, s, e, stepSec));
      exported.push({ name, expr, result: mergeRangeResults(parts) });
    } catch (err) {
      if (!(err instanceof PrometheusError)) throw err;
      exported.push({ name, expr, result: [], error: err.message });
    }
  }
  return exported;
}

/**
 * Waits until every active target (of `jobs`, when given) has been scraped
 * successfully and its `up` is queryable; the timeout error names each
 * target still down and why. Prometheus 2.42 first scrapes ~5 s after it
 * starts (its discovery throttle).
 */
export async function waitForTargets(
  source: string | PrometheusApi,
  opts: { jobs?: string[]; timeoutMs?: number } = {},
): Promise<ActiveTarget[]> {
  const api = asApi(source);
  let last: ActiveTarget[] = [];
  const describe = (targets: ActiveTarget[]): string =>
    targets.map((t) => `${t.job} ${t.instance} ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ');
  return pollUntil(
    async () => {
      const all = await api.targets();
      last = opts.jobs ? all.filter((t) => opts.jobs?.includes(t.job)) : all;
      const missing = (opts.jobs ?? []).filter((job) => !last.some((t) => t.job === job));
      if (missing.length > 0) throw new Error(`no targets yet for ${missing.join(', ')}`);
      if (last.length === 0) throw new Error('no active targets yet');
      const notUp = last.filter((t) => t.health !== 'up');
      if (notUp.length > 0) throw new Error(`not up: ${describe(notUp)}`);
      // Health flips before the scrape's samples are committed; wait until
      // `up` itself can be queried so callers see data right away.
      const up = await api.queryVector('up');
      const recorded = new Set(up.filter((s) => s.value?.[1] === 1).map((s) => `${s.metric.job}\n${s.metric.instance}`));
      const unrecorded = last.filter((t) => !recorded.has(`${t.job}\n${t.instance}`));
      if (unrecorded.length > 0) throw new Error(`up not recorded yet for ${describe(unrecorded)}`);
      return last;
    },
    { what: `scrape targets at ${api.url} did not come up`, timeoutMs: opts.timeoutMs ?? 15_000, intervalMs: 200 },
  );
}
