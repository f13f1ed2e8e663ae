import type { GenericContainer, StartedNetwork, StartedTestContainer } from 'testcontainers';
import type { FleetDomain } from '../../fleet/layout.js';
import { bundleProgram } from './bundle.js';
import { privateAddressAllowed } from './fleet-container.js';
import type { ContainerPlan, Role, StackPlan } from './plan.js';

// Carries out a StackPlan with testcontainers: one network, the containers in
// the plan's order, the bootstrap commands, and the addresses a run needs.
// Only ever reached where a Docker engine answers (the CLI checks first);
// testcontainers is imported lazily so machines without Docker never load it.
// Its Ryuk reaper removes every container if this process dies. Programs the
// plan bundles (the fleet) are built before any container starts.

export interface MastodonHandle {
  target: 'mastodon';
  tag: string;
  baseUrl: string;
  mailApiUrl: string;
  /** By scrape job (the report's names): Puma's exporter, Sidekiq, streaming. */
  metrics: { job: string; url: string }[];
  postgresUrl: string;
  redisUrl: string;
  /** Owner token with admin scopes; never printed. */
  adminToken: string;
  /** The remote fleet, when planned: its control endpoint on the host and its domains as Mastodon sees them. */
  fleet?: { controlUrl: string; domains: FleetDomain[] };
  stop(): Promise<void>;
}

const STARTUP_MS: Partial<Record<Role, number>> = { 'db-setup': 10 * 60_000, web: 5 * 60_000, sidekiq: 5 * 60_000, exporter: 3 * 60_000 };

async function containerFor(c: ContainerPlan, network: StartedNetwork, bundles: ReadonlyMap<string, string>): Promise<GenericContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  let g = new GenericContainer(c.image).withNetwork(network).withEnvironment(c.env).withStartupTimeout(STARTUP_MS[c.role] ?? 2 * 60_000);
  if (c.aliases.length) g = g.withNetworkAliases(...c.aliases);
  if (c.command) g = g.withCommand(c.command);
  if (c.ports.length) g = g.withExposedPorts(...c.ports);
  if (c.tmpfs) g = g.withTmpFs(c.tmpfs);
  if (c.role === 'db') g = g.withSharedMemorySize(256 * 1024 * 1024);
  if (c.files) {
    g = g.withCopyContentToContainer(c.files.map((f) => ({ content: f.bundle === undefined ? f.content : bundles.get(f.bundle)!, target: f.target, mode: parseInt(f.mode ?? '0644', 8) })));
  }
  if (c.healthCheck) {
    const h = c.healthCheck;
    g = g.withHealthCheck({ test: h.test, interval: h.intervalMs, timeout: h.timeoutMs, retries: h.retries, startPeriod: h.startPeriodMs });
  }
  const ready = c.readyWhen;
  return g.withWaitStrategy(
    ready.kind === 'healthy' ? Wait.forHealthCheck()
      : ready.kind === 'exited' ? Wait.forOneShotStartup()
        : ready.kind === 'http' ? Wait.forHttp(ready.path, ready.port)
          : Wait.forListeningPorts(),
  );
}

export async function startMastodonStack(plan: StackPlan): Promise<MastodonHandle> {
  const entries = [...new Set(plan.containers.flatMap((c) => c.files ?? []).flatMap((f) => (f.bundle === undefined ? [] : [f.bundle])))];
  const bundles = new Map(await Promise.all(entries.map(async (e) => [e, await bundleProgram(e)] as const)));
  const { Network } = await import('testcontainers');
  const network = await new Network().start();
  const running = new Map<Role, StartedTestContainer>();
  const stop = async () => {
    for (const c of [...running.values()].reverse()) await c.stop({ timeout: 10_000 }).catch(() => {});
    running.clear();
    await network.stop().catch(() => {});
  };
  try {
    const byRole = new Map(plan.containers.map((c) => [c.role, c]));
    const secrets: Record<string, string> = {};
    for (const step of plan.steps) {
      if ('start' in step) {
        const started = await Promise.all(step.start.map(async (role) => [role, await (await containerFor(byRole.get(role)!, network, bundles)).start()] as const));
        for (const [role, c] of started) running.set(role, c);
        continue;
      }
      const { exec } = step;
      const result = await running.get(exec.in)!.exec(exec.command);
      // The output may hold a password or the token: only the exit code is reported.
      if (result.exitCode !== 0) throw new Error(`Mastodon bootstrap "${exec.name}" failed with exit code ${result.exitCode} (in ${exec.in})`);
      if (exec.output === 'secret') secrets[exec.name] = result.stdout.trim().split('\n').at(-1)!.trim();
    }
    const url = (role: Role, port: number, path = '') => {
      const c = running.get(role)!;
      return `http://${c.getHost()}:${c.getMappedPort(port)}${path}`;
    };
    const pg = plan.endpoints.postgres;
    const db = running.get(pg.role)!;
    const redis = running.get(plan.endpoints.redis.role)!;
    const env = (role: Role, name: string) => byRole.get(role)!.env[name]!;
    const fleet = plan.endpoints.fleet;
    if (fleet) {
      // Docker picked the address; Mastodon refuses it unless ALLOWED_PRIVATE_ADDRESSES covers it.
      const ip = running.get(fleet.role)!.getIpAddress(network.getName());
      const allowed = env('sidekiq', 'ALLOWED_PRIVATE_ADDRESSES');
      if (!privateAddressAllowed(ip, allowed)) throw new Error(`the fleet's address ${ip} is outside ALLOWED_PRIVATE_ADDRESSES (${allowed}), so Mastodon would refuse to federate with it: add its range`);
    }
    return {
      target: 'mastodon',
      tag: plan.mastodon.tag,
      baseUrl: url(plan.endpoints.base.role, plan.endpoints.base.port),
      mailApiUrl: url(plan.endpoints.mailApi.role, plan.endpoints.mailApi.port),
      metrics: plan.endpoints.metrics.map((m) => ({ job: m.job, url: url(m.role, m.port, m.path) })),
      postgresUrl: `postgres://${pg.user}:${encodeURIComponent(env('db', 'POSTGRES_PASSWORD'))}@${db.getHost()}:${db.getMappedPort(pg.port)}/${pg.database}`,
      redisUrl: `redis://:${encodeURIComponent(env('redis', 'REDISCLI_AUTH'))}@${redis.getHost()}:${redis.getMappedPort(plan.endpoints.redis.port)}`,
      adminToken: secrets['admin token']!,
      ...(fleet ? { fleet: await fleetEndpoint(url(fleet.role, fleet.port)) } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The fleet's control endpoint through its published port, and the domains it serves. */
async function fleetEndpoint(controlUrl: string): Promise<{ controlUrl: string; domains: FleetDomain[] }> {
  const res = await fetch(`${controlUrl}/domains`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the fleet's control endpoint answered ${res.status} for /domains`);
  return { controlUrl, domains: (await res.json()) as FleetDomain[] };
}
