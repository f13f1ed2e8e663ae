import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

// run.json: what a rehearsal was (target, wave, sizing, phases), written next
// to series.json so a report can be rebuilt later without any service. It
// holds no token, password or URL credentials.

const num = z.number().finite();
export const runMetaSchema = z.strictObject({
  schemaVersion: z.literal(1),
  startedAt: z.string(),
  endedAt: z.string(),
  partial: z.boolean(),
  partialReason: z.string().optional(),
  target: z.strictObject({ kind: z.enum(['standin', 'url']), label: z.string() }),
  engine: z.enum(['node', 'k6']),
  wave: z.strictObject({
    name: z.string(), total: num, durationSec: num, compression: num, scale: num, realDurationSec: num, realPeakSignupRate: num,
  }),
  sizing: z.strictObject({ webConcurrency: num, maxThreads: num, sidekiqConcurrency: num, dbPool: num.nullable() }),
  limits: z.strictObject({ pgMaxConnections: num.optional(), webCpuCores: num.optional(), redisMaxMemoryBytes: num.optional() }),
  scrapeIntervalSec: num,
  phases: z.array(
    z.strictObject({
      name: z.enum(['breakpoint', 'wave']),
      kind: z.enum(['stepped', 'ramping', 'wave']),
      startSec: num,
      endSec: num,
      steps: z.array(z.strictObject({ startSec: num, endSec: num, rate: num })).optional(),
    }),
  ),
});
export type RunMeta = z.output<typeof runMetaSchema>;

export const RUN_FILE = 'run.json';

export async function writeRunMeta(dir: string, meta: RunMeta): Promise<void> {
  await writeFile(join(dir, RUN_FILE), `${JSON.stringify(runMetaSchema.parse(meta), null, 2)}\n`);
}

export async function readRunMeta(dir: string): Promise<RunMeta> {
  const file = join(dir, RUN_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found: is this a run folder?' : (err as Error).message}`);
  }
  const r = runMetaSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}
