import { JOBS } from '../../../reports/collect/queries.js';
import { PRIVATE_RANGES } from '../../services/address-ranges.js';
import { planFleet, PROXY_TLS_FILES, type StackFleetOptions, type StackTls } from './fleet-container.js';
import { nginxConfig, PROXY_PORT } from './nginx.js';
import { generateSecrets, redacted, SECRET_ENV_NAMES, type MastodonSecrets } from './secrets.js';
import { atLeast, DEFAULT_MASTODON_TAG, MASTODON_IMAGE, parseMastodonTag, STREAMING_IMAGE, StackPlanError } from './version.js';

// A containerised Mastodon for a rehearsal, planned without touching Docker:
// the services of Mastodon's docker-compose.yml (PostgreSQL, Redis, Puma,
// streaming, Sidekiq) plus Mailpit for mail, the Ruby Prometheus exporter and
// an nginx in front, on one network, and the bootstrap that makes a fresh
// instance ready for a signup wave; optionally the remote fleet to federate
// with (fleet-container.ts). `surge stack print` shows this plan;
// containers.ts carries it out with testcontainers. Pure apart from the
// secrets' randomness, which the caller may supply.

export { StackPlanError };
export type { StackFleetOptions, StackTls };

export interface StackSizing {
  webConcurrency?: number;
  maxThreads?: number;
  sidekiqConcurrency?: number;
  /** DB_POOL per process; default: Mastodon's (the threads). */
  dbPool?: number;
}

export interface StackOptions extends StackSizing {
  /** Image tag of both Mastodon images; default DEFAULT_MASTODON_TAG. */
  tag?: string;
  /** LOCAL_DOMAIN; default mastodon.surge.test. */
  localDomain?: string;
  /** The synthetic newcomers' mail domain (the scenarios' EMAIL_DOMAIN); default surge.test. */
  emailDomain?: string;
  /**
   * Private addresses Mastodon may fetch from (ALLOWED_PRIVATE_ADDRESSES),
   * e.g. the fleet's container on the stack's network; default Docker's
   * private ranges (the runner checks the fleet's address is among them).
   */
  allowedPrivateAddresses?: string[];
  /** The remote fleet as a container on the stack's network; needs the TLS material (makeStackTls). */
  fleet?: StackFleetOptions;
}

export interface HealthCheck {
  test: ['CMD-SHELL', string] | ['CMD', ...string[]];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export type Role = 'db' | 'redis' | 'mailpit' | 'db-setup' | 'web' | 'streaming' | 'sidekiq' | 'exporter' | 'proxy' | 'fleet';

/** A file copied into a container before it starts: given text, or a program bundled from the project (`bundle`: its entry) at start. */
export type PlannedFile = { target: string; mode?: '0644' | '0600'; secret?: boolean } & ({ content: string; bundle?: undefined } | { bundle: string; content?: undefined });

export interface ContainerPlan {
  role: Role;
  image: string;
  /** Undefined: the image's own command. */
  command?: string[];
  env: Record<string, string>;
  /** Names on the stack's network. */
  aliases: string[];
  /** Container ports published on the host (random host ports). */
  ports: number[];
  healthCheck?: HealthCheck;
  /** What "started" means: the health check, an HTTP answer, or (one-off) a zero exit. */
  readyWhen: { kind: 'healthy' } | { kind: 'http'; port: number; path: string } | { kind: 'listening' } | { kind: 'exited' };
  files?: PlannedFile[];
  tmpfs?: Record<string, string>;
  why: string;
}

export interface ExecStep {
  name: string;
  /** The running container it executes in. */
  in: Role;
  command: string[];
  /** 'secret': the output is the admin token, kept in memory only. */
  output: 'log' | 'secret';
  why: string;
}

/** In order: containers of one `start` entry start together; each waits for the one before. */
export type Step = { start: Role[] } | { exec: ExecStep };

export interface MetricsEndpoint {
  /** Scrape job name, shared with the report's queries. */
  job: string;
  role: Role;
  port: number;
  path: string;
}

export interface StackPlan {
  mastodon: { tag: string; images: string[] };
  localDomain: string;
  emailDomain: string;
  network: { aliases: Record<string, Role> };
  sizing: Required<Omit<StackSizing, 'dbPool'>> & { dbPool: { web: number; sidekiq: number } };
  containers: ContainerPlan[];
  steps: Step[];
  endpoints: {
    /** Where the load goes: the proxy, which forwards with Host/X-Forwarded-* set. */
    base: { role: Role; port: number };
    mailApi: { role: Role; port: number };
    postgres: { role: Role; port: number; user: string; database: string };
    redis: { role: Role; port: number };
    metrics: MetricsEndpoint[];
    /** The fleet's control endpoint (/follow, /summary, /metrics, /domains), when there is a fleet. */
    fleet?: { role: Role; port: number };
  };
  owner: { username: string; email: string };
  /** How a run must talk to the instance; printed so nobody has to guess. */
  notes: string[];
}

export const POSTGRES_IMAGE = 'postgres:14-alpine';
export const REDIS_IMAGE = 'redis:7-alpine';
export const MAILPIT_IMAGE = 'axllent/mailpit:v1.27.0';
export const NGINX_IMAGE = 'nginx:1.28-alpine';

const DB = { user: 'mastodon', name: 'mastodon_production' };
const EXPORTER_PORT = 9394;
const WEB_PORT = 3000;
const STREAMING_PORT = 4000;
export const OWNER_USERNAME = 'surge_owner';

/** Rails' default trusted proxies, written out: TRUSTED_PROXY_IP replaces the defaults, and Docker networks live in these ranges. 198.18.0.0/15, the newcomers' addresses, is deliberately absent. */
export const TRUSTED_PROXIES = PRIVATE_RANGES;
const DOCKER_PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

const health = (test: string, startPeriodMs = 0): HealthCheck => ({ test: ['CMD-SHELL', test], intervalMs: 2_000, timeoutMs: 5_000, retries: 30, startPeriodMs });
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export function checkDomain(flag: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (!DOMAIN.test(v)) throw new StackPlanError(`${flag} "${value}" is not a domain name such as mastodon.surge.test`);
  return v;
}

/** With `options.fleet`, `tls` is required: made by the caller like the secrets, never including the CA's key. */
export function planMastodonStack(options: StackOptions = {}, secrets: MastodonSecrets = generateSecrets(), tls?: StackTls): StackPlan {
  const version = parseMastodonTag(options.tag ?? DEFAULT_MASTODON_TAG);
  const localDomain = checkDomain('--local-domain', options.localDomain ?? 'mastodon.surge.test');
  const emailDomain = checkDomain('--email-domain', options.emailDomain ?? 'surge.test');
  const webConcurrency = options.webConcurrency ?? 2;
  const maxThreads = options.maxThreads ?? 5;
  const sidekiqConcurrency = options.sidekiqConcurrency ?? 5;
  const dbPool = { web: options.dbPool ?? maxThreads, sidekiq: options.dbPool ?? sidekiqConcurrency };
  const mastodonImage = `${MASTODON_IMAGE}:${version.tag}`;
  const streamingImage = `${STREAMING_IMAGE}:${version.tag}`;
  if (options.fleet && !tls) throw new StackPlanError('a stack with a fleet needs its TLS material: make it with makeStackTls(localDomain)');
  const fleet = options.fleet && tls ? planFleet({ localDomain, fleet: options.fleet, tls }) : undefined;

  // Where PostgreSQL and Redis are, for Rails and the streaming server alike.
  const stores: Record<string, string> = {
    DB_HOST: 'db',
    DB_PORT: '5432',
    DB_NAME: DB.name,
    DB_USER: DB.user,
    DB_PASS: secrets.DB_PASS,
    REDIS_HOST: 'redis',
    REDIS_PORT: '6379',
    REDIS_PASSWORD: secrets.REDIS_PASSWORD,
  };
  // What every Rails process reads (.env.production.sample's required settings and the rehearsal's own).
  const rails: Record<string, string> = {
    RAILS_ENV: 'production',
    NODE_ENV: 'production',
    RAILS_LOG_LEVEL: 'warn',
    LOCAL_DOMAIN: localDomain,
    SINGLE_USER_MODE: 'false',
    SECRET_KEY_BASE: secrets.SECRET_KEY_BASE,
    ...(atLeast(version, 4, 4) ? {} : { OTP_SECRET: secrets.OTP_SECRET }),
    ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: secrets.ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY,
    ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: secrets.ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT,
    ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: secrets.ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY,
    VAPID_PRIVATE_KEY: secrets.VAPID_PRIVATE_KEY,
    VAPID_PUBLIC_KEY: secrets.VAPID_PUBLIC_KEY,
    ...stores,
    ES_ENABLED: 'false',
    S3_ENABLED: 'false',
    SMTP_SERVER: 'mailpit',
    SMTP_PORT: '1025',
    SMTP_LOGIN: '',
    SMTP_PASSWORD: '',
    SMTP_AUTH_METHOD: 'none',
    SMTP_ENABLE_STARTTLS: 'never',
    SMTP_OPENSSL_VERIFY_MODE: 'none',
    SMTP_FROM_ADDRESS: `notifications@${localDomain}`,
    // The synthetic domain has no MX record; allowlisting it skips the check (and admits only it).
    EMAIL_DOMAIN_ALLOWLIST: emailDomain,
    DISABLE_AUTOMATIC_SWITCHING_TO_APPROVED_REGISTRATIONS: 'true',
    TRUSTED_PROXY_IP: TRUSTED_PROXIES.join(','),
    ALLOWED_PRIVATE_ADDRESSES: (options.allowedPrivateAddresses ?? DOCKER_PRIVATE).join(','),
  };

  const containers: ContainerPlan[] = [
    {
      role: 'db',
      image: POSTGRES_IMAGE,
      // Throwaway data, as with the stand-in: disk flushes are not what a rehearsal measures.
      command: ['postgres', '-c', 'max_connections=400', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      env: { POSTGRES_USER: DB.user, POSTGRES_PASSWORD: secrets.DB_PASS, POSTGRES_DB: DB.name },
      aliases: ['db'],
      ports: [5432],
      healthCheck: health(`pg_isready -U ${DB.user} -d ${DB.name}`),
      readyWhen: { kind: 'healthy' },
      tmpfs: { '/var/lib/postgresql/data': 'rw' },
      why: 'PostgreSQL 14, as docker-compose.yml; max_connections 400 like the stand-in',
    },
    {
      role: 'redis',
      image: REDIS_IMAGE,
      command: ['sh', '-c', 'exec redis-server --save "" --appendonly no --requirepass "$REDISCLI_AUTH"'],
      env: { REDISCLI_AUTH: secrets.REDIS_PASSWORD },
      aliases: ['redis'],
      ports: [6379],
      healthCheck: health('redis-cli ping | grep -q PONG'),
      readyWhen: { kind: 'healthy' },
      why: 'Redis 7, as docker-compose.yml, with a password because its port is published',
    },
    {
      role: 'mailpit',
      image: MAILPIT_IMAGE,
      // Keep every message: Mailpit prunes to 500 by default, fewer than a wave's confirmations.
      env: { MP_MAX_MESSAGES: '0', MP_SMTP_AUTH_ACCEPT_ANY: 'true', MP_SMTP_AUTH_ALLOW_INSECURE: 'true' },
      aliases: ['mailpit'],
      ports: [8025],
      healthCheck: { test: ['CMD', '/mailpit', 'readyz'], intervalMs: 2_000, timeoutMs: 5_000, retries: 30, startPeriodMs: 0 },
      readyWhen: { kind: 'healthy' },
      why: 'SMTP sink on 1025 and the API on 8025 the scenarios read confirmation mails from',
    },
    {
      role: 'db-setup',
      image: mastodonImage,
      command: ['bundle', 'exec', 'rails', 'db:setup'],
      env: { ...rails },
      aliases: [],
      ports: [],
      readyWhen: { kind: 'exited' },
      why: 'fresh database: schema loaded and seeds run (db:create only notes that the database exists)',
    },
    {
      role: 'exporter',
      image: mastodonImage,
      // The gem's collector for multi-process Puma; without --prefix every name
      // would start with ruby_, and --histogram gives http_request_duration_seconds
      // buckets that can be aggregated over processes, as the report reads them.
      command: ['bundle', 'exec', 'prometheus_exporter', '--bind', '0.0.0.0', '--port', String(EXPORTER_PORT), '--prefix', '', '--histogram'],
      env: { RAILS_ENV: 'production' },
      aliases: ['prometheus-exporter'],
      ports: [EXPORTER_PORT],
      readyWhen: { kind: 'http', port: EXPORTER_PORT, path: '/metrics' },
      why: 'Puma sends its metrics here (MASTODON_PROMETHEUS_EXPORTER_LOCAL does not work with several Puma workers)',
    },
    {
      role: 'web',
      image: mastodonImage,
      command: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'],
      env: {
        ...rails,
        BIND: '0.0.0.0',
        PORT: String(WEB_PORT),
        WEB_CONCURRENCY: String(webConcurrency),
        MAX_THREADS: String(maxThreads),
        DB_POOL: String(dbPool.web),
        MASTODON_PROMETHEUS_EXPORTER_ENABLED: 'true',
        MASTODON_PROMETHEUS_EXPORTER_WEB_DETAILED_METRICS: 'true',
        PROMETHEUS_EXPORTER_HOST: 'prometheus-exporter',
        PROMETHEUS_EXPORTER_PORT: String(EXPORTER_PORT),
        ...fleet?.trust.env,
      },
      aliases: ['web'],
      ports: [WEB_PORT],
      ...(fleet ? { files: fleet.trust.files } : {}),
      healthCheck: health(`curl -s --noproxy localhost localhost:${WEB_PORT}/health | grep -q 'OK' || exit 1`, 30_000),
      readyWhen: { kind: 'healthy' },
      why: 'Puma: WEB_CONCURRENCY processes of MAX_THREADS threads',
    },
    {
      role: 'streaming',
      image: streamingImage,
      command: ['node', './streaming/index.js'],
      env: {
        NODE_ENV: 'production',
        LOCAL_DOMAIN: localDomain,
        BIND: '0.0.0.0',
        PORT: String(STREAMING_PORT),
        ...stores,
        TRUSTED_PROXY_IP: TRUSTED_PROXIES.join(','),
      },
      aliases: ['streaming'],
      ports: [STREAMING_PORT],
      healthCheck: health(`curl -s --noproxy localhost localhost:${STREAMING_PORT}/api/v1/streaming/health | grep -q 'OK' || exit 1`),
      readyWhen: { kind: 'healthy' },
      why: 'the streaming server (its own image since 4.3); /metrics unprefixed on the same port',
    },
    {
      role: 'sidekiq',
      image: mastodonImage,
      command: ['bundle', 'exec', 'sidekiq', '-c', String(sidekiqConcurrency)],
      env: {
        ...rails,
        DB_POOL: String(dbPool.sidekiq),
        // One Sidekiq process: the in-process server works and names carry no prefix.
        MASTODON_PROMETHEUS_EXPORTER_ENABLED: 'true',
        MASTODON_PROMETHEUS_EXPORTER_LOCAL: 'true',
        MASTODON_PROMETHEUS_EXPORTER_HOST: '0.0.0.0',
        MASTODON_PROMETHEUS_EXPORTER_PORT: String(EXPORTER_PORT),
        MASTODON_PROMETHEUS_EXPORTER_SIDEKIQ_DETAILED_METRICS: 'true',
        ...fleet?.trust.env,
      },
      aliases: ['sidekiq'],
      ports: [EXPORTER_PORT],
      ...(fleet ? { files: fleet.trust.files } : {}),
      healthCheck: health("ps aux | grep '[s]idekiq\\ [0-9]' || false"),
      readyWhen: { kind: 'healthy' },
      why: 'Sidekiq with -c sidekiq-concurrency on all queues, as docker-compose.yml',
    },
    {
      role: 'proxy',
      image: NGINX_IMAGE,
      aliases: ['proxy', localDomain],
      env: {},
      ports: [PROXY_PORT],
      files: [
        { target: '/etc/nginx/nginx.conf', content: nginxConfig({ localDomain, web: `web:${WEB_PORT}`, streaming: `streaming:${STREAMING_PORT}`, ...(fleet ? { tls: PROXY_TLS_FILES } : {}) }), mode: '0644' },
        ...(fleet?.proxyFiles ?? []),
      ],
      readyWhen: { kind: 'http', port: PROXY_PORT, path: '/health' },
      why: `nginx in front, as in production: Host, X-Forwarded-Proto https, X-Forwarded-For, X-Request-Start${fleet ? `; https://${localDomain} on 443 for the fleet` : ''}`,
    },
    ...(fleet ? [fleet.container] : []),
  ];

  const ownerEmail = `${OWNER_USERNAME}@${emailDomain}`;
  const steps: Step[] = [
    { start: ['db', 'redis', 'mailpit'] },
    { start: ['db-setup'] },
    { start: ['exporter', 'web', 'streaming', 'sidekiq'] },
    { start: ['proxy'] },
    // The fleet reaches Mastodon through the proxy's TLS server.
    ...(fleet ? [{ start: ['fleet'] } satisfies Step] : []),
    {
      exec: {
        name: 'owner account',
        in: 'web',
        command: ['bin/tootctl', 'accounts', 'create', OWNER_USERNAME, '--email', ownerEmail, '--confirmed', '--approve', '--role', 'Owner'],
        // tootctl prints the new password; it is never shown.
        output: 'secret',
        why: 'an Owner for approvals, cleanup and the admin measures',
      },
    },
    {
      exec: {
        name: 'open registrations',
        in: 'web',
        command: ['bin/tootctl', 'settings', 'registrations', 'open'],
        output: 'log',
        why: 'a fresh 4.3+ server refuses API signups (registrations_mode none)',
      },
    },
    {
      exec: {
        name: 'admin token',
        in: 'web',
        command: ['bundle', 'exec', 'rails', 'runner', adminTokenScript(OWNER_USERNAME)],
        output: 'secret',
        why: 'no tootctl command makes a token and the password grant is gone since 4.4, so Rails makes one',
      },
    },
  ];

  const plan: StackPlan = {
    mastodon: { tag: version.tag, images: [mastodonImage, streamingImage] },
    localDomain,
    emailDomain,
    network: { aliases: Object.fromEntries(containers.flatMap((c) => c.aliases.map((a) => [a, c.role]))) },
    sizing: { webConcurrency, maxThreads, sidekiqConcurrency, dbPool },
    containers,
    steps,
    endpoints: {
      base: { role: 'proxy', port: PROXY_PORT },
      mailApi: { role: 'mailpit', port: 8025 },
      postgres: { role: 'db', port: 5432, user: DB.user, database: DB.name },
      redis: { role: 'redis', port: 6379 },
      metrics: [
        { job: JOBS.web, role: 'exporter', port: EXPORTER_PORT, path: '/metrics' },
        { job: JOBS.worker, role: 'sidekiq', port: EXPORTER_PORT, path: '/metrics' },
        { job: JOBS.streaming, role: 'streaming', port: STREAMING_PORT, path: '/metrics' },
      ],
      ...(fleet ? { fleet: { role: 'fleet' as const, port: fleet.container.ports[0]! } } : {}),
    },
    owner: { username: OWNER_USERNAME, email: ownerEmail },
    notes: [
      `load goes to the proxy's published port over plain HTTP; it forwards with Host ${localDomain} and X-Forwarded-Proto https`,
      `newcomers must use addresses @${emailDomain} (EMAIL_DOMAIN_ALLOWLIST admits only that domain)`,
      `scrape jobs ${JOBS.web} and ${JOBS.worker} are the report's names for Mastodon's Puma and Sidekiq`,
      ...(fleet?.notes ?? []),
    ],
  };
  checkPlan(plan);
  return plan;
}

/** Ruby for `rails runner`: an app and a token with admin scopes for the owner; prints only the token. */
function adminTokenScript(username: string): string {
  return [
    "app = Doorkeeper::Application.create!(name: 'mastodon-surge', redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow admin:read admin:write')",
    `user = Account.find_local!('${username}').user`,
    'print Doorkeeper::AccessToken.create!(application: app, resource_owner_id: user.id, scopes: app.scopes.to_s).token',
  ].join('; ');
}

function checkPlan(plan: StackPlan): void {
  const aliases = plan.containers.flatMap((c) => c.aliases);
  const twice = aliases.find((a, i) => aliases.indexOf(a) !== i);
  if (twice) throw new Error(`stack plan: two containers are called ${twice} on the network`);
  const roles = new Set(plan.containers.map((c) => c.role));
  const started = new Set<Role>();
  for (const step of plan.steps) {
    if ('start' in step) for (const r of step.start) {
      if (!roles.has(r) || started.has(r)) throw new Error(`stack plan: ${r} is unknown or started twice`);
      started.add(r);
    } else if (!started.has(step.exec.in)) throw new Error(`stack plan: "${step.exec.name}" runs in ${step.exec.in} before it starts`);
  }
  if (started.size !== roles.size) throw new Error('stack plan: a container is never started');
}

/** The plan as `surge stack print` shows it: every secret (env value, private key file) replaced by its length. */
export function redactPlan(plan: StackPlan): StackPlan {
  const clean = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_ENV_NAMES.has(k) && v ? redacted(v) : v]));
  const cleanFile = (f: PlannedFile): PlannedFile => (f.secret && f.content !== undefined ? { ...f, content: redacted(f.content) } : f);
  return { ...plan, containers: plan.containers.map((c) => ({ ...c, env: clean(c.env), ...(c.files ? { files: c.files.map(cleanFile) } : {}) })) };
}
