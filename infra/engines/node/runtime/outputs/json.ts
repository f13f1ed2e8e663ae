// `--out json=FILE` (k6 internal/output/json): one JSON object per line; a
// `Metric` line the first time a metric is seen, then `Point` lines.

import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { formatDuration } from '../../duration.js';
import type { ThresholdConfig } from '../../thresholds.js';
import type { Metric, Sample } from '../metrics.js';

/** Go's time.Time JSON form: RFC3339 with up to 9 fraction digits, local offset. */
export function goTimeJSON(epochMs: number, tzOffsetMin = -new Date(epochMs).getTimezoneOffset()): string {
  const local = new Date(Math.floor(epochMs) + tzOffsetMin * 60_000);
  const iso = local.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ (shifted to local)
  const base = iso.slice(0, 19);
  const nanos = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6);
  let frac = String(Math.min(nanos, 999_999_999)).padStart(9, '0').replace(/0+$/, '');
  frac = frac === '' ? '' : `.${frac}`;
  let zone = 'Z';
  if (tzOffsetMin !== 0) {
    const sign = tzOffsetMin > 0 ? '+' : '-';
    const a = Math.abs(tzOffsetMin);
    zone = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }
  return `${base}${frac}${zone}`;
}

function sortedTags(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k]!;
  return out;
}

function thresholdJSON(t: ThresholdConfig): unknown {
  if (!t.abortOnFail) return t.threshold;
  return {
    threshold: t.threshold,
    abortOnFail: true,
    delayAbortEval: t.delayAbortEval === undefined ? null : formatDuration(t.delayAbortEval),
  };
}

export class JSONOutput {
  private readonly seen = new Set<string>();
  private readonly file: WriteStream;
  private readonly out: WriteStream | Gzip;

  constructor(
    readonly filename: string,
    private readonly thresholds: Record<string, ThresholdConfig[]>,
  ) {
    this.file = createWriteStream(filename, { highWaterMark: 1 << 20 });
    if (filename.endsWith('.gz')) {
      const gz = createGzip();
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
  }

  private metricLine(m: Metric): string {
    const ths = this.thresholds[m.name];
    const data = {
      name: m.name,
      type: m.type,
      contains: m.contains,
      thresholds: (ths ?? []).map(thresholdJSON),
      submetrics:
        m.submetrics.length === 0
          ? null
          : m.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: sortedTags(s.filter) })),
    };
    return JSON.stringify({ type: 'Metric', data, metric: m.name });
  }

  readonly onSample = (s: Sample): void => {
    const m = s.metric;
    let lines = '';
    if (!this.seen.has(m.name)) {
      this.seen.add(m.name);
      lines += `${this.metricLine(m)}\n`;
    }
    const data: Record<string, unknown> = { time: goTimeJSON(s.time), value: s.value, tags: sortedTags(s.tags) };
    if (s.metadata && Object.keys(s.metadata).length > 0) data.metadata = s.metadata;
    lines += `${JSON.stringify({ metric: m.name, type: 'Point', data })}\n`;
    this.out.write(lines);
  };

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.file.once('error', reject);
      this.file.once('finish', () => resolve());
      this.out.end();
    });
  }
}
