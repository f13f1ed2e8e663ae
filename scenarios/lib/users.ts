// Deterministic synthetic newcomers. User n of seed s is the same person on
// every run, every VU and every k6 instance (random access: no state, no
// sequence to replay), so a rehearsal can be repeated exactly and a distributed
// run never signs the same person up twice. Pure: no k6 imports.

/** mulberry32: a tiny 32-bit PRNG, good enough for synthetic data; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes any number of 32-bit integers into one well-spread 32-bit hash (murmur3's finaliser per step). */
export function mix32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A hash of a short string, for folding namespaces into seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded generator for one purpose (e.g. one iteration), independent of every other. */
export function rngFor(seed: number, ...parts: number[]): () => number {
  return mulberry32(mix32(seed, ...parts));
}

export interface SyntheticUser {
  /** Position in its namespace; what makes the user unique for a seed. */
  index: number;
  username: string;
  email: string;
  password: string;
  /** The client's IP, sent as X-Forwarded-For; from 198.18.0.0/15 (RFC 2544 benchmarking). */
  ip: string;
  locale: string;
}

export interface UserOptions {
  /**
   * One lowercase letter per population (signup wave, activity cohort, …) so
   * two scenarios run with the same seed against one instance never collide.
   */
  namespace?: string;
  /** Domain of the synthetic addresses. Real Mastodon checks MX records: allow it with EMAIL_DOMAIN_ALLOWLIST. */
  emailDomain?: string;
  /**
   * How many distinct client IPs the population shares; 0 (default) gives
   * every user its own (unique for 131,070 consecutive indices).
   */
  clientIps?: number;
}

// RFC 2544's benchmarking block: never routed on the internet, so a forwarded
// address from it cannot be mistaken for (or blocked as) a real person's.
const IP_BASE = (198 << 24) + (18 << 16); // 198.18.0.0
export const IP_HOSTS = (1 << 17) - 2; // 198.18.0.1 … 198.19.255.254

const SYLLABLES = [
  'ka', 'lo', 'mi', 'ra', 'to', 'ne', 'sa', 'vi', 'do', 'le', 'mo', 'ri', 'fa', 'pe', 'zu', 'ba',
  'ko', 'li', 'na', 'ti', 'su', 'ge', 'ho', 'ja', 'wu', 'xi', 'de', 'ma', 'no', 'pi', 'ru', 'ye',
];
const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.';
const NAMESPACE = /^[a-z]$/;
const MAX_INDEX = 2 ** 31 - 1;

export function checkSeed(seed: number): void {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new RangeError(`seed must be a whole number from 0 to 4294967295 (got ${String(seed)})`);
  }
}

/** The client IP of user `index`: consecutive indices get consecutive (wrapping) hosts from a seed-chosen start. */
export function clientIp(seed: number, index: number, opts: { namespace?: string; clientIps?: number } = {}): string {
  const pool = opts.clientIps && opts.clientIps > 0 ? Math.min(opts.clientIps, IP_HOSTS) : IP_HOSTS;
  const start = mix32(seed, hashString(opts.namespace ?? 'u'), 0x1b) % IP_HOSTS;
  const host = (start + (index % pool)) % IP_HOSTS;
  const n = IP_BASE + 1 + host;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * User `index` of `seed`. The username is `<stem>_<ns><seed36>_<index36>`:
 * the stem is decoration, the two base-36 fields (no `_` in them) make it
 * unique per (namespace, seed, index); at most 25 characters of [a-z0-9_],
 * within Mastodon's 30, and never one of its reserved names.
 */
export function syntheticUser(seed: number, index: number, opts: UserOptions = {}): SyntheticUser {
  checkSeed(seed);
  if (!(Number.isInteger(index) && index >= 0 && index <= MAX_INDEX)) {
    throw new RangeError(`user index must be a whole number from 0 to ${MAX_INDEX} (got ${String(index)})`);
  }
  const ns = opts.namespace ?? 'u';
  if (!NAMESPACE.test(ns)) throw new RangeError(`user namespace must be one lowercase letter (got '${ns}')`);
  const rng = rngFor(seed, hashString(ns), index);
  const syllables = 2 + Math.floor(rng() * 3); // 2–4 syllables: a 4–8 letter stem
  let stem = '';
  for (let i = 0; i < syllables; i++) stem += SYLLABLES[Math.floor(rng() * SYLLABLES.length)];
  const username = `${stem}_${ns}${seed.toString(36)}_${index.toString(36)}`;
  let password = '';
  for (let i = 0; i < 20; i++) password += PASSWORD_ALPHABET[Math.floor(rng() * PASSWORD_ALPHABET.length)];
  const domain = opts.emailDomain ?? 'surge.test';
  return {
    index,
    username,
    email: `${username}@${domain}`,
    password,
    ip: clientIp(seed, index, { namespace: ns, ...(opts.clientIps !== undefined ? { clientIps: opts.clientIps } : {}) }),
    locale: 'en',
  };
}

const WORDS = [
  'hello', 'fediverse', 'just', 'arrived', 'from', 'the', 'bird', 'site', 'looking', 'for', 'people', 'who', 'like',
  'coffee', 'trains', 'knitting', 'rust', 'gardening', 'photography', 'maps', 'birds', 'jazz', 'cats', 'hiking',
  'this', 'place', 'feels', 'calm', 'so', 'far', 'any', 'tips', 'on', 'hashtags', 'and', 'follows', 'welcome', 'new',
];

/** A short synthetic post; deterministic for a given generator. */
export function postText(rng: () => number): string {
  const n = 6 + Math.floor(rng() * 14);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rng() * WORDS.length)]!);
  const tag = rng() < 0.3 ? ' #introduction' : '';
  return `${words.join(' ')}${tag}`;
}
