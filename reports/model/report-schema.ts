// The shape of report.json, as a zod schema: the contract between the model,
// the renderers and `surge report`, which validates files it did not write.
// Objects are strict so drift between model and schema fails a test instead
// of silently dropping a field; numbers must be finite (JSON has no Infinity).
// Bump REPORT_SCHEMA_VERSION's major on any change a reader would trip on.
import { z } from 'zod';

export const REPORT_SCHEMA_VERSION = '1.0';

const n = z.number();
const nn = z.number().nullable();
const text = z.string();

const finding = z.strictObject({
  resource: text,
  name: text,
  kind: z.enum(['capacity', 'limit']),
  firstAt: n,
  offeredRate: nn,
  value: n,
  threshold: n,
  evidence: text,
  advice: text,
});

const sloVerdict = z.strictObject({
  id: text,
  name: text,
  objective: text,
  threshold: n,
  unit: z.enum(['seconds', 'ratio']),
  observed: nn,
  pass: z.boolean().nullable(),
  evidence: z.strictObject({ from: n, to: n, worstAt: nn, firstViolationAt: nn, violatedSec: n, text }),
});

const breakWindow = z.strictObject({
  start: n,
  end: n,
  rate: n,
  credited: z.boolean(),
  throughput: nn,
  latencyP95: nn,
  concurrency: nn,
  violated: z.array(text),
  brokeAt: nn,
});

const usl = z.strictObject({
  lambda: n,
  sigma: n,
  kappa: n,
  r2: nn,
  peakConcurrency: nn,
  maxThroughput: nn,
  points: z.number().int(),
  model: z.enum(['usl', 'amdahl', 'single-point']),
});

const projection = z.strictObject({
  wave: z.strictObject({
    name: text,
    peakSignupRate: n,
    signupsPerDay: n,
    totalSignups: n,
    activeUsers: n,
    retainedUsers: n,
    totalAccounts: n,
    requestsPerUserHour: n,
    postsPerUserHour: n,
    streamingShare: n,
  }),
  load: z.strictObject({ signupRequestRate: n, activityRequestRate: n, requestRate: n, streamingConnections: n }),
  web: z.strictObject({ processes: z.number().int().positive(), threadsPerProcess: z.number().int().positive(), threads: n, byCapacity: nn, byCpu: nn, basis: text }),
  sidekiq: z.strictObject({
    queues: z.array(
      z.strictObject({ queue: text, jobRate: n, jobSeconds: n, busyThreads: n, threads: z.number().int(), basis: z.enum(['measured', 'assumed']) }),
    ),
    threads: n,
    threadsPerProcess: n,
    processes: z.number().int(),
    mailersProcesses: z.number().int(),
  }),
  streaming: z.strictObject({ connections: n, processes: z.number().int() }),
  database: z.strictObject({
    dbPool: z.strictObject({ web: n, sidekiq: n }),
    connections: z.strictObject({ web: n, sidekiq: n, streaming: n, total: n }),
    maxConnections: z.strictObject({ required: n, current: n, mustRaise: z.boolean() }),
  }),
  redis: z.strictObject({ feedBytes: n, baseBytes: n, totalBytes: n }),
  storage: z.strictObject({ statusesPerDay: n, bytesPerDay: n, gbPerMonth: n }),
  mail: z.strictObject({ perDay: n, perMonth: n }),
  resources: z.strictObject({
    components: z.array(z.strictObject({ component: text, vcpu: n, ramGb: n })),
    vcpu: n,
    ramGb: n,
    storageGb: n,
  }),
  cost: z.strictObject({
    currency: text,
    monthly: n,
    breakdown: z.strictObject({ compute: n, memory: n, storage: n, mail: n }),
    perUserMonth: z.strictObject({ low: n, high: n }),
    source: text,
  }),
  anchor: z.strictObject({
    name: text,
    monthlyUsd: n,
    users: z.strictObject({ low: n, high: n }),
    perUserMonthUsd: z.strictObject({ low: n, high: n }),
    comparison: z.enum(['below', 'within', 'above', 'not-comparable']),
    text,
  }),
  changes: z.array(text),
  assumptions: z.array(z.strictObject({ name: text, value: z.union([n, z.record(z.string(), n)]), basis: text })),
  notes: z.array(text),
  summary: text,
});

export const reportSchema = z
  .strictObject({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    generatedAt: z.string().nullable(),
    target: z
      .strictObject({ kind: z.enum(['standin', 'mastodon', 'url']), label: text.min(1) })
      .refine((t) => t.kind !== 'standin' || /stand-in/i.test(t.label), {
        error: 'a stand-in target must be labelled "stand-in" so its numbers are not taken for a real instance',
        path: ['label'],
      }),
    wave: z.strictObject({
      name: text,
      totalSignups: n,
      durationSec: n,
      realDurationSec: n,
      compression: n,
      peakSignupRate: n,
      realPeakSignupRate: n,
      retention: n,
      baselineUsers: n,
      newcomerActivity: z.record(z.string(), n),
      streamingShare: n,
    }),
    sizing: z.strictObject({
      webConcurrency: n,
      maxThreads: n,
      sidekiqConcurrency: n,
      sidekiqProcesses: n,
      dbPool: nn,
      streamingProcesses: n,
    }),
    slos: z.strictObject({
      window: z.strictObject({ from: n, to: n, basis: text }),
      verdicts: z.array(sloVerdict),
      pass: z.boolean(),
      unmeasured: z.array(text),
    }),
    breakingPoint: z.strictObject({
      status: z.enum(['broke', 'did-not-break', 'broke-at-start', 'not-measured']),
      rateUnit: text,
      phase: z.strictObject({ name: text, startSec: n, endSec: n, shape: z.enum(['stepped', 'ramping']) }).nullable(),
      sustainedRate: nn,
      maxOfferedRate: nn,
      brokeAt: z.strictObject({ t: n, rate: n, violated: z.array(text), names: z.array(text) }).nullable(),
      knee: z.strictObject({ throughput: n, latencyP95: n, rate: n, t: n, score: n }).nullable(),
      windows: z.array(breakWindow),
      summary: text,
    }),
    bottleneck: z.strictObject({
      first: finding.nullable(),
      findings: z.array(finding),
      notChecked: z.array(text),
      summary: text,
    }),
    scalability: z.strictObject({ fit: usl.nullable(), concurrencySource: z.enum(['measured', 'none']), note: text }),
    interference: z.strictObject({ phases: z.array(z.strictObject({ name: text, neighbourCpuShare: n })), warning: text.nullable() }),
    projection: projection.nullable(),
    verdict: text.min(1),
    partial: z.boolean(),
    partialReason: z.string().min(1).nullable(),
  })
  .refine((r) => r.partial === (r.partialReason !== null), {
    error: 'partialReason must be given exactly when partial is true',
    path: ['partialReason'],
  });

export type Report = z.output<typeof reportSchema>;
