import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `surge stack print` and the Docker-less paths of --target mastodon|auto, as a user runs them.

const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));
// No engine here; an explicit dead DOCKER_HOST would be probed, so none is set.
const env = { ...process.env, DOCKER_HOST: '' };
const surge = (args: string[]) => spawnSync(process.execPath, [SURGE, ...args], { encoding: 'utf8', env });

describe('surge stack print', () => {
  it('prints the planned containers as JSON with sizes from the flags and every secret redacted', () => {
    const r = surge(['stack', 'print', '--target', 'mastodon', '--tag', 'v4.5.2', '--web-concurrency', '4', '--sidekiq-concurrency', '20', '--db-pool', '25']);
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.mastodon.images).toEqual(['ghcr.io/mastodon/mastodon:v4.5.2', 'ghcr.io/mastodon/mastodon-streaming:v4.5.2']);
    const web = plan.containers.find((c: { role: string }) => c.role === 'web');
    expect(web.env).toMatchObject({ WEB_CONCURRENCY: '4', DB_POOL: '25' });
    expect(web.env.SECRET_KEY_BASE).toBe('<redacted: 128 characters>');
    expect(web.env.DB_PASS).toBe('<redacted: 32 characters>');
    expect(web.env.VAPID_PRIVATE_KEY).toBe('<redacted: 44 characters>');
    expect(plan.containers.find((c: { role: string }) => c.role === 'sidekiq').command).toEqual(['bundle', 'exec', 'sidekiq', '-c', '20']);
    expect(plan.steps.length).toBeGreaterThan(4);
  });

  it('refuses a bad tag or another target in one line', () => {
    const bad = surge(['stack', 'print', '--tag', 'v4.2.0']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/4\.3 or newer/);
    expect(surge(['stack', 'print', '--target', 'standin']).stderr).toMatch(/--target mastodon only/);
  });
});

describe('surge stack print --fleet-domains', () => {
  it('plans the fleet container, its trust and the proxy\'s TLS server, and prints no private key', () => {
    const r = surge(['stack', 'print', '--target', 'mastodon', '--fleet-domains', '3', '--fleet-actors', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/PRIVATE KEY/);
    const plan = JSON.parse(r.stdout);
    const role = (name: string) => plan.containers.find((c: { role: string }) => c.role === name);
    expect(role('fleet').aliases).toEqual(['fleet', 'd0.fleet.surge.test', 'd1.fleet.surge.test', 'd2.fleet.surge.test']);
    expect(JSON.parse(role('fleet').env.FLEET_OPTIONS).domains).toEqual([{ actors: 2 }, { actors: 2 }, { actors: 2 }]);
    expect(role('fleet').files.find((f: { target: string }) => f.target.endsWith('server.key')).content).toMatch(/^<redacted: \d+ characters>$/);
    expect(role('sidekiq').env.SSL_CERT_FILE).toBe('/etc/ssl/surge/fleet-ca.pem');
    expect(role('proxy').files[0].content).toContain('listen 443 ssl;');
    expect(plan.notes.join('\n')).toMatch(/to federate: POST/);
    expect(surge(['stack', 'print']).stdout).not.toContain('"fleet"');
  });

  it('refuses a count that is negative, not whole or too large in one line', () => {
    for (const bad of ['-1', '1.5', 'x', '201']) {
      const r = surge(['stack', 'print', '--fleet-domains', bad]);
      expect(r.status, bad).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(r.stderr).toMatch(/--fleet-domains.*whole number from 0 to 200/);
    }
    const many = surge(['stack', 'print', '--fleet-domains', '100', '--fleet-actors', '50']);
    expect(many.status).toBe(1);
    expect(many.stderr.trim().split('\n')).toHaveLength(1);
    expect(many.stderr).toMatch(/keep it at most 2000 \(fewer --fleet-actors\)/);
  });
});

describe('--target mastodon without Docker', () => {
  it('fails fast with one line saying Docker is needed and what to use instead', () => {
    const r = surge(['rehearse', '--target', 'mastodon', '--dry-run']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs a running Docker engine.*--target standin.*URL of an instance you run/);
  });

  it('auto falls back to the stand-in and says so', () => {
    const r = surge(['rehearse', '--target', 'auto', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/target auto: no Docker engine here, so the stand-in is used/);
    expect(JSON.parse(r.stdout).target).toEqual({ kind: 'standin' });
  });
});

describe('--admin-token', () => {
  it('names where the token is, never the token, and only for a URL target', () => {
    const literal = surge(['rehearse', '--target', 'http://127.0.0.1:9', '--admin-token', 'abcdefghijklmnopqrstuvwxyz0123456789', '--dry-run']);
    expect(literal.status).toBe(1);
    expect(literal.stderr).toMatch(/env:NAME or file:PATH, never the token itself/);
    expect(literal.stderr).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    const standin = spawnSync(process.execPath, [SURGE, 'rehearse', '--target', 'standin', '--admin-token', 'env:SURGE_T', '--dry-run'], { encoding: 'utf8', env: { ...env, SURGE_T: 'abcdefghijklmnopqrstuvwxyz0123456789' } });
    expect(standin.stderr).toMatch(/--admin-token is for a URL target/);
  });
});
