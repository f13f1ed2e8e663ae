import { Api, benchIp } from './http.js';
import { percentile } from './stats.js';

// Drives POST /api/v1/accounts the way a wave's newcomers arrive through an
// app: one registered app, client_credentials tokens rotated before the
// per-token throttle (300/5 min), and every signup from its own client IP so
// the sign-up throttle (5/30 min per IP) never applies.

export const PASSWORD = 'surge-bench-password-1';
const SIGNUPS_PER_TOKEN = 250;
const APP_IP = '198.19.255.254';

export interface BenchApp {
  clientId: string;
  clientSecret: string;
  appId: string;
}

export interface SignedUp {
  index: number;
  username: string;
  email: string;
  token: string;
}

export interface SignupRun {
  concurrency: number;
  seconds: number;
  completed: number;
  signupsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  failed: number;
  failures: Record<string, number>;
  users: SignedUp[];
}

export async function registerApp(api: Api): Promise<BenchApp> {
  const app = await api.ok('POST', '/api/v1/apps', {
    ip: APP_IP,
    body: { client_name: 'surge-bench', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' },
  });
  return { clientId: app.client_id, clientSecret: app.client_secret, appId: String(app.id) };
}

export async function appToken(api: Api, app: BenchApp): Promise<string> {
  const t = await api.ok('POST', '/oauth/token', {
    body: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'write' },
  });
  return t.access_token;
}

export const username = (i: number) => `bench${i}`;
export const email = (i: number) => `bench${i}@bench.surge.test`;

/**
 * `concurrency` loops sign up one user after another for warm-up + duration
 * seconds; only signups that complete inside the measured window count.
 */
export async function driveSignups(api: Api, app: BenchApp, o: { concurrency: number; warmupSec: number; durationSec: number }): Promise<SignupRun> {
  const tokens: Promise<string>[] = [];
  const tokenFor = (i: number) => (tokens[Math.floor(i / SIGNUPS_PER_TOKEN)] ??= appToken(api, app));
  await tokenFor(0);

  let next = 0;
  const users: SignedUp[] = [];
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let failed = 0;
  const t0 = performance.now();
  const windowStart = t0 + o.warmupSec * 1000;
  const windowEnd = windowStart + o.durationSec * 1000;
  let completed = 0;

  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < windowEnd) {
        const i = next++;
        const token = await tokenFor(i);
        const r = await api.call('POST', '/api/v1/accounts', {
          token,
          ip: benchIp(i),
          body: { username: username(i), email: email(i), password: PASSWORD, agreement: true, locale: 'en' },
        });
        const done = performance.now();
        if (r.status === 200 && r.data?.access_token) {
          users.push({ index: i, username: username(i), email: email(i), token: r.data.access_token });
          if (done >= windowStart && done <= windowEnd) {
            completed++;
            latencies.push(r.ms);
          }
        } else {
          failed++;
          const key = `${r.status} ${typeof r.data === 'object' ? JSON.stringify(r.data) : String(r.data)}`.slice(0, 120);
          failures[key] = (failures[key] ?? 0) + 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  users.sort((a, b) => a.index - b.index);
  return {
    concurrency: o.concurrency,
    seconds: o.durationSec,
    completed,
    signupsPerSec: completed / o.durationSec,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failed,
    failures,
    users,
  };
}
