// Built-in waves as written, each anchored on a published figure from the 2022
// Twitter → Mastodon migration (docs: /work/shared/reference/waves.md). Where a
// shape parameter is a modelling choice rather than a figure, the comment says so.
// builtin-waves.json holds them after validation and defaults (npm run build:waves);
// a test keeps the two equal.
import type { WaveInput } from './model.js';

const DAY = 86_400;
const HOUR = 3_600;

// The published 56 % was measured about two months after the peak
// (~2.5 M monthly actives → ~1.4 M), hence the 60-day horizon.
const RETENTION = { retention: 0.56, retentionHorizon: 60 * DAY } as const;

export const BUILTIN_INPUTS: WaveInput[] = [
  {
    name: 'exodus-day-one',
    description:
      'Network-wide signups on the first day after the Twitter acquisition: a steep morning front, ~69 % of the day\'s signups by mid-day, then a slow decay under the daily swing. t=0 is 00:00 UTC.',
    source:
      "Mastodon's founder, public post, end of Oct 2022: 70,849 signups in one day, 49,215 of them by mid-day (waves.md, 'Other public figures'); 0.81/s average.",
    duration: DAY,
    // peakAt and amplitude are choices; decay was then fitted so that
    // cumulative(12 h) / total = 49,215 / 70,849 = 0.695.
    signups: { total: 70_849, peakAt: 2 * HOUR, decay: 8.55 * HOUR },
    diurnal: { amplitude: 0.3, phase: 15 * HOUR },
    ...RETENTION,
  },
  {
    name: 'peak-hour',
    description:
      'The busiest hour of the wave, network-wide: 10,000 signups in one hour (2.78/s average), rising for 10 minutes and barely easing. Too short for a daily swing.',
    source: "Migration tracker posts, 18 Nov 2022: more than 10,000 new users an hour on average, ~250,000 that day (waves.md, 'Other public figures').",
    duration: HOUR,
    signups: { total: 10_000, peakAt: 10 * 60, decay: 2 * HOUR },
    diurnal: { amplitude: 0 },
    ...RETENTION,
  },
  {
    name: 'mastodon-world-november',
    description:
      "One flagship instance's month: 120,000 signups over 30 days (1–30 Nov 2022), building to the network-wide peak of 18 Nov and decaying after it, with a strong daily swing. The smooth curve peaks near 0.26/s (~1,900 in the best 2 h); the admin's reported bursts of ~6,000 in under 2 h are spikes on top, replay them with peak-hour scaled to the instance.",
    source:
      "News report of 8 Feb 2023 citing Wired: mastodon.world grew from ~100 users, peaking in November 2022 with ~120,000 new users, ~49,000 active by early Feb 2023; admin posts: ~6,000 signups in under 2 h at peaks (waves.md).",
    duration: 30 * DAY,
    // Peak on day 17 (18 Nov, the network-wide peak); a quartic front keeps the
    // early weeks modest, as mastodon.world only took off in November.
    signups: { total: 120_000, peakAt: 17 * DAY, decay: 4 * DAY, riseExponent: 4 },
    diurnal: { amplitude: 0.5, phase: 15 * HOUR },
    ...RETENTION,
  },
  {
    name: 'mas-to-steady',
    description:
      'An everyday day on a large settled instance: 40,000 existing users with ordinary activity and a trickle of signups (~10 an hour, an assumption), under a daily swing. The control run to compare waves against.',
    source:
      'News report of 8 Feb 2023 citing Wired: mas.to had ~67,000 users in mid-Dec 2022 and ~40,000 by Feb 2023, on ~USD 1,200 a month (waves.md); streaming share from Mastodon scaling docs (50k accounts → 800–1,200 connections).',
    duration: DAY,
    // No front and a month-long decay: an almost flat trickle.
    signups: { total: 240, peakAt: 0, decay: 30 * DAY },
    diurnal: { amplitude: 0.3, phase: 15 * HOUR },
    baseline: { users: 40_000 },
    ...RETENTION,
  },
];

