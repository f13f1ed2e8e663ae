import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planMastodonStack, redactPlan, TRUSTED_PROXIES, type ContainerPlan, type Role, type StackPlan } from '../../infra/targets/mastodon/plan.js';
import { generateSecrets, SECRET_ENV_NAMES } from '../../infra/targets/mastodon/secrets.js';
import { chooseContainerTarget, NO_DOCKER_FOR_MASTODON } from '../../infra/targets/mastodon/select.js';
import { DEFAULT_MASTODON_TAG } from '../../infra/targets/mastodon/version.js';

// The containerised Mastodon as planned, checked against Mastodon's own rules
// (docker-compose.yml, .env.production.sample, config/puma.rb, the
// prometheus_exporter initializers): nothing here can run it, so the plan
// itself must be right.

const get = (plan: StackPlan, role: Role): ContainerPlan => plan.containers.find((c) => c.role === role)!;
const RAILS_REQUIRED = [
  'LOCAL_DOMAIN', 'SECRET_KEY_BASE', 'ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY', 'ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT',
  'ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_PUBLIC_KEY', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS',
  'REDIS_HOST', 'REDIS_PORT', 'SMTP_SERVER', 'SMTP_PORT', 'SMTP_FROM_ADDRESS',
];

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  if (!net!.includes('.') || net!.includes(':')) return false;
  const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(net!) / size);
}

describe('the planned Mastodon stack', () => {
  const plan = planMastodonStack({ webConcurrency: 3, maxThreads: 8, sidekiqConcurrency: 12 });

  it('runs the official images at a current 4.5 tag, and the services of docker-compose.yml', () => {
    expect(DEFAULT_MASTODON_TAG).toMatch(/^v4\.5\.\d+$/);
    expect(get(plan, 'web').image).toBe(`ghcr.io/mastodon/mastodon:${DEFAULT_MASTODON_TAG}`);
    expect(get(plan, 'sidekiq').image).toBe(`ghcr.io/mastodon/mastodon:${DEFAULT_MASTODON_TAG}`);
    expect(get(plan, 'streaming').image).toBe(`ghcr.io/mastodon/mastodon-streaming:${DEFAULT_MASTODON_TAG}`);
    expect(get(plan, 'db').image).toMatch(/^postgres:1[4-9]/);
    expect(get(plan, 'redis').image).toMatch(/^redis:7/);
    expect(get(plan, 'mailpit').image).toMatch(/^axllent\/mailpit:/);
    expect(get(plan, 'web').command).toEqual(['bundle', 'exec', 'puma', '-C', 'config/puma.rb']);
    expect(get(plan, 'streaming').command).toEqual(['node', './streaming/index.js']);
    expect(get(plan, 'sidekiq').command).toEqual(['bundle', 'exec', 'sidekiq', '-c', '12']);
    expect(get(plan, 'web').healthCheck!.test[1]).toMatch(/localhost:3000\/health .*grep -q 'OK'/);
    expect(get(plan, 'streaming').healthCheck!.test[1]).toMatch(/localhost:4000\/api\/v1\/streaming\/health/);
    expect(get(plan, 'db').healthCheck!.test[1]).toMatch(/^pg_isready/);
    expect(get(plan, 'redis').healthCheck!.test[1]).toMatch(/^redis-cli ping/);
  });

  it('a selectable tag: 4.3 still needs OTP_SECRET, 4.4+ does not, and before 4.3 there is no streaming image', () => {
    expect(get(plan, 'web').env).not.toHaveProperty('OTP_SECRET');
    const old = planMastodonStack({ tag: 'v4.3.9' });
    expect(get(old, 'streaming').image).toBe('ghcr.io/mastodon/mastodon-streaming:v4.3.9');
    expect(get(old, 'web').env.OTP_SECRET).toMatch(/^[0-9a-f]{128}$/);
    expect(() => planMastodonStack({ tag: 'v4.2.10' })).toThrow(/4\.3 or newer/);
    expect(() => planMastodonStack({ tag: 'latest' })).toThrow(/not a Mastodon release tag/);
  });

  it('gives every Rails process the settings .env.production.sample requires, with the same secrets', () => {
    for (const role of ['web', 'sidekiq', 'db-setup'] as const) {
      for (const name of RAILS_REQUIRED) expect(get(plan, role).env[name], `${role} ${name}`).toBeTruthy();
      expect(get(plan, role).env.RAILS_ENV).toBe('production');
      for (const name of ['SECRET_KEY_BASE', 'ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY', 'VAPID_PRIVATE_KEY', 'DB_PASS']) {
        expect(get(plan, role).env[name]).toBe(get(plan, 'web').env[name]);
      }
    }
    expect(get(plan, 'db').env.POSTGRES_PASSWORD).toBe(get(plan, 'web').env.DB_PASS);
    expect(get(plan, 'redis').env.REDISCLI_AUTH).toBe(get(plan, 'web').env.REDIS_PASSWORD);
    expect(get(plan, 'streaming').env.DB_PASS).toBe(get(plan, 'web').env.DB_PASS);
  });

  it('generates secrets in the formats Mastodon\'s generators use, VAPID as a real P-256 pair', () => {
    const s = generateSecrets();
    expect(s.SECRET_KEY_BASE).toMatch(/^[0-9a-f]{128}$/);
    const ar = [s.ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY, s.ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT, s.ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY];
    for (const k of ar) expect(k).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(ar).size).toBe(3);
    // URL-safe Base64 with padding, as the web-push gem writes it.
    expect(s.VAPID_PRIVATE_KEY).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(s.VAPID_PUBLIC_KEY).toMatch(/^[A-Za-z0-9_-]{87}=$/);
    const d = Buffer.from(s.VAPID_PRIVATE_KEY, 'base64url');
    const pub = Buffer.from(s.VAPID_PUBLIC_KEY, 'base64url');
    expect(d.length).toBe(32);
    expect(pub.length).toBe(65);
    expect(pub[0]).toBe(4);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    expect(ecdh.getPublicKey().equals(pub)).toBe(true);
  });

  it('is configured for a signup wave: allowlisted mail domain, no auto-switch to approval, trusted proxies, mail to Mailpit', () => {
    const web = get(plan, 'web').env;
    expect(web.LOCAL_DOMAIN).toBe('mastodon.surge.test');
    expect(web.EMAIL_DOMAIN_ALLOWLIST).toBe('surge.test');
    expect(web.DISABLE_AUTOMATIC_SWITCHING_TO_APPROVED_REGISTRATIONS).toBe('true');
    expect(web.SMTP_SERVER).toBe('mailpit');
    expect(web.SMTP_PORT).toBe('1025');
    expect(web.TRUSTED_PROXY_IP!.split(',')).toEqual(TRUSTED_PROXIES);
    // The newcomers' forwarded addresses (198.18.0.0/15) must never be proxies, or they would not count as clients.
    for (const cidr of TRUSTED_PROXIES) expect(ipv4InCidr('198.18.3.4', cidr), cidr).toBe(false);
    expect(TRUSTED_PROXIES.some((c) => ipv4InCidr('172.18.0.1', c))).toBe(true);
    expect(web.ALLOWED_PRIVATE_ADDRESSES).toContain('172.16.0.0/12');
    expect(get(plan, 'mailpit').env.MP_MAX_MESSAGES).toBe('0');
    expect(planMastodonStack({ emailDomain: 'example.org' }).owner.email).toBe('surge_owner@example.org');
    expect(() => planMastodonStack({ localDomain: 'not a domain' })).toThrow(/--local-domain/);
  });

  it('sizes Puma, Sidekiq and the pools from the flags, DB_POOL defaulting to the threads as in Mastodon', () => {
    expect(get(plan, 'web').env).toMatchObject({ WEB_CONCURRENCY: '3', MAX_THREADS: '8', DB_POOL: '8' });
    expect(get(plan, 'sidekiq').env.DB_POOL).toBe('12');
    const pooled = planMastodonStack({ dbPool: 4 });
    expect(get(pooled, 'web').env).toMatchObject({ WEB_CONCURRENCY: '2', MAX_THREADS: '5', DB_POOL: '4' });
    expect(get(pooled, 'sidekiq').env.DB_POOL).toBe('4');
    expect(get(pooled, 'sidekiq').command).toEqual(['bundle', 'exec', 'sidekiq', '-c', '5']);
  });

  it('exports metrics without the ruby_ prefix: Puma through the separate exporter, Sidekiq in-process', () => {
    const exporter = get(plan, 'exporter');
    expect(exporter.command).toEqual(['bundle', 'exec', 'prometheus_exporter', '--bind', '0.0.0.0', '--port', '9394', '--prefix', '', '--histogram']);
    const web = get(plan, 'web').env;
    expect(web.MASTODON_PROMETHEUS_EXPORTER_ENABLED).toBe('true');
    expect(web).not.toHaveProperty('MASTODON_PROMETHEUS_EXPORTER_LOCAL');
    expect(exporter.aliases).toContain(web.PROMETHEUS_EXPORTER_HOST);
    const sidekiq = get(plan, 'sidekiq').env;
    expect(sidekiq).toMatchObject({ MASTODON_PROMETHEUS_EXPORTER_LOCAL: 'true', MASTODON_PROMETHEUS_EXPORTER_HOST: '0.0.0.0', MASTODON_PROMETHEUS_EXPORTER_SIDEKIQ_DETAILED_METRICS: 'true' });
    expect(plan.endpoints.metrics.map((m) => [m.job, m.role, m.port])).toEqual([['standin-web', 'exporter', 9394], ['standin-worker', 'sidekiq', 9394], ['standin-streaming', 'streaming', 4000]]);
  });

  it('puts everything on one network whose aliases every host name in the env resolves to', () => {
    const aliases = plan.network.aliases;
    expect(new Set(plan.containers.flatMap((c) => c.aliases)).size).toBe(plan.containers.flatMap((c) => c.aliases).length);
    const web = get(plan, 'web').env;
    for (const host of [web.DB_HOST, web.REDIS_HOST, web.SMTP_SERVER, web.PROMETHEUS_EXPORTER_HOST]) expect(aliases[host!], host).toBeDefined();
    expect(aliases[web.DB_HOST!]).toBe('db');
  });

  it('proxies with the headers production Mastodon needs: Host, X-Forwarded-Proto https, the forwarded client IP', () => {
    const conf = get(plan, 'proxy').files![0]!;
    expect(conf.target).toBe('/etc/nginx/nginx.conf');
    expect(conf.content).toContain('proxy_set_header Host mastodon.surge.test;');
    expect(conf.content).toContain('proxy_set_header X-Forwarded-Proto https;');
    expect(conf.content).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(conf.content).toMatch(/location \/api\/v1\/streaming \{(?:(?!location)[\s\S])*proxy_pass http:\/\/streaming;/);
    expect(conf.content).toContain('server web:3000;');
    expect(plan.endpoints.base).toEqual({ role: 'proxy', port: 80 });
  });

  it('bootstraps in order: data stores, db:setup, the processes, then owner, open registrations and an admin token', () => {
    const order = plan.steps.map((s) => ('start' in s ? `start ${s.start.join('+')}` : s.exec.command.slice(0, 4).join(' ')));
    expect(order).toEqual([
      'start db+redis+mailpit',
      'start db-setup',
      'start exporter+web+streaming+sidekiq',
      'start proxy',
      'bin/tootctl accounts create surge_owner',
      'bin/tootctl settings registrations open',
      'bundle exec rails runner',
    ]);
    expect(get(plan, 'db-setup').command).toEqual(['bundle', 'exec', 'rails', 'db:setup']);
    expect(get(plan, 'db-setup').readyWhen).toEqual({ kind: 'exited' });
    const create = plan.steps[4]!;
    expect('exec' in create && create.exec.command).toEqual(['bin/tootctl', 'accounts', 'create', 'surge_owner', '--email', 'surge_owner@surge.test', '--confirmed', '--approve', '--role', 'Owner']);
    const token = plan.steps[6]!;
    expect('exec' in token && token.exec.output).toBe('secret');
    expect('exec' in token && token.exec.command[4]).toMatch(/admin:read admin:write/);
  });

  it('prints no secret: every secret env value is replaced by its length', () => {
    const secrets = generateSecrets();
    const printed = JSON.stringify(redactPlan(planMastodonStack({ tag: 'v4.3.9' }, secrets)));
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'VAPID_PUBLIC_KEY') expect(printed).toContain(value);
      else expect(printed, name).not.toContain(value);
    }
    for (const c of redactPlan(plan).containers) {
      for (const [k, v] of Object.entries(c.env)) if (SECRET_ENV_NAMES.has(k) && v) expect(v, `${c.role} ${k}`).toMatch(/^<redacted: \d+ characters>$/);
    }
  });
});

describe('--target mastodon and auto', () => {
  it('mastodon without Docker fails with what to use instead; auto falls back to the stand-in and says so', () => {
    expect(() => chooseContainerTarget('mastodon', false)).toThrow(NO_DOCKER_FOR_MASTODON);
    expect(NO_DOCKER_FOR_MASTODON).toMatch(/Docker/);
    expect(NO_DOCKER_FOR_MASTODON).toMatch(/--target standin/);
    expect(chooseContainerTarget('auto', false)).toEqual({ target: { kind: 'standin' }, note: 'target auto: no Docker engine here, so the stand-in is used' });
    expect(chooseContainerTarget('auto', true).target).toEqual({ kind: 'mastodon', tag: DEFAULT_MASTODON_TAG });
    expect(chooseContainerTarget('mastodon', true, 'v4.4.8')).toEqual({ target: { kind: 'mastodon', tag: 'v4.4.8' } });
    expect(() => chooseContainerTarget('mastodon', true, 'v4.1.0')).toThrow(/4\.3 or newer/);
  });
});
