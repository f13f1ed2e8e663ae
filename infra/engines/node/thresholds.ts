// Thresholds (k6 metrics/thresholds.go, thresholds_parser.go and the
// threshold parts of internal/metrics/engine/engine.go): parsing, validation
// against metric types (exit 104 when invalid), and evaluation over sinks.

import { DEFAULT_K6_LINE, type K6Line } from './compat.js';
import { msToNs, parseDuration } from './duration.js';
import { ExitCodeError, ExitCodes } from './exitcodes.js';
import { formatG, GoNumError, goQuote, parseGoFloat } from './gofmt.js';
import { type MetricInfo, MetricNameError, parseMetricName, splitSubmetricName } from './metric-names.js';
import type { MetricType, Sink } from './stats/sinks.js';

/** Invalid threshold configuration: k6 exits with 104 (InvalidConfig). */
export class InvalidThresholdError extends ExitCodeError {
  constructor(message: string) {
    super(message, ExitCodes.InvalidConfig);
  }
}

/** Operators in k6's scan order: longer tokens sharing a prefix come first. */
export const THRESHOLD_OPERATORS = ['<=', '<', '>=', '>', '===', '==', '!='] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

const AGGREGATIONS = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max'] as const;

export interface ThresholdExpression {
  /** value, count, rate, avg, min, med, max, or p */
  aggregationMethod: string;
  /** N of p(N) */
  aggregationValue: number | undefined;
  operator: ThresholdOperator;
  value: number;
}

/** scanThresholdExpression: first operator (in scan order) with a non-empty right side. */
function scan(input: string): [string, ThresholdOperator, string] | undefined {
  for (const op of THRESHOLD_OPERATORS) {
    const at = input.indexOf(op);
    if (at < 0) continue;
    const right = input.slice(at + op.length);
    if (right !== '') return [input.slice(0, at).trim(), op, right.trim()];
  }
  return undefined;
}

function parseMethod(input: string, line: K6Line): [string, number | undefined] {
  if ((AGGREGATIONS as readonly string[]).includes(input) || input === 'p') return [input, undefined];
  if (input.startsWith('p(') && input.endsWith(')')) {
    let v: number;
    try {
      v = parseGoFloat(input.slice(2, -1));
    } catch (e) {
      throw new Error(`malformed percentile value; reason: ${(e as Error).message}`);
    }
    if (line === 'v2' && (Number.isNaN(v) || v < 0 || v > 100)) {
      throw new Error('malformed percentile value, provide a number between 0 and 100');
    }
    return ['p', v];
  }
  throw new Error('failed parsing method from expression');
}

/** parseThresholdExpression: `<agg> <op> <number>`; errors are plain (wrapped as 104 by validation). */
export function parseThresholdExpression(input: string, line: K6Line = DEFAULT_K6_LINE): ThresholdExpression {
  const scanned = scan(input);
  if (!scanned) {
    throw new Error(`failed parsing threshold expression ${goQuote(input)}; reason: malformed threshold expression`);
  }
  const [method, operator, valueStr] = scanned;
  let parsed: [string, number | undefined];
  try {
    parsed = parseMethod(method, line);
  } catch (e) {
    throw new Error(
      `failed parsing threshold expression's ${goQuote(input)} left hand side; reason: ${(e as Error).message}`,
    );
  }
  let value: number;
  try {
    value = parseGoFloat(valueStr);
  } catch (e) {
    if (!(e instanceof GoNumError)) throw e;
    // "expresion" is k6's spelling.
    throw new Error(`failed parsing threshold expresion's ${goQuote(input)} right hand side; reason: ${e.message}`);
  }
  return { aggregationMethod: parsed[0], aggregationValue: parsed[1], operator, value };
}

/** The key a parsed expression reads from the sink values: `p(%g)` for percentiles. */
export function sinkKey(e: ThresholdExpression): string {
  return e.aggregationMethod === 'p' ? `p(${formatG(e.aggregationValue ?? 0)})` : e.aggregationMethod;
}

const SUPPORTED: Record<MetricType, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

export function supportedAggregationMethods(t: MetricType): readonly string[] {
  return SUPPORTED[t];
}

/** One threshold as configured: a string, or the object form. */
export interface ThresholdConfig {
  threshold: string;
  abortOnFail: boolean;
  /** ms; undefined = abort without delay */
  delayAbortEval: number | undefined;
}

/**
 * Decode the `thresholds` option: metric name → array of expressions or
 * {threshold, abortOnFail, delayAbortEval} objects (extra keys are ignored,
 * as Go's non-strict decoding does there).
 */
export function parseThresholdsOption(raw: unknown): Record<string, ThresholdConfig[]> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidThresholdError('json: cannot unmarshal thresholds: expected an object');
  }
  const out: Record<string, ThresholdConfig[]> = {};
  for (const [metric, list] of Object.entries(raw)) {
    if (list === null) {
      out[metric] = [];
      continue;
    }
    if (!Array.isArray(list)) {
      throw new InvalidThresholdError(`json: cannot unmarshal thresholds for ${metric}: expected an array`);
    }
    out[metric] = list.map((item): ThresholdConfig => {
      if (typeof item === 'string') return { threshold: item, abortOnFail: false, delayAbortEval: undefined };
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new InvalidThresholdError(`json: cannot unmarshal threshold for ${metric}: expected a string or an object`);
      }
      const o = item as Record<string, unknown>;
      if (o.threshold !== undefined && o.threshold !== null && typeof o.threshold !== 'string') {
        throw new InvalidThresholdError('json: cannot unmarshal threshold: `threshold` must be a string');
      }
      if (o.abortOnFail !== undefined && o.abortOnFail !== null && typeof o.abortOnFail !== 'boolean') {
        throw new InvalidThresholdError('json: cannot unmarshal threshold: `abortOnFail` must be a boolean');
      }
      let delay: number | undefined;
      if (o.delayAbortEval !== undefined && o.delayAbortEval !== null) {
        try {
          delay = parseDuration(o.delayAbortEval);
        } catch (e) {
          throw new InvalidThresholdError((e as Error).message);
        }
      }
      return { threshold: (o.threshold as string) ?? '', abortOnFail: o.abortOnFail === true, delayAbortEval: delay };
    });
  }
  return out;
}

/** A threshold with its parsed expression and last evaluation result. */
export class Threshold {
  lastFailed = false;

  constructor(
    readonly source: string,
    readonly parsed: ThresholdExpression,
    readonly abortOnFail = false,
    /** ms */
    readonly delayAbortEval: number | undefined = undefined,
  ) {}

  /** A missing key means "no data yet": the threshold passes. */
  run(values: Readonly<Record<string, number>>): boolean {
    const lhs = values[sinkKey(this.parsed)];
    let passes = true;
    if (lhs !== undefined) {
      const v = this.parsed.value;
      switch (this.parsed.operator) {
        case '>':
          passes = lhs > v;
          break;
        case '>=':
          passes = lhs >= v;
          break;
        case '<=':
          passes = lhs <= v;
          break;
        case '<':
          passes = lhs < v;
          break;
        case '==':
        case '===':
          passes = lhs === v;
          break;
        case '!=':
          passes = lhs !== v;
          break;
      }
    }
    this.lastFailed = !passes;
    return passes;
  }
}

/** All thresholds of one metric or submetric (metrics.Thresholds). */
export class MetricThresholds {
  /** Sticky once set, as in k6. */
  abort = false;

  constructor(
    readonly metricName: string,
    readonly info: MetricInfo,
    readonly thresholds: Threshold[],
    readonly line: K6Line = DEFAULT_K6_LINE,
  ) {}

  /** The aggregates thresholds read from a sink (Thresholds.Run's "sinked" map). */
  sinkValues(sink: Sink, durationMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    switch (sink.type) {
      case 'counter':
        out.count = sink.value;
        // v1 divides even at t=0 (Inf/NaN); v2 leaves the key out so it passes.
        if (this.line === 'v1' || durationMs > 0) out.rate = sink.value / (msToNs(durationMs) / 1e9);
        break;
      case 'gauge':
        out.value = sink.value;
        break;
      case 'trend':
        out.min = sink.min;
        out.max = sink.max;
        out.avg = sink.avg();
        out.med = sink.p(0.5);
        for (const t of this.thresholds) {
          if (t.parsed.aggregationMethod !== 'p') continue;
          out[sinkKey(t.parsed)] = sink.p((t.parsed.aggregationValue ?? 0) / 100);
        }
        break;
      case 'rate':
        if (sink.total > 0) out.rate = sink.trues / sink.total; // no key (→ pass) without samples
        break;
    }
    return out;
  }

  /** Evaluate every threshold; true when all pass. `elapsedMs` is the test-run time so far. */
  run(sink: Sink, elapsedMs: number): boolean {
    const values = this.sinkValues(sink, elapsedMs);
    let ok = true;
    for (const t of this.thresholds) {
      if (t.run(values)) continue;
      ok = false;
      if (this.abort || !t.abortOnFail) continue;
      this.abort = t.delayAbortEval === undefined || t.delayAbortEval < elapsedMs;
    }
    return ok;
  }
}

/** Resolves a metric name (without submetric part) to its type; undefined = unknown. */
export type MetricRegistry = (name: string) => MetricInfo | undefined;

/**
 * Parse and validate all thresholds (k6 does this before the test starts):
 * bad syntax, unknown metrics, malformed submetrics or aggregations the metric
 * type lacks all throw InvalidThresholdError (exit 104) with k6's message.
 */
export function buildThresholds(
  config: Record<string, ThresholdConfig[]>,
  registry: MetricRegistry,
  line: K6Line = DEFAULT_K6_LINE,
): MetricThresholds[] {
  const out: MetricThresholds[] = [];
  for (const [metricName, list] of Object.entries(config)) {
    const thresholds = list.map((c) => {
      try {
        return new Threshold(c.threshold, parseThresholdExpression(c.threshold, line), c.abortOnFail, c.delayAbortEval);
      } catch (e) {
        throw new InvalidThresholdError((e as Error).message);
      }
    });
    let parsedName: string;
    try {
      parsedName = parseMetricName(metricName).name;
    } catch (e) {
      throw new InvalidThresholdError(`unable to validate threshold expressions; reason: ${(e as Error).message}`);
    }
    const info = registry(parsedName);
    if (!info) {
      throw new InvalidThresholdError(
        `invalid threshold defined on ${metricName}; reason: no metric name ${goQuote(metricName)} found`,
      );
    }
    for (const t of thresholds) {
      const supported = SUPPORTED[info.type];
      if (!supported.includes(t.parsed.aggregationMethod)) {
        throw new InvalidThresholdError(
          `invalid threshold ${goQuote(t.source)} applied on metric ${metricName}; reason: ` +
            `unsupported aggregation method ${t.parsed.aggregationMethod} on metric of type ${info.type}. ` +
            `supported aggregation methods for this metric are: ${supported.join(', ')}`,
        );
      }
    }
    try {
      splitSubmetricName(metricName); // what the metrics engine does when it creates the submetric
    } catch (e) {
      if (!(e instanceof MetricNameError)) throw e;
      throw new InvalidThresholdError(`invalid metric '${metricName}' in threshold definitions: ${e.message}`);
    }
    out.push(new MetricThresholds(metricName, info, thresholds, line));
  }
  return out;
}

/** A (sub)metric's thresholds together with its sink, as the engine holds them. */
export interface ThresholdedMetric {
  thresholds: MetricThresholds;
  sink: Sink;
}

/**
 * evaluateThresholds: every 2s during the run with ignoreEmptySinks=true,
 * once more at the end with false (so an empty Trend reads 0 and a Counter
 * count reads 0). Returns the crossed (sub)metric names, sorted, and whether
 * an abortOnFail threshold should stop the test.
 */
export function evaluateThresholds(
  metrics: readonly ThresholdedMetric[],
  elapsedMs: number,
  ignoreEmptySinks: boolean,
): { breached: string[]; shouldAbort: boolean } {
  const breached: string[] = [];
  let shouldAbort = false;
  for (const m of metrics) {
    if (m.thresholds.thresholds.length === 0 || (ignoreEmptySinks && m.sink.isEmpty())) continue;
    if (m.thresholds.run(m.sink, elapsedMs)) continue;
    breached.push(m.thresholds.metricName);
    if (m.thresholds.abort) shouldAbort = true;
  }
  breached.sort();
  return { breached, shouldAbort };
}

/** How often k6 evaluates thresholds during a run, ms. */
export const THRESHOLDS_EVALUATION_PERIOD_MS = 2_000;

/** The end-of-test failure (exit 99). */
export function thresholdsCrossedError(breached: readonly string[]): ExitCodeError {
  return new ExitCodeError(`thresholds on metrics '${breached.join(', ')}' have been crossed`, ExitCodes.ThresholdsHaveFailed);
}

/** The mid-test abortOnFail failure (exit 99). */
export function thresholdsAbortError(breached: readonly string[]): ExitCodeError {
  return new ExitCodeError(
    `thresholds on metrics '${breached.join(', ')}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
    ExitCodes.ThresholdsHaveFailed,
  );
}
