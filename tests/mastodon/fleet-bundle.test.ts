import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetOptions } from '../../infra/fleet/fleet.js';
import type { FleetReady } from '../../infra/fleet/main.js';
import { firstLine } from '../../infra/fleet/process.js';
import { mappedAgent } from '../../infra/fleet/resolve.js';
import { spawnService, stopService, type ServiceProcess } from '../../infra/services/child.js';
import { freePorts } from '../../infra/services/ports.js';
import { bundleProgram } from '../../infra/targets/mastodon/bundle.js';
import { planMastodonStack, type ContainerPlan } from '../../infra/targets/mastodon/plan.js';
import { generateSecrets } from '../../infra/targets/mastodon/secrets.js';
import { makeStackTls } from '../../infra/targets/mastodon/stack-tls.js';

// The fleet container's program without Docker: the planned files (the
// esbuild bundle, the CA, the certificate and key) laid out under a temporary
// root, the planned command and env run as a real process with no
// node_modules in reach. Only what a container changes is changed: paths get
// the root in front, the ports (443, 9400) become free ones, and the name of
// the in-process fleet that stands in for Mastodon's side is mapped to loopback.

let root: string;
let rooted: (path: string) => string;
let fleet: ContainerPlan;
let proc: ServiceProcess | undefined;
let ready: FleetReady;
let ca: string;
let port: number;
let controlPort: number;
const names = { 'd0.fleet.surge.test': '127.0.0.1', 'd1.fleet.surge.test': '127.0.0.1' };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fleet-container-'));
  const tls = await makeStackTls('mastodon.surge.test');
  ca = tls.ca;
  fleet = planMastodonStack({ fleet: { domains: 2, actorsPerDomain: 2 } }, generateSecrets(), tls).containers.find((c) => c.role === 'fleet')!;
  rooted = (path: string) => join(root, path);
  for (const f of fleet.files!) {
    await mkdir(dirname(rooted(f.target)), { recursive: true });
    await writeFile(rooted(f.target), f.bundle === undefined ? f.content : await bundleProgram(f.bundle), { mode: parseInt(f.mode ?? '0644', 8) });
  }
  [port, controlPort] = (await freePorts(2)) as [number, number];
  const options = JSON.parse(fleet.env.FLEET_OPTIONS!) as FleetOptions;
  const inRoot: FleetOptions = {
    ...options,
    port,
    tlsFiles: { ca: rooted(options.tlsFiles!.ca), cert: rooted(options.tlsFiles!.cert), key: rooted(options.tlsFiles!.key) },
    targetCaFile: rooted(options.targetCaFile!),
    hosts: { ...options.hosts, ...names },
  };
  const [node, program] = fleet.command!;
  expect(node).toBe('node');
  proc = await spawnService(process.execPath, [rooted(program!)], {
    cwd: root,
    env: { ...fleet.env, PATH: process.env.PATH, FLEET_OPTIONS: JSON.stringify(inRoot), FLEET_CONTROL_PORT: String(controlPort) },
  });
  ready = await firstLine(proc, 60_000);
}, 120_000);

afterAll(async () => {
  if (proc) await stopService(proc, { signal: 'SIGTERM', timeoutMs: 10_000 });
  await rm(root, { recursive: true, force: true });
});

const get = (dispatcher: Dispatcher, url: string, accept: string) => undiciFetch(url, { dispatcher, headers: { accept } });

describe('the fleet container\'s program', () => {
  it('starts from the bundle alone and announces its named domains', () => {
    expect(ready.domains.map((d) => d.domain)).toEqual([`d0.fleet.surge.test:${port}`, `d1.fleet.surge.test:${port}`]);
    expect(ready.domains[1]!.usernames).toEqual(['fleet_0', 'fleet_1']);
    expect(ready.controlUrl).toBe(`http://0.0.0.0:${controlPort}`);
  });

  it('answers WebFinger and actor fetches over HTTPS to a client that trusts its CA and maps the names', async () => {
    const trusted = mappedAgent(names, ca);
    try {
      const domain = `d1.fleet.surge.test:${port}`;
      const wf = await get(trusted, `https://${domain}/.well-known/webfinger?resource=acct:fleet_1@${domain}`, 'application/jrd+json');
      expect(wf.status).toBe(200);
      const self = ((await wf.json()) as { links: { rel: string; href: string }[] }).links.find((l) => l.rel === 'self')!.href;
      expect(self).toBe(`https://${domain}/users/fleet_1`);
      const actor = (await (await get(trusted, self, 'application/activity+json')).json()) as { publicKey: { publicKeyPem: string } };
      expect(actor.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    } finally {
      await trusted.close();
    }
  });

  it('is refused by a client that does not trust the fleet\'s CA (real TLS)', async () => {
    const untrusted = mappedAgent(names);
    try {
      await expect(get(untrusted, `https://d0.fleet.surge.test:${port}/.well-known/nodeinfo`, 'application/json')).rejects.toMatchObject({ cause: { code: expect.stringMatching(/CERT|SIGNATURE|ISSUER/) } });
    } finally {
      await untrusted.close();
    }
  });

  it('serves its control endpoint on the planned host, where the runner reads the domains', async () => {
    const domains = (await (await fetch(`http://127.0.0.1:${controlPort}/domains`)).json()) as { domain: string }[];
    expect(domains.map((d) => d.domain)).toEqual(ready.domains.map((d) => d.domain));
  });

  it('follows an account on a TLS server from the same CA and gets the signed Accept, as it would at Mastodon', async () => {
    const files = { ca: rooted('/opt/surge-fleet/ca.pem'), cert: rooted('/opt/surge-fleet/server.pem'), key: rooted('/opt/surge-fleet/server.key') };
    const other = await startFleet({ domains: [{ actors: 1 }], naming: 'named', tlsFiles: files, targetCaFile: files.ca, hosts: names });
    try {
      const target = other.domains[0]!;
      const res = await fetch(`http://127.0.0.1:${controlPort}/follow`, { method: 'POST', body: JSON.stringify({ domain: 0, actor: 1, target: `fleet_0@${target.domain}`, timeoutMs: 10_000 }) });
      expect(await res.json()).toEqual({ object: `${target.base}/users/fleet_0`, status: 202, accepted: true });
      expect(other.actor({ domain: 0, actor: 0 }).followers).toEqual(new Set([`https://d0.fleet.surge.test:${port}/users/fleet_1`]));
    } finally {
      await other.stop();
    }
  });
});
