// The wave model: what a migration wave looks like as data. Schemas are the
// single source of truth; TS types are derived from them so a wave file and a
// built-in can never drift apart. Messages are phrased to follow a field path
// ("signups.total must be ...") because load.ts prints them that way.
import { z } from 'zod';
import { BASELINE_ACTIVITY, ENDPOINTS, NEWCOMER_ACTIVITY, type ActivityDefaults, type Endpoint } from './activity-defaults.js';
import { parseK6Duration } from './duration.js';

export { BASELINE_ACTIVITY, ENDPOINTS, NEWCOMER_ACTIVITY, type Endpoint };

function requiredOr(what: string) {
  return (iss: { input?: unknown }) => (iss.input === undefined ? `is required (${what})` : `must be ${what}`);
}

function positive(what = 'a positive number') {
  return z.number({ error: requiredOr(what) }).positive({ error: `must be ${what}` });
}

function nonNegative(what = 'a number, 0 or more') {
  return z.number({ error: requiredOr(what) }).min(0, { error: `must be ${what}` });
}

function fraction(what = 'a fraction between 0 and 1') {
  return z.number({ error: requiredOr(what) }).min(0, { error: `must be ${what}` }).max(1, { error: `must be ${what}` });
}

/**
 * Seconds, written either as a number of seconds or as a k6 duration string.
 * A bare numeric string is refused: k6 reads those as milliseconds, wave files
 * read numbers as seconds, and guessing would silently be off by 1000×.
 */
function seconds(allowZero: boolean) {
  const what = `${allowZero ? 'a number of seconds, 0 or more,' : 'a positive number of seconds'} or a duration like '24h'`;
  return z.unknown().transform((value, ctx): number => {
    let s = NaN;
    if (typeof value === 'number') s = value;
    else if (typeof value === 'string' && !/^\s*[\d.]+\s*$/.test(value)) s = parseK6Duration(value);
    if (Number.isFinite(s) && (allowZero ? s >= 0 : s > 0)) return s;
    ctx.issues.push({ code: 'custom', input: value, message: value === undefined ? `is required (${what})` : `must be ${what}` });
    return z.NEVER;
  });
}

function activitySchema(d: ActivityDefaults) {
  const perHour = () => nonNegative('a number of requests per person per hour, 0 or more');
  return z.strictObject({
    verifyCredentials: perHour().default(d.verifyCredentials),
    follows: perHour().default(d.follows),
    posts: perHour().default(d.posts),
    homeTimeline: perHour().default(d.homeTimeline),
    publicTimeline: perHour().default(d.publicTimeline),
    favourites: perHour().default(d.favourites),
    reblogs: perHour().default(d.reblogs),
    notifications: perHour().default(d.notifications),
    streamingShare: fraction('a fraction of active people between 0 and 1').default(d.streamingShare),
  });
}

export const newcomerActivitySchema = activitySchema(NEWCOMER_ACTIVITY);
export const baselineActivitySchema = activitySchema(BASELINE_ACTIVITY);
export type Activity = z.output<typeof newcomerActivitySchema>;

export const signupsSchema = z.strictObject({
  total: z
    .number({ error: requiredOr('a whole number of signups, 1 or more') })
    .int({ error: 'must be a whole number of signups, 1 or more' })
    .min(1, { error: 'must be a whole number of signups, 1 or more' }),
  // Left out, these scale with the wave's duration (see waveSchema's transform).
  peakAt: seconds(true).optional(),
  decay: seconds(false).optional(),
  // 2 = quadratic rise; larger is a later, steeper front.
  riseExponent: z.number({ error: requiredOr('a number from 1 to 8') }).min(1, { error: 'must be a number from 1 to 8' }).max(8, { error: 'must be a number from 1 to 8' }).default(2),
});

export const diurnalSchema = z.strictObject({
  // Peak-to-mean: 0.3 means the busiest hour runs 1.3× the daily mean, the quietest 0.7×.
  amplitude: fraction('a fraction between 0 and 1, 0 meaning no daily swing').default(0.3),
  // When the daily swing peaks, counted from the wave's t=0. 15h: t=0 taken as
  // 00:00 UTC, busiest when Europe's evening overlaps America's day.
  phase: seconds(true).default(15 * 3600),
  period: seconds(false).default(24 * 3600),
});

export const baselineSchema = z.strictObject({
  users: nonNegative('a number of existing users, 0 or more'),
  activity: baselineActivitySchema.prefault({}),
});

/** The object as written in a file (before defaults that depend on other fields). */
export const waveObjectSchema = z.strictObject({
  name: z
    .string({ error: requiredOr('a name of letters, digits, - and _') })
    .regex(/^[0-9a-zA-Z_-]+$/, { error: 'must use only letters, digits, - and _ (it doubles as a k6 scenario name)' }),
  description: z.string({ error: 'must be text' }).default(''),
  source: z.string({ error: 'must be text' }).default(''),
  duration: seconds(false),
  signups: signupsSchema,
  diurnal: diurnalSchema.prefault({}),
  newcomers: newcomerActivitySchema.prefault({}),
  retention: fraction('a fraction between 0 and 1, the share of newcomers still active at the end').default(0.56),
  // When `retention` is reached; defaults to the wave's end. The published 56 %
  // was measured two months after the peak, so a one-day wave that should not
  // lose 44 % of its newcomers by nightfall sets this to '60d'.
  retentionHorizon: seconds(false).optional(),
  baseline: baselineSchema.optional(),
  // Bookkeeping only: the product of compress() factors already applied to
  // every time and rate in this wave. Never multiply by it again.
  compression: positive().default(1),
});

export const waveSchema = waveObjectSchema
  .superRefine((w, ctx) => {
    if (w.signups.peakAt !== undefined && w.signups.peakAt > w.duration) {
      ctx.addIssue({
        code: 'custom',
        path: ['signups', 'peakAt'],
        input: w.signups.peakAt,
        message: `must not be later than duration (got ${w.signups.peakAt} s > ${w.duration} s)`,
      });
    }
  })
  .transform((w) => ({
    ...w,
    signups: {
      ...w.signups,
      // Defaults: the front takes the first twelfth, then an e-folding time of a third.
      peakAt: w.signups.peakAt ?? w.duration / 12,
      decay: w.signups.decay ?? w.duration / 3,
    },
    retentionHorizon: w.retentionHorizon ?? w.duration,
  }));

export type Wave = z.output<typeof waveSchema>;
export type WaveInput = z.input<typeof waveSchema>;
