// What a run asks of an engine, in k6's own terms, whichever engine serves it.

export interface RunOptions {
  /** Path of the bundled scenario (dist/k6/<name>.js). */
  script: string;
  /** `-e KEY=VALUE` pairs, visible to the script as __ENV. */
  env: Record<string, string>;
  vus?: number;
  duration?: string;
  iterations?: number;
  /** `--stage 30s:10` (repeatable), as k6 writes them. */
  stages?: string[];
  /** `--summary-trend-stats avg,p(99)`. */
  summaryTrendStats?: string[];
  summaryExport?: string;
  /** `--out json=FILE` */
  outJson?: string;
  /** Test-wide tags (`--tag k=v`), e.g. testid. */
  tags: Record<string, string>;
  executionSegment?: string;
  executionSegmentSequence?: string;
  quiet?: boolean;
  noThresholds?: boolean;
  /** Remote write to a Prometheus, as `--out experimental-prometheus-rw`. */
  prometheusRw?: { url: string; trendStats: string[]; pushInterval?: string };
}
