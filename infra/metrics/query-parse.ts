// Pure side of the Prometheus HTTP API client: response shapes, value
// parsing, and the splitting/merging that long range exports need.

export type Labels = Record<string, string>;
/** [unix seconds, value]; Prometheus sends values as strings because of NaN and ±Inf. */
export type Point = [t: number, v: number];

/** A native histogram sample as the API gives it, with numbers parsed. */
export interface NativeHistogram {
  count: number;
  sum: number;
  /** [boundary rule, lower, upper, count]; rule 0..3 = open/closed ends as in the API. */
  buckets: [rule: number, lower: number, upper: number, count: number][];
}
export type HistogramPoint = [t: number, h: NativeHistogram];

/** Instant-vector element: a float `value`, or a native `histogram`. */
export interface VectorSample {
  metric: Labels;
  value?: Point;
  histogram?: HistogramPoint;
}

export interface RangeSeries {
  metric: Labels;
  values: Point[];
  histograms?: HistogramPoint[];
}

export interface NamedQuery {
  name: string;
  expr: string;
}

/** One query of a range export. */
export interface ExportedQuery extends NamedQuery {
  result: RangeSeries[];
  /** Prometheus' error for this query; the others are still exported. */
  error?: string;
}

export type QueryResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; result: Point }
  | { resultType: 'string'; result: [t: number, v: string] };

export interface ActiveTarget {
  job: string;
  instance: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  labels: Labels;
  /** How often the target is scraped (Prometheus 2.x+ reports it per target). */
  scrapeIntervalSec?: number;
}

const PROM_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** A Prometheus duration such as "15s" or "1m30s" in seconds; undefined if it is not one. */
export function parsePromDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((m) => m[0]).join('') !== text) return undefined;
  return parts.reduce((sum, m) => sum + Number(m[1]) * PROM_UNITS[m[2]!]!, 0);
}

/** Thrown on a malformed reply; the caller adds which request it was. */
export class ResponseShapeError extends Error {
  constructor(what: string) {
    super(`unexpected Prometheus response: ${what}`);
    this.name = 'ResponseShapeError';
  }
}

function fail(what: string): never {
  throw new ResponseShapeError(what);
}

/** Prometheus' float text: "1.5", "1e+06", "NaN", "+Inf", "-Inf". */
export function parsePromValue(text: unknown): number {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') fail(`value ${JSON.stringify(text)} is not a string`);
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default: {
      const value = Number(text);
      if (text.trim() === '' || Number.isNaN(value)) fail(`value ${JSON.stringify(text)} is not a number`);
      return value;
    }
  }
}

/** The inverse for storage: JSON has no NaN or Infinity. */
export function formatPromValue(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseTime(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`timestamp ${JSON.stringify(value)}`);
  return value;
}

export function parseLabels(value: unknown): Labels {
  if (!isRecord(value)) fail('labels are not an object');
  const labels: Labels = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`label ${k} is not a string`);
    labels[k] = v;
  }
  return labels;
}

export function parsePoint(value: unknown): Point {
  if (!Array.isArray(value) || value.length !== 2) fail(`sample ${JSON.stringify(value)} is not [time, "value"]`);
  return [parseTime(value[0]), parsePromValue(value[1])];
}

function parseHistogram(value: unknown): NativeHistogram {
  if (!isRecord(value)) fail('histogram is not an object');
  const buckets = value.buckets ?? [];
  if (!Array.isArray(buckets)) fail('histogram buckets are not a list');
  return {
    count: parsePromValue(value.count),
    sum: parsePromValue(value.sum),
    buckets: buckets.map((b: unknown) => {
      if (!Array.isArray(b) || b.length !== 4) fail(`histogram bucket ${JSON.stringify(b)}`);
      return [Number(b[0]), parsePromValue(b[1]), parsePromValue(b[2]), parsePromValue(b[3])];
    }),
  };
}

export function parseHistogramPoint(value: unknown): HistogramPoint {
  if (!Array.isArray(value) || value.length !== 2) fail('histogram sample is not [time, {…}]');
  return [parseTime(value[0]), parseHistogram(value[1])];
}

function parseVectorSample(value: unknown): VectorSample {
  if (!isRecord(value)) fail('vector element is not an object');
  const sample: VectorSample = { metric: parseLabels(value.metric ?? {}) };
  if (value.value !== undefined) sample.value = parsePoint(value.value);
  if (value.histogram !== undefined) sample.histogram = parseHistogramPoint(value.histogram);
  return sample;
}

export function parseRangeSeries(value: unknown): RangeSeries {
  if (!isRecord(value)) fail('matrix element is not an object');
  const values = value.values ?? [];
  if (!Array.isArray(values)) fail('matrix values are not a list');
  const series: RangeSeries = { metric: parseLabels(value.metric ?? {}), values: values.map(parsePoint) };
  if (value.histograms !== undefined) {
    if (!Array.isArray(value.histograms)) fail('matrix histograms are not a list');
    series.histograms = value.histograms.map(parseHistogramPoint);
  }
  return series;
}

/** `data` of /api/v1/query or /api/v1/query_range. */
export function parseQueryData(data: unknown): QueryResult {
  if (!isRecord(data)) fail('data is not an object');
  const { resultType, result } = data;
  switch (resultType) {
    case 'vector':
      if (!Array.isArray(result)) fail('vector result is not a list');
      return { resultType, result: result.map(parseVectorSample) };
    case 'matrix':
      if (!Array.isArray(result)) fail('matrix result is not a list');
      return { resultType, result: result.map(parseRangeSeries) };
    case 'scalar':
      return { resultType, result: parsePoint(result) };
    case 'string': {
      if (!Array.isArray(result) || result.length !== 2 || typeof result[1] !== 'string') fail('string result');
      return { resultType, result: [parseTime(result[0]), result[1]] };
    }
    default:
      fail(`resultType ${JSON.stringify(resultType)}`);
  }
}

export function parseStringList(data: unknown): string[] {
  if (!Array.isArray(data) || data.some((v) => typeof v !== 'string')) fail('data is not a list of strings');
  return data as string[];
}

export function parseLabelSets(data: unknown): Labels[] {
  if (!Array.isArray(data)) fail('data is not a list of label sets');
  return data.map(parseLabels);
}

export function parseActiveTargets(data: unknown): ActiveTarget[] {
  if (!isRecord(data) || !Array.isArray(data.activeTargets)) fail('data.activeTargets is not a list');
  return data.activeTargets.map((t: unknown) => {
    if (!isRecord(t)) fail('target is not an object');
    const labels = parseLabels(t.labels ?? {});
    const health = t.health === 'up' || t.health === 'down' ? t.health : 'unknown';
    return {
      job: labels.job ?? '',
      instance: labels.instance ?? '',
      scrapeUrl: typeof t.scrapeUrl === 'string' ? t.scrapeUrl : '',
      health,
      lastError: typeof t.lastError === 'string' ? t.lastError : '',
      labels,
      ...(typeof t.scrapeInterval === 'string' && parsePromDuration(t.scrapeInterval) ? { scrapeIntervalSec: parsePromDuration(t.scrapeInterval)! } : {}),
    };
  });
}

/** One number out of an instant result: a scalar, or a vector's only float sample. */
export function singleValue(result: QueryResult): number | undefined {
  if (result.resultType === 'scalar') return result.result[1];
  if (result.resultType !== 'vector') return undefined;
  const floats = result.result.filter((s) => s.value);
  if (floats.length > 1) {
    throw new Error(`expected at most one series, got ${floats.length}: ${floats.map((s) => labelsText(s.metric)).join(', ')}`);
  }
  return floats[0]?.value?.[1];
}

/** `name{a="b"}` for messages. */
export function labelsText(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return inner ? `${name}{${inner}}` : name || '{}';
}

/** Prometheus' per-series cap on a range query is 11,000 points; stay below it. */
export const MAX_POINTS_PER_QUERY = 10_000;

/**
 * Splits [start, end] (unix seconds) into consecutive windows of at most
 * `maxPoints` evaluation steps each, so the windows' points together are the
 * points of the whole range, none twice.
 */
export function rangeWindows(start: number, end: number, stepSec: number, maxPoints = MAX_POINTS_PER_QUERY): [number, number][] {
  if (!(stepSec > 0)) throw new Error(`step must be positive, got ${stepSec}`);
  if (!(end >= start)) throw new Error(`range end ${end} is before start ${start}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new Error(`maxPoints must be a positive integer, got ${maxPoints}`);
  // Whole milliseconds, as Prometheus evaluates, so float drift cannot add or lose a point.
  const startMs = Math.round(start * 1000);
  const endMs = Math.round(end * 1000);
  const stepMs = Math.max(1, Math.round(stepSec * 1000));
  const windows: [number, number][] = [];
  for (let s = startMs; s <= endMs; s += stepMs * maxPoints) {
    windows.push([s / 1000, Math.min(endMs, s + stepMs * (maxPoints - 1)) / 1000]);
  }
  return windows;
}

function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Joins the windows' matrices series by series, in window order. */
export function mergeRangeResults(parts: RangeSeries[][]): RangeSeries[] {
  const merged = new Map<string, RangeSeries>();
  for (const part of parts) {
    for (const series of part) {
      const key = labelsKey(series.metric);
      const existing = merged.get(key);
      if (!existing) {
        merged.set(key, {
          metric: series.metric,
          values: [...series.values],
          ...(series.histograms ? { histograms: [...series.histograms] } : {}),
        });
        continue;
      }
      existing.values.push(...series.values);
      if (series.histograms) (existing.histograms ??= []).push(...series.histograms);
    }
  }
  return [...merged.values()];
}

/** Reads `name{labels} value` lines of the Prometheus text format; enough for readiness checks. */
export function textMetricValues(text: string, name: string): { labels: string; value: number }[] {
  const found: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const match = /^(\{[^}]*\})?\s+(\S+)/.exec(rest);
    if (!match) continue;
    try {
      found.push({ labels: match[1] ?? '', value: parsePromValue(match[2]) });
    } catch {
      // not a sample line of this metric
    }
  }
  return found;
}
