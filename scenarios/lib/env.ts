// The environment contract of the scenarios: every knob is an __ENV variable
// (`k6 run -e NAME=value`, or the process environment), read once in the init
// context. All problems are collected and thrown together as one error, so a
// wrong invocation fails before any VU starts with a message naming each
// variable and what to write instead. Pure: takes the env object, no k6 imports.
import { parseK6Duration } from '../waves/duration.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface NumberRule {
  min?: number;
  /** Strictly greater than this. */
  above?: number;
  max?: number;
  integer?: boolean;
  what: string;
}

/** Reads typed values from an env object, collecting one message per bad variable. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined || v === null) return undefined;
    const t = String(v).trim();
    return t === '' ? undefined : t;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** An http(s) base URL without a trailing slash; `required` names what it is for. */
  url(name: string, required: string | false): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (required) this.problem(`${name} is required (${required})`);
      return undefined;
    }
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i.test(v)) {
      this.problem(`${name} must be an http:// or https:// URL without query, e.g. http://127.0.0.1:3000 (got '${v}')`);
      return undefined;
    }
    return v.replace(/\/+$/, '');
  }

  number(name: string, fallback: number, rule: NumberRule): number;
  number(name: string, fallback: undefined, rule: NumberRule): number | undefined;
  number(name: string, fallback: number | undefined, rule: NumberRule): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : NaN;
    const ok =
      Number.isFinite(n) &&
      (rule.integer ? Number.isInteger(n) : true) &&
      (rule.min === undefined || n >= rule.min) &&
      (rule.above === undefined || n > rule.above) &&
      (rule.max === undefined || n <= rule.max);
    if (!ok) {
      this.problem(`${name} must be ${rule.what} (got '${v}')`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const l = v.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(l)) return true;
    if (['0', 'false', 'no', 'off'].includes(l)) return false;
    this.problem(`${name} must be true or false (got '${v}')`);
    return fallback;
  }

  /**
   * Seconds from a k6 duration ('90s', '10m', '1h30m', '500ms'). A bare
   * number is refused: k6 reads those as milliseconds, people mean seconds.
   */
  seconds(name: string, fallback: number, positive?: boolean): number;
  seconds(name: string, fallback: undefined, positive?: boolean): number | undefined;
  seconds(name: string, fallback: number | undefined, positive = true): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const s = /^[\d.]+$/.test(v) ? NaN : parseK6Duration(v);
    if (!(Number.isFinite(s) && (positive ? s > 0 : s >= 0))) {
      this.problem(`${name} must be a duration with a unit, like '30s', '10m' or '1h30m' (got '${v}')`);
      return fallback;
    }
    return s;
  }

  oneOf<T extends string>(name: string, fallback: T, values: readonly T[]): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.problem(`${name} must be one of ${values.join(', ')} (got '${v}')`);
    return fallback;
  }

  /** Throws one ConfigError listing every problem, if any. */
  finish(scenario: string): void {
    if (this.problems.length === 0) return;
    throw new ConfigError(`${scenario}: invalid environment: ${this.problems.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------
// Pieces shared by several scenarios.

export interface TargetConfig {
  /** The instance, e.g. http://127.0.0.1:41234 (the stand-in) or https://mastodon.example. */
  baseUrl: string;
  /** A Mailpit(-shaped) HTTP API that receives the instance's mail; optional only for signup-wave. */
  mailApiUrl: string | undefined;
  /** X-Forwarded-Proto sent with every request ('' = none). Puma behind nginx needs https. */
  forwardedProto: string;
}

export interface UsersConfig {
  seed: number;
  /** Added to every user index, to run again against the same instance without collisions. */
  userOffset: number;
  emailDomain: string;
  /** Distinct client IPs shared by the population; 0 = one per user. */
  clientIps: number;
  /** Sent as date_of_birth at signup (Mastodon ≥ 4.4 requires it when the admin set a minimum age). */
  dateOfBirth: string | undefined;
}

export interface MailConfig {
  timeoutS: number;
  pollS: number;
}

export interface SloConfig {
  p95Ms: number;
  p99Ms: number;
  errorRate: number;
  signupP95Ms: number;
}

export interface WaveSelection {
  /** Built-in wave name; ignored when `json` is set. */
  name: string;
  /** A whole Wave as JSON (what the CLI's loadWave returns), for wave files. */
  json: string | undefined;
  /** Time compression factor; undefined when `durationS` decides it. */
  compress: number | undefined;
  /** Wall-clock length to play the whole wave in (sets the compression). */
  durationS: number | undefined;
  scale: number;
}

export function readTarget(r: EnvReader, mail: 'required' | 'optional'): TargetConfig {
  const baseUrl = r.url('BASE_URL', "the instance's base URL, e.g. the stand-in's baseUrl from `surge up standin`") ?? '';
  const mailApiUrl = r.url(
    'MAIL_API_URL',
    mail === 'required' ? 'the Mailpit API that receives the confirmation mails, e.g. the stand-in\'s mailApiUrl' : false,
  );
  const proto = r.string('FORWARDED_PROTO', 'https');
  return { baseUrl, mailApiUrl, forwardedProto: proto === 'none' ? '' : proto };
}

export function readUsers(r: EnvReader): UsersConfig {
  return {
    seed: r.number('SEED', 1, { min: 0, max: 0xffffffff, integer: true, what: 'a whole number from 0 to 4294967295' }),
    userOffset: r.number('USER_OFFSET', 0, { min: 0, max: 2 ** 30, integer: true, what: 'a whole number, 0 or more' }),
    emailDomain: emailDomain(r),
    clientIps: r.number('CLIENT_IPS', 0, { min: 0, integer: true, what: 'a whole number of distinct client IPs (0 = one per user)' }),
    dateOfBirth: dateOfBirth(r),
  };
}

function dateOfBirth(r: EnvReader): string | undefined {
  const v = r.raw('DATE_OF_BIRTH');
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    r.problem(`DATE_OF_BIRTH must be a date like 1990-01-31 (got '${v}')`);
    return undefined;
  }
  return v;
}

function emailDomain(r: EnvReader): string {
  const d = r.string('EMAIL_DOMAIN', 'surge.test').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(d)) {
    r.problem(`EMAIL_DOMAIN must be a domain name like surge.test (got '${d}')`);
    return 'surge.test';
  }
  return d;
}

export function readMail(r: EnvReader): MailConfig {
  return {
    timeoutS: r.seconds('MAIL_TIMEOUT', 60),
    pollS: r.seconds('MAIL_POLL', 0.5),
  };
}

export function readSlo(r: EnvReader): SloConfig {
  const ms = { above: 0, what: 'a positive number of milliseconds' };
  return {
    p95Ms: r.number('SLO_P95_MS', 500, ms),
    p99Ms: r.number('SLO_P99_MS', 1000, ms),
    errorRate: r.number('SLO_ERROR_RATE', 0.01, { min: 0, max: 1, what: 'a fraction between 0 and 1' }),
    signupP95Ms: r.number('SLO_SIGNUP_P95_MS', 30_000, ms),
  };
}

export function readWaveSelection(r: EnvReader, defaultWave: string): WaveSelection {
  const factor = { above: 0, what: 'a number greater than 0' };
  const compress = r.number('COMPRESS', undefined, factor);
  const durationS = r.seconds('DURATION', undefined);
  if (compress !== undefined && durationS !== undefined) {
    r.problem('COMPRESS and DURATION both set: give one (DURATION=10m plays the whole wave in 10 minutes, i.e. picks COMPRESS for you)');
  }
  const name = r.string('WAVE', defaultWave);
  if (!/^[0-9a-zA-Z_-]+$/.test(name)) r.problem(`WAVE must be a built-in wave name (got '${name}'); pass a wave file's content as WAVE_JSON`);
  return { name, json: r.raw('WAVE_JSON'), compress, durationS, scale: r.number('SCALE', 1, factor) };
}

function readVuOverrides(r: EnvReader): { preAllocatedVUs: number | undefined; maxVUs: number | undefined } {
  const vus = { min: 1, integer: true, what: 'a whole number of VUs, 1 or more' };
  const preAllocatedVUs = r.number('PRE_ALLOCATED_VUS', undefined, vus);
  const maxVUs = r.number('MAX_VUS', undefined, vus);
  if (preAllocatedVUs !== undefined && maxVUs !== undefined && maxVUs < preAllocatedVUs) {
    r.problem(`MAX_VUS (${maxVUs}) must be at least PRE_ALLOCATED_VUS (${preAllocatedVUs})`);
  }
  return { preAllocatedVUs, maxVUs };
}

function scopes(r: EnvReader, name: string, fallback: string): string {
  const v = r.string(name, fallback);
  if (!/^[a-z:]+( [a-z:]+)*$/.test(v)) r.problem(`${name} must be space-separated OAuth scopes like 'read write follow' (got '${v}')`);
  return v;
}

// ---------------------------------------------------------------------------
// One reader per scenario.

export interface SignupWaveConfig {
  target: TargetConfig;
  users: UsersConfig;
  mail: MailConfig;
  slo: SloConfig;
  wave: WaveSelection;
  /** Seconds one signup is expected to take; sizes the VU pool by Little's law. */
  expectedIterationS: number;
  preAllocatedVUs: number | undefined;
  maxVUs: number | undefined;
  /** 429s from sign-up throttles count as expected (a throttle rehearsal), not failures. */
  expectThrottles: boolean;
  appScopes: string;
  tokenScope: string;
}

export function readSignupWaveConfig(env: Env): SignupWaveConfig {
  const r = new EnvReader(env);
  const target = readTarget(r, 'optional');
  const users = readUsers(r);
  const cfg: SignupWaveConfig = {
    target,
    users,
    mail: readMail(r),
    slo: readSlo(r),
    wave: readWaveSelection(r, 'exodus-day-one'),
    expectedIterationS: r.seconds('EXPECTED_ITERATION', target.mailApiUrl ? 4 : 1.5),
    ...readVuOverrides(r),
    expectThrottles: r.bool('EXPECT_THROTTLES', users.clientIps > 0),
    appScopes: scopes(r, 'APP_SCOPES', 'read write follow push'),
    tokenScope: scopes(r, 'TOKEN_SCOPE', 'write'),
  };
  r.finish('signup-wave');
  return cfg;
}

export interface CohortConfig {
  /** Fixed cohort size; undefined = sized from the load so no throttle is hit. */
  size: number | undefined;
  /** Largest cohort setup() may create when sizing it automatically. */
  max: number;
  /** Signups setup() runs at once. */
  setupConcurrency: number;
}

function readCohort(r: EnvReader, defaultMax: number): CohortConfig {
  return {
    size: r.number('COHORT_SIZE', undefined, { min: 1, max: 100_000, integer: true, what: 'a whole number of users from 1 to 100000' }),
    max: r.number('COHORT_MAX', defaultMax, { min: 1, max: 100_000, integer: true, what: 'a whole number of users from 1 to 100000' }),
    setupConcurrency: r.number('SETUP_CONCURRENCY', 8, { min: 1, max: 256, integer: true, what: 'a whole number from 1 to 256' }),
  };
}

export interface ActivityConfig {
  target: TargetConfig;
  users: UsersConfig;
  mail: MailConfig;
  slo: SloConfig;
  wave: WaveSelection;
  cohort: CohortConfig;
  /** Share of timeline reads that scroll to the next page (max_id), counted by the paging throttle. */
  pageProb: number;
  pageLimit: number;
  expectedIterationS: number;
  preAllocatedVUs: number | undefined;
  maxVUs: number | undefined;
  /** Most user streams (WebSockets) held at once; 0 leaves streaming out. */
  streamsMax: number;
  /** How long a newcomer keeps a stream open before reconnecting. */
  streamHoldS: number;
}

/** A session posts a quarter of the way in and gives the post the rest of the hold to arrive. */
const MIN_STREAM_HOLD_S = 5;

export function readActivityConfig(env: Env): ActivityConfig {
  const r = new EnvReader(env);
  const cfg: ActivityConfig = {
    target: readTarget(r, 'required'),
    users: readUsers(r),
    mail: readMail(r),
    slo: readSlo(r),
    wave: readWaveSelection(r, 'exodus-day-one'),
    cohort: readCohort(r, 500),
    pageProb: r.number('PAGE_PROB', 0.2, { min: 0, max: 1, what: 'a fraction between 0 and 1' }),
    pageLimit: r.number('PAGE_LIMIT', 20, { min: 1, max: 40, integer: true, what: 'a whole number from 1 to 40 (Mastodon caps timelines at 40)' }),
    expectedIterationS: r.seconds('EXPECTED_ITERATION', 0.5),
    ...readVuOverrides(r),
    streamsMax: r.number('STREAMS_MAX', 200, { min: 0, max: 100_000, integer: true, what: 'a whole number of connections from 0 to 100000' }),
    streamHoldS: r.seconds('STREAM_HOLD', 60),
  };
  if (cfg.streamHoldS < MIN_STREAM_HOLD_S) r.problem(`STREAM_HOLD must be at least ${MIN_STREAM_HOLD_S}s (a session posts a quarter in and waits the rest for its post to arrive)`);
  r.finish('newcomer-activity');
  return cfg;
}

export interface TimelineReadConfig {
  target: TargetConfig;
  users: UsersConfig;
  mail: MailConfig;
  slo: SloConfig;
  cohort: CohortConfig;
  /** Home timeline reads per second. */
  rate: number;
  durationS: number;
  pageProb: number;
  pageLimit: number;
  followsPerUser: number;
  postsPerUser: number;
  expectedIterationS: number;
  preAllocatedVUs: number | undefined;
  maxVUs: number | undefined;
}

export function readTimelineReadConfig(env: Env): TimelineReadConfig {
  const r = new EnvReader(env);
  const cfg: TimelineReadConfig = {
    target: readTarget(r, 'required'),
    users: readUsers(r),
    mail: readMail(r),
    slo: readSlo(r),
    cohort: readCohort(r, 500),
    rate: r.number('RATE', 10, { above: 0, what: 'a positive number of reads per second' }),
    durationS: r.seconds('DURATION', 60),
    pageProb: r.number('PAGE_PROB', 0.2, { min: 0, max: 1, what: 'a fraction between 0 and 1' }),
    pageLimit: r.number('PAGE_LIMIT', 20, { min: 1, max: 40, integer: true, what: 'a whole number from 1 to 40 (Mastodon caps timelines at 40)' }),
    followsPerUser: r.number('FOLLOWS_PER_USER', 5, { min: 0, max: 100, integer: true, what: 'a whole number from 0 to 100' }),
    postsPerUser: r.number('POSTS_PER_USER', 3, { min: 0, max: 100, integer: true, what: 'a whole number from 0 to 100' }),
    expectedIterationS: r.seconds('EXPECTED_ITERATION', 0.3),
    ...readVuOverrides(r),
  };
  if (cfg.durationS < 1) r.problem(`DURATION must be at least 1s (k6's minimum for constant-arrival-rate)`);
  r.finish('timeline-read');
  return cfg;
}

export interface SmokeConfig {
  target: TargetConfig;
  users: UsersConfig;
  mail: MailConfig;
  /** Newcomers signed up (one per VU). */
  newcomers: number;
}

export function readSmokeConfig(env: Env): SmokeConfig {
  const r = new EnvReader(env);
  const cfg: SmokeConfig = {
    target: readTarget(r, 'required'),
    users: readUsers(r),
    mail: readMail(r),
    newcomers: r.number('SMOKE_USERS', 3, { min: 1, max: 50, integer: true, what: 'a whole number from 1 to 50' }),
  };
  r.finish('smoke');
  return cfg;
}

export interface BreakpointConfig {
  target: TargetConfig;
  users: UsersConfig;
  mail: MailConfig;
  slo: SloConfig;
  /** Signups per second of the first step, the increase per step, and how many steps. */
  startRate: number;
  stepRate: number;
  steps: number;
  stepS: number;
  expectedIterationS: number;
  appScopes: string;
  tokenScope: string;
}

export function readBreakpointConfig(env: Env): BreakpointConfig {
  const r = new EnvReader(env);
  const target = readTarget(r, 'optional');
  const rate = { above: 0, max: 10_000, what: 'signups per second above 0' };
  const cfg: BreakpointConfig = {
    target,
    users: readUsers(r),
    mail: readMail(r),
    slo: readSlo(r),
    startRate: r.number('BP_START_RATE', 1, rate),
    stepRate: r.number('BP_STEP_RATE', 1, rate),
    steps: r.number('BP_STEPS', 10, { min: 1, max: 200, integer: true, what: 'a whole number of steps, 1 to 200' }),
    stepS: r.seconds('BP_STEP_DURATION', 20),
    expectedIterationS: r.seconds('EXPECTED_ITERATION', target.mailApiUrl ? 4 : 1.5),
    appScopes: scopes(r, 'APP_SCOPES', 'read write follow push'),
    tokenScope: scopes(r, 'TOKEN_SCOPE', 'write'),
  };
  r.finish('breakpoint');
  return cfg;
}
