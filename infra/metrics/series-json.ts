// The run folder's series.json: a run's raw series as exported from
// Prometheus, so a report can be rebuilt later without any service running.
// JSON has no NaN or ±Inf, so those values are stored as Prometheus writes
// them ("NaN", "+Inf", "-Inf") and every other value as a plain number.

import {
  formatPromValue,
  parseHistogramPoint,
  parseLabels,
  parsePromValue,
  type ExportedQuery,
  type HistogramPoint,
  type Point,
  type RangeSeries,
} from './query-parse.js';

export const SERIES_FILE = 'series.json';
export const SERIES_FORMAT_VERSION = 1;

export interface RunSeries {
  version: typeof SERIES_FORMAT_VERSION;
  /** Unix seconds. */
  start: number;
  end: number;
  stepSec: number;
  /** Where the series came from, e.g. the run's Prometheus URL. */
  source?: string;
  /** ISO time of the export. */
  exportedAt: string;
  queries: ExportedQuery[];
}

type JsonValue = number | string;

function encodePoint([t, v]: Point): [number, JsonValue] {
  return [t, formatPromValue(v)];
}

function encodeHistogramPoint([t, h]: HistogramPoint): unknown {
  return [
    t,
    {
      count: formatPromValue(h.count),
      sum: formatPromValue(h.sum),
      buckets: h.buckets.map(([rule, lo, hi, count]) => [rule, formatPromValue(lo), formatPromValue(hi), formatPromValue(count)]),
    },
  ];
}

function encodeSeries(series: RangeSeries): unknown {
  return {
    metric: series.metric,
    values: series.values.map(encodePoint),
    ...(series.histograms ? { histograms: series.histograms.map(encodeHistogramPoint) } : {}),
  };
}

/** A JSON-safe object for series.json. */
export function encodeRunSeries(run: RunSeries): unknown {
  return {
    version: run.version,
    start: run.start,
    end: run.end,
    stepSec: run.stepSec,
    ...(run.source !== undefined ? { source: run.source } : {}),
    exportedAt: run.exportedAt,
    queries: run.queries.map((q) => ({
      name: q.name,
      expr: q.expr,
      ...(q.error !== undefined ? { error: q.error } : {}),
      result: q.result.map(encodeSeries),
    })),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`series file: ${what} is not a number`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`series file: ${what} is not a string`);
  return value;
}

function decodePoint(value: unknown, what: string): Point {
  if (!Array.isArray(value) || value.length !== 2) throw new Error(`series file: ${what} is not [time, value]`);
  return [num(value[0], `${what} time`), parsePromValue(value[1])];
}

function decodeSeries(value: unknown, what: string): RangeSeries {
  if (!isRecord(value) || !Array.isArray(value.values)) throw new Error(`series file: ${what} has no values list`);
  const series: RangeSeries = {
    metric: parseLabels(value.metric ?? {}),
    values: value.values.map((p, i) => decodePoint(p, `${what} value ${i}`)),
  };
  if (Array.isArray(value.histograms)) series.histograms = value.histograms.map(parseHistogramPoint);
  return series;
}

/** Parses series.json content back, restoring NaN and ±Inf. */
export function decodeRunSeries(json: unknown): RunSeries {
  if (!isRecord(json)) throw new Error('series file: not a JSON object');
  if (json.version !== SERIES_FORMAT_VERSION) {
    throw new Error(`series file: format version ${JSON.stringify(json.version)}, expected ${SERIES_FORMAT_VERSION}`);
  }
  if (!Array.isArray(json.queries)) throw new Error('series file: queries is not a list');
  return {
    version: SERIES_FORMAT_VERSION,
    start: num(json.start, 'start'),
    end: num(json.end, 'end'),
    stepSec: num(json.stepSec, 'stepSec'),
    ...(json.source !== undefined ? { source: str(json.source, 'source') } : {}),
    exportedAt: str(json.exportedAt, 'exportedAt'),
    queries: json.queries.map((q: unknown, i: number) => {
      if (!isRecord(q) || !Array.isArray(q.result)) throw new Error(`series file: query ${i} has no result list`);
      const name = str(q.name, `query ${i} name`);
      return {
        name,
        expr: str(q.expr, `query ${name} expr`),
        ...(q.error !== undefined ? { error: str(q.error, `query ${name} error`) } : {}),
        result: q.result.map((s, j) => decodeSeries(s, `query ${name} series ${j}`)),
      };
    }),
  };
}
