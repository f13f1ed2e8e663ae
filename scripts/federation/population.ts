// Setting up a federation run's population: the stand-ins on their own
// loopback addresses, the fleet, the accounts signed up on each instance, and
// every follow of the graph made the way people make them (a local follow by
// id, a remote one by resolving name@domain then following; the fleet's by a
// signed Follow answered with an Accept).

import { join } from 'node:path';
import { startFleetProcess, type FleetProcess } from '../../infra/fleet/process.js';
import { makeOwnedTempDir, removeOwnedDir } from '../../infra/services/temp-dir.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { mapConcurrent } from '../../scenarios/lib/time.js';
import { syntheticUser } from '../../scenarios/lib/users.js';
import { follow, relationship, resolveAccount, signUpMember, type Member } from './accounts.js';
import type { FederationGraph } from './graph.js';
import type { FederationPlan } from './plan.js';

export const USER_NAMESPACE = 'f';

export interface Population {
  standins: StandinHandle[];
  fleet: FleetProcess;
  /** Index of the fleet domain whose one account follows every stand-in account. */
  observerDomain: number;
  /** Members by graph account id (stand-in accounts only). */
  members: Map<number, Member>;
  follows: { planned: number; accepted: number; failed: number };
}

/** Starts what the population needs; `track` receives each stop function as soon as its service runs. */
export type Services = Pick<Population, 'standins' | 'fleet' | 'observerDomain'> & {
  /** The fleet's private keys for the inbound scenario, in a folder removed at the end (inbound load only). */
  keyFile: string | undefined;
};

export async function startServices(plan: FederationPlan, graph: FederationGraph, track: (stop: () => Promise<void>) => void, log: (line: string) => void): Promise<Services> {
  log(`starting ${plan.instances} stand-in instance(s) on ${plan.addresses.join(', ')} and the fleet…`);
  const fleetSizes = graph.instances.filter((i) => i.kind === 'fleet').map((i) => ({ actors: i.size }));
  let keyFile: string | undefined;
  if (plan.inboundRate > 0) {
    const dir = await makeOwnedTempDir('surge-fleet-keys-');
    track(() => removeOwnedDir(dir));
    keyFile = join(dir, 'fleet-keys.json');
  }
  const fleetPromise = startFleetProcess({ domains: [...fleetSizes, { actors: 1 }], ...(keyFile ? { keyFile } : {}) }).then((f) => {
    track(() => f.stop());
    return f;
  });
  // Two at a time: each brings up PostgreSQL, Redis, mail and three Node processes on 2 shared cores.
  const standins = await mapConcurrent(plan.addresses, 2, async (bind) => {
    const s = await startStandin({ bind, ...plan.sizing });
    track(() => s.stop());
    return s;
  });
  const fleet = await fleetPromise;
  return { standins, fleet, observerDomain: fleetSizes.length, keyFile };
}

export async function populate(
  plan: FederationPlan,
  graph: FederationGraph,
  services: Services,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<Population> {
  const { standins, fleet, observerDomain } = services;
  const api = (instance: number) => ({ baseUrl: standins[instance]!.baseUrl, mailApiUrl: standins[instance]!.mailApiUrl });
  const local = graph.accounts.filter((a) => graph.instances[a.instance]!.kind === 'standin');
  log(`signing up ${local.length} accounts…`);
  const members = new Map<number, Member>();
  await mapConcurrent(local, 4, async (a) => {
    if (signal.aborted) return;
    members.set(a.id, await signUpMember(api(a.instance), syntheticUser(plan.seed, a.id, { namespace: USER_NAMESPACE })));
  });
  const acct = (id: number) => `${members.get(id)!.user.username}@${standins[graph.accounts[id]!.instance]!.localDomain}`;

  const fleetBase = plan.instances;
  const edges = [...graph.follows, ...local.map((a) => [-1, a.id] as [number, number])];
  log(`making ${edges.length} follows (${local.length} by the fleet's observer)…`);
  let accepted = 0;
  let failed = 0;
  const pendingRemote: Array<{ member: Member; instance: number; target: string }> = [];
  await mapConcurrent(edges, 8, async ([from, to]) => {
    if (signal.aborted) return;
    try {
      const followerInstance = from < 0 ? undefined : graph.instances[graph.accounts[from]!.instance]!;
      if (from < 0 || followerInstance!.kind === 'fleet') {
        const where = from < 0 ? { domain: observerDomain, actor: 0 } : { domain: followerInstance!.index - fleetBase, actor: graph.accounts[from]!.local };
        const r = await fleet.follow(where, acct(to), 30_000);
        if (r.accepted) accepted++;
        else failed++;
        return;
      }
      const member = members.get(from)!;
      const sameInstance = graph.accounts[from]!.instance === graph.accounts[to]!.instance;
      const instance = graph.accounts[from]!.instance;
      const target = sameInstance ? members.get(to)!.accountId : await resolveAccount(api(instance), member, acct(to));
      const rel = await follow(api(instance), member, target);
      if (rel.following) accepted++;
      else pendingRemote.push({ member, instance, target });
    } catch (err) {
      failed++;
      log(`  follow ${from} → ${to} failed: ${(err as Error).message}`);
    }
  });
  // Remote follows are requests until the other side's Accept arrives (push, then ingress).
  const deadline = Date.now() + 60_000;
  let waiting = pendingRemote;
  while (waiting.length > 0 && Date.now() < deadline && !signal.aborted) {
    const still: typeof waiting = [];
    for (const p of waiting) if (!(await relationship(api(p.instance), p.member, p.target)).following) still.push(p);
    accepted += waiting.length - still.length;
    waiting = still;
    if (waiting.length) await new Promise((r) => setTimeout(r, 500));
  }
  failed += waiting.length;
  if (waiting.length) log(`  ${waiting.length} remote follow(s) were still not accepted after 60 s`);
  return { standins, fleet, observerDomain, members, follows: { planned: edges.length, accepted, failed } };
}
