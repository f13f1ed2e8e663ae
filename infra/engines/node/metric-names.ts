// Metric and submetric names (k6 metrics/metric.go, metrics/builtin.go).

import { goQuote } from './gofmt.js';
import type { MetricType, ValueType } from './stats/sinks.js';

export interface MetricInfo {
  type: MetricType;
  contains: ValueType;
}

/** k6's built-in metrics and their types. */
export const BUILTIN_METRICS: Readonly<Record<string, MetricInfo>> = {
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
  iterations: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  checks: { type: 'rate', contains: 'default' },
  group_duration: { type: 'trend', contains: 'time' },
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_failed: { type: 'rate', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  ws_sessions: { type: 'counter', contains: 'default' },
  ws_msgs_sent: { type: 'counter', contains: 'default' },
  ws_msgs_received: { type: 'counter', contains: 'default' },
  ws_ping: { type: 'trend', contains: 'time' },
  ws_session_duration: { type: 'trend', contains: 'time' },
  ws_connecting: { type: 'trend', contains: 'time' },
  grpc_req_duration: { type: 'trend', contains: 'time' },
  data_sent: { type: 'counter', contains: 'data' },
  data_received: { type: 'counter', contains: 'data' },
};

/** Custom metric names (k6/metrics constructors). */
export const CUSTOM_METRIC_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

export class MetricNameError extends Error {}

const PARSE_ERR = 'parsing metric name failed';

/**
 * ParseMetricName: `name{k:v,...}` → the name and the raw `k:v` parts
 * (trimmed). Plain names return no tags.
 */
export function parseMetricName(name: string): { name: string; tags: string[] | undefined } {
  const open = name.indexOf('{');
  const close = name.lastIndexOf('}');
  if (open === -1 && close === -1) return { name, tags: undefined };
  if (open === -1 || close === -1) {
    throw new MetricNameError(`${PARSE_ERR}, metric ${goQuote(name)} has unmatched opening/close curly brace`);
  }
  if (close < open) {
    throw new MetricNameError(`${PARSE_ERR}, metric ${goQuote(name)} closing curly brace appears before opening one`);
  }
  if (close !== name.length - 1) {
    throw new MetricNameError(`${PARSE_ERR}, metric ${goQuote(name)} lacks a closing curly brace in its last position`);
  }
  const tags = name.slice(open + 1, close).split(',');
  tags.forEach((t, i) => {
    const colon = t.indexOf(':');
    if (colon < 0 || t.slice(colon + 1) === '') {
      throw new MetricNameError(`${PARSE_ERR}, metric ${goQuote(t)} tag expression is malformed`);
    }
    tags[i] = t.trim();
  });
  return { name: name.slice(0, open), tags };
}

const trimQuotes = (s: string) => s.trim().replace(/^["']+|["']+$/g, '');

/**
 * Metric.AddSubmetric's tag filter: split on commas, cut on the first colon,
 * trim, strip `'`/`"` from both ends of keys and values.
 */
export function parseSubmetricTags(keyValues: string): Record<string, string> {
  const kvs = keyValues.trim();
  if (kvs.length === 0) throw new MetricNameError('submetric criteria cannot be empty');
  const tags: Record<string, string> = {};
  for (const kv of kvs.split(',')) {
    if (kv === '') continue;
    const colon = kv.indexOf(':');
    const key = trimQuotes(colon < 0 ? kv : kv.slice(0, colon));
    const v = colon < 0 ? '' : kv.slice(colon + 1);
    tags[key] = v === '' ? '' : trimQuotes(v);
  }
  return tags;
}

/** A sample feeds a submetric when its tags include every filter tag. */
export function matchesSubmetric(filter: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(filter)) if (tags[k] !== v) return false;
  return true;
}

/** Split `metric{filter}` for sink routing; `suffix` is the raw text between the braces, trimmed. */
export function splitSubmetricName(fullName: string): { parent: string; suffix?: string; tags?: Record<string, string> } {
  const open = fullName.indexOf('{');
  if (open < 0) return { parent: fullName };
  if (!fullName.endsWith('}')) {
    throw new MetricNameError("missing ending bracket, sub-metric format needs to be 'metric{key:value}'");
  }
  const suffix = fullName.slice(open + 1, -1).trim();
  return { parent: fullName.slice(0, open), suffix, tags: parseSubmetricTags(suffix) };
}
