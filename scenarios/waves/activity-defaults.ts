// What each kind of user does per hour, as plain data with no schema library:
// k6 bundles import it, and every VU pays for what a bundle contains.

/** Request kinds a newcomer (or an existing user) generates; streaming is a share, not a rate. */
export const ENDPOINTS = [
  'verifyCredentials',
  'follows',
  'posts',
  'homeTimeline',
  'publicTimeline',
  'favourites',
  'reblogs',
  'notifications',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

const ACTIVITY_KEYS = [...ENDPOINTS, 'streamingShare'] as const;
export type ActivityDefaults = Record<(typeof ACTIVITY_KEYS)[number], number>;

// Per active person per hour, averaged over a day (the diurnal swing is applied
// on top). These are assumptions, not published figures: the only anchor is
// hachyderm's "load came from the new users' activity, not the signups", so
// newcomers follow, read and poll far more than settled users.
export const NEWCOMER_ACTIVITY: ActivityDefaults = {
  verifyCredentials: 2,
  follows: 3,
  posts: 0.4,
  homeTimeline: 8,
  publicTimeline: 3,
  favourites: 2,
  reblogs: 0.5,
  notifications: 4,
  // Newcomers keep the web UI open while exploring; settled users' 2 % is below.
  streamingShare: 0.1,
};

// Everyday users, averaged over all accounts (most are idle at any hour).
// streamingShare 0.02 is from Mastodon's scaling docs: 50k accounts with
// 10–20k monthly actives ≈ 800–1,200 concurrent streaming connections.
export const BASELINE_ACTIVITY: ActivityDefaults = {
  verifyCredentials: 0.5,
  follows: 0.05,
  posts: 0.1,
  homeTimeline: 3,
  publicTimeline: 0.3,
  favourites: 0.6,
  reblogs: 0.15,
  notifications: 1,
  streamingShare: 0.02,
};

