import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetOptions } from '../../infra/fleet/fleet.js';
import { privateAddressAllowed, type StackTls } from '../../infra/targets/mastodon/fleet-container.js';
import { planMastodonStack, redactPlan, type ContainerPlan, type PlannedFile, type Role, type StackPlan } from '../../infra/targets/mastodon/plan.js';
import { generateSecrets } from '../../infra/targets/mastodon/secrets.js';
import { makeStackTls } from '../../infra/targets/mastodon/stack-tls.js';

// The remote fleet inside the containerised stack, as planned. Nothing here
// runs Docker, so the plan must say exactly what makes a real Mastodon
// federate with it: DNS names (Resolv::DNS ignores /etc/hosts), trust in the
// fleet's CA, admitted private addresses, and an HTTPS way back to Mastodon.

const get = (plan: StackPlan, role: Role): ContainerPlan => plan.containers.find((c) => c.role === role)!;
const file = (c: ContainerPlan, target: string): PlannedFile | undefined => c.files?.find((f) => f.target === target);
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

let tls: StackTls;
let plan: StackPlan;
let fleet: ContainerPlan;
let options: FleetOptions;

beforeAll(async () => {
  tls = await makeStackTls('mastodon.surge.test');
  plan = planMastodonStack({ fleet: { domains: 3, actorsPerDomain: 2 } }, generateSecrets(), tls);
  fleet = get(plan, 'fleet');
  options = JSON.parse(fleet.env.FLEET_OPTIONS!) as FleetOptions;
});

describe('the fleet container', () => {
  it('runs the bundled fleet program on an official Node 20 image, in named TLS mode on 443', () => {
    expect(fleet.image).toMatch(/^node:20(-|$)/);
    expect(fleet.command).toEqual(['node', '/opt/surge-fleet/fleet.mjs']);
    expect(file(fleet, '/opt/surge-fleet/fleet.mjs')).toMatchObject({ bundle: 'infra/fleet/main.ts' });
    expect(options).toMatchObject({ naming: 'named', host: '0.0.0.0', port: 443 });
    expect(options.domains).toEqual([{ actors: 2 }, { actors: 2 }, { actors: 2 }]);
    // Every file the program is told to read is copied in.
    for (const path of [options.tlsFiles!.ca, options.tlsFiles!.cert, options.tlsFiles!.key, options.targetCaFile!]) expect(file(fleet, path), path).toBeDefined();
    expect(file(fleet, options.tlsFiles!.cert)!.content).toBe(tls.cert);
    expect(file(fleet, options.tlsFiles!.key)).toMatchObject({ content: tls.key, mode: '0600', secret: true });
    expect(file(fleet, options.targetCaFile!)!.content).toBe(tls.ca);
  });

  it('is found by its domains through the network\'s DNS, and finds Mastodon the same way', () => {
    expect(fleet.aliases).toEqual(['fleet', 'd0.fleet.surge.test', 'd1.fleet.surge.test', 'd2.fleet.surge.test']);
    for (const d of ['d0.fleet.surge.test', 'd2.fleet.surge.test']) expect(plan.network.aliases[d]).toBe('fleet');
    expect(plan.network.aliases[plan.localDomain]).toBe('proxy');
    // Only LOCAL_DOMAIN goes to the resolver; the fleet asks DNS for nothing else.
    expect(options.hosts).toEqual({ 'mastodon.surge.test': 'resolver' });
  });

  it('publishes only its control port, which the runner reads once it answers', () => {
    expect(fleet.ports).toEqual([9400]);
    expect(fleet.env).toMatchObject({ FLEET_CONTROL_HOST: '0.0.0.0', FLEET_CONTROL_PORT: '9400' });
    expect(fleet.readyWhen).toEqual({ kind: 'http', port: 9400, path: '/domains' });
    expect(plan.endpoints.fleet).toEqual({ role: 'fleet', port: 9400 });
  });

  it('starts after the proxy it reaches Mastodon through', () => {
    const starts = plan.steps.flatMap((s) => ('start' in s ? [s.start.join('+')] : []));
    expect(starts.slice(-2)).toEqual(['proxy', 'fleet']);
    expect(planMastodonStack().containers.map((c) => c.role)).not.toContain('fleet');
  });
});

describe('Mastodon\'s side of the federation', () => {
  it('web and Sidekiq trust the fleet\'s CA through SSL_CERT_FILE; nothing else gets it', () => {
    for (const role of ['web', 'sidekiq'] as const) {
      const c = get(plan, role);
      expect(c.env.SSL_CERT_FILE, role).toBe('/etc/ssl/surge/fleet-ca.pem');
      expect(file(c, c.env.SSL_CERT_FILE!)).toMatchObject({ content: tls.ca, mode: '0644' });
    }
    for (const role of ['streaming', 'db-setup', 'exporter'] as const) expect(get(plan, role).env).not.toHaveProperty('SSL_CERT_FILE');
    expect(get(planMastodonStack(), 'web').env).not.toHaveProperty('SSL_CERT_FILE');
  });

  it('admits the addresses Docker gives the stack\'s network, and nothing public', () => {
    const allowed = get(plan, 'sidekiq').env.ALLOWED_PRIVATE_ADDRESSES!;
    expect(get(plan, 'web').env.ALLOWED_PRIVATE_ADDRESSES).toBe(allowed);
    // Docker's default pools: 172.17-31.x.x for networks, then 192.168.x.x.
    for (const ip of ['172.18.0.7', '172.31.255.2', '192.168.16.3', '10.5.0.2']) expect(privateAddressAllowed(ip, allowed), ip).toBe(true);
    for (const ip of ['8.8.8.8', '172.32.0.1', '127.0.0.1']) expect(privateAddressAllowed(ip, allowed), ip).toBe(false);
    expect(privateAddressAllowed('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(privateAddressAllowed('10.1.2.4', '10.1.2.3,fd00::/8')).toBe(false);
  });

  it('the proxy serves LOCAL_DOMAIN over TLS on 443 with the same routes and headers as on 80', () => {
    const proxy = get(plan, 'proxy');
    const conf = file(proxy, '/etc/nginx/nginx.conf')!.content!;
    const servers = conf.split(/^ {2}server \{$/m).slice(1);
    expect(servers).toHaveLength(2);
    const [plain, secure] = servers as [string, string];
    expect(plain).toMatch(/^ {4}listen 80;$/m);
    expect(secure).toMatch(/^ {4}listen 443 ssl;$/m);
    expect(secure).toContain('    ssl_certificate /etc/nginx/surge/server.pem;');
    expect(secure).toContain('    ssl_certificate_key /etc/nginx/surge/server.key;');
    for (const s of [plain, secure]) {
      expect(s).toContain('    server_name mastodon.surge.test;');
      expect(s).toContain('proxy_set_header Host mastodon.surge.test;');
      expect(s).toContain('proxy_set_header X-Forwarded-Proto https;');
      expect(s).toContain('proxy_pass http://backend;');
      expect(s).toContain('proxy_pass http://streaming;');
    }
    expect(file(proxy, '/etc/nginx/surge/server.pem')!.content).toBe(tls.cert);
    expect(file(proxy, '/etc/nginx/surge/server.key')).toMatchObject({ content: tls.key, mode: '0600', secret: true });
    expect(file(get(planMastodonStack(), 'proxy'), '/etc/nginx/nginx.conf')!.content).not.toContain('443');
  });

  it('one certificate, signed by the CA, names LOCAL_DOMAIN and every fleet domain', () => {
    const cert = new X509Certificate(tls.cert);
    expect(cert.checkIssued(new X509Certificate(tls.ca))).toBe(true);
    for (const name of ['mastodon.surge.test', 'd0.fleet.surge.test', 'd2.fleet.surge.test']) expect(cert.checkHost(name), name).toBeTruthy();
    expect(cert.checkHost('mastodon.social')).toBeUndefined();
  });

  it('copies a private key only into the fleet and the proxy, and never the CA\'s', () => {
    const keys = plan.containers.flatMap((c) => (c.files ?? []).filter((f) => PRIVATE_KEY.test(f.content ?? '')).map((f) => ({ role: c.role, f })));
    expect(keys.map((k) => k.role).sort()).toEqual(['fleet', 'proxy']);
    const serverPublic = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'pem' });
    const caPublic = new X509Certificate(tls.ca).publicKey.export({ type: 'spki', format: 'pem' });
    for (const { f } of keys) {
      const pub = createPublicKey(createPrivateKey(f.content!)).export({ type: 'spki', format: 'pem' });
      expect(pub).toBe(serverPublic);
      expect(pub).not.toBe(caPublic);
    }
    for (const c of plan.containers) expect(JSON.stringify(c.env), c.role).not.toMatch(PRIVATE_KEY);
  });

  it('prints no private key: redaction replaces the key files by their length', () => {
    const printed = JSON.stringify(redactPlan(plan));
    expect(printed).not.toMatch(PRIVATE_KEY);
    expect(printed).not.toContain(tls.key.split('\n')[1]);
    expect(file(get(redactPlan(plan), 'fleet'), '/opt/surge-fleet/server.key')!.content).toBe(`<redacted: ${tls.key.length} characters>`);
    expect(printed).toContain(tls.cert.split('\n')[1]);
  });

  it('notes say how to federate with it', () => {
    const notes = plan.notes.join('\n');
    expect(notes).toContain('d0…d2.fleet.surge.test');
    expect(notes).toContain('fleet_0…fleet_1');
    expect(notes).toMatch(/POST \{"domain":0,"actor":0,"target":"alice@mastodon\.surge\.test"\}.*control port 9400/);
    expect(notes).toContain('SSL_CERT_FILE');
  });
});

describe('refusals', () => {
  it('refuses a fleet without TLS material, material for another domain, or a broken key', async () => {
    expect(() => planMastodonStack({ fleet: { domains: 1 } })).toThrow(/needs its TLS material: make it with makeStackTls/);
    expect(() => planMastodonStack({ localDomain: 'other.example', fleet: { domains: 1 } }, generateSecrets(), tls)).toThrow(/does not name other\.example/);
    const other = await makeStackTls('mastodon.surge.test');
    expect(() => planMastodonStack({ fleet: { domains: 1 } }, generateSecrets(), { ...tls, key: other.key })).toThrow(/does not belong to the certificate/);
    expect(() => planMastodonStack({ fleet: { domains: 1 } }, generateSecrets(), { ...tls, ca: other.ca })).toThrow(/not signed by its CA/);
  });

  it('refuses sizes that are not whole, too small or too large, and a LOCAL_DOMAIN inside the fleet\'s names', () => {
    const plan1 = (fleet: { domains: number; actorsPerDomain?: number }, localDomain?: string) => () => planMastodonStack({ fleet, ...(localDomain ? { localDomain } : {}) }, generateSecrets(), tls);
    expect(plan1({ domains: 0 })).toThrow(/--fleet-domains must be a whole number from 1 to 200/);
    expect(plan1({ domains: 1.5 })).toThrow(/--fleet-domains/);
    expect(plan1({ domains: 201 })).toThrow(/--fleet-domains/);
    expect(plan1({ domains: 1, actorsPerDomain: 0 })).toThrow(/--fleet-actors must be a whole number from 1 to 100/);
    expect(plan1({ domains: 100, actorsPerDomain: 50 })).toThrow(/5000 RSA keys; keep it at most 2000/);
    expect(plan1({ domains: 1 }, 'd9.fleet.surge.test')).toThrow(/inside the fleet's fleet\.surge\.test/);
  });
});
