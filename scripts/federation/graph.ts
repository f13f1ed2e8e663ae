// The population of a federation run: how many accounts live on each server
// and who follows whom. Pure and seeded: the same options give the same graph.
//
// Instance sizes follow the published shape of the fediverse in Nov 2022: the
// number of instances with at least s users falls roughly as s^-0.5. Read as a
// rank-size law that is size ∝ rank^-2 (rank 1 the biggest), which reproduces
// the published concentration (top 1 % of instances hold most users).
// Stand-in instances take the top ranks (they carry the users and post);
// fleet domains continue the same law as the long tail of small remote servers.
// Who is followed is heavy-tailed too: each account's popularity is Zipf
// (∝ 1/rank) over a seeded shuffle, so a few accounts gather most followers.

import { rngFor } from '../../scenarios/lib/users.js';

export type GraphShape = 'power-law' | 'uniform';
export const GRAPH_SHAPES: readonly GraphShape[] = ['power-law', 'uniform'];

export interface GraphOptions {
  /** Stand-in instances (they host `users` accounts between them). */
  instances: number;
  users: number;
  /** Synthetic remote servers of the fleet, after the stand-ins in size. */
  fleetDomains: number;
  /** Accounts each account follows (capped by how many others exist). */
  followsPerAccount: number;
  shape: GraphShape;
  seed: number;
}

export interface GraphInstance {
  index: number;
  kind: 'standin' | 'fleet';
  /** Accounts on this server. */
  size: number;
}

export interface GraphAccount {
  id: number;
  instance: number;
  /** Position among its instance's accounts. */
  local: number;
}

export interface FederationGraph {
  instances: GraphInstance[];
  accounts: GraphAccount[];
  /** [follower id, followed id]; only stand-in accounts are followed. */
  follows: Array<[number, number]>;
}

/** Size weights for ranks 1..n under the shape, summing to 1. */
export function sizeWeights(n: number, shape: GraphShape): number[] {
  const raw = Array.from({ length: n }, (_, r) => (shape === 'uniform' ? 1 : 1 / (r + 1) ** 2));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

/** Splits `total` into whole parts of at least 1 by weight, largest remainder first. */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (total < weights.length) throw new RangeError(`cannot give ${weights.length} parts at least 1 each out of ${total}`);
  const rest = total - weights.length;
  const exact = weights.map((w) => w * rest);
  const parts = exact.map((x) => Math.floor(x));
  let left = rest - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return parts.map((p) => p + 1);
}

export function checkGraphOptions(o: GraphOptions): void {
  if (!(Number.isInteger(o.instances) && o.instances >= 1)) throw new RangeError(`instances must be a whole number of at least 1 (got ${o.instances})`);
  if (!(Number.isInteger(o.users) && o.users >= o.instances * 2)) {
    throw new RangeError(`users must be at least 2 per instance (${o.instances * 2} for ${o.instances} instances; got ${o.users})`);
  }
  if (!(Number.isInteger(o.fleetDomains) && o.fleetDomains >= 0)) throw new RangeError(`fleet domains must be a whole number (got ${o.fleetDomains})`);
  if (!(Number.isInteger(o.followsPerAccount) && o.followsPerAccount >= 1)) throw new RangeError(`follows per account must be at least 1 (got ${o.followsPerAccount})`);
}

export function buildGraph(o: GraphOptions): FederationGraph {
  checkGraphOptions(o);
  const all = o.instances + o.fleetDomains;
  const weights = sizeWeights(all, o.shape);
  const standinShare = weights.slice(0, o.instances).reduce((a, b) => a + b, 0);
  const standinSizes = apportion(o.users, weights.slice(0, o.instances).map((w) => w / standinShare));
  // The fleet continues the law at the same scale: users per unit of weight.
  const perWeight = o.users / standinShare;
  const fleetSizes = weights.slice(o.instances).map((w) => Math.max(1, Math.round(w * perWeight)));
  const instances: GraphInstance[] = [...standinSizes, ...fleetSizes].map((size, index) => ({
    index,
    kind: index < o.instances ? 'standin' : 'fleet',
    size,
  }));

  const accounts: GraphAccount[] = [];
  for (const inst of instances) for (let local = 0; local < inst.size; local++) accounts.push({ id: accounts.length, instance: inst.index, local });

  const followable = accounts.filter((a) => instances[a.instance]!.kind === 'standin').map((a) => a.id);
  const popularity = zipfPopularity(followable, o.seed);
  const follows: Array<[number, number]> = [];
  for (const a of accounts) {
    const rng = rngFor(o.seed, 0xf011, a.id);
    const candidates = followable.filter((id) => id !== a.id);
    const k = Math.min(o.followsPerAccount, candidates.length);
    for (const target of weightedSample(candidates, (id) => popularity.get(id)!, k, rng)) follows.push([a.id, target]);
  }
  return { instances, accounts, follows };
}

/** Zipf weights (1/rank) over a seeded shuffle of the ids, so who is popular is random but repeatable. */
function zipfPopularity(ids: readonly number[], seed: number): Map<number, number> {
  const order = [...ids];
  const rng = rngFor(seed, 0x2bf);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return new Map(order.map((id, rank) => [id, 1 / (rank + 1)]));
}

/** k distinct items drawn with probability proportional to weight (without replacement). */
function weightedSample<T>(items: readonly T[], weight: (t: T) => number, k: number, rng: () => number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < k && pool.length > 0) {
    const total = pool.reduce((s, t) => s + weight(t), 0);
    let x = rng() * total;
    let i = 0;
    for (; i < pool.length - 1; i++) {
      x -= weight(pool[i]!);
      if (x < 0) break;
    }
    picked.push(pool.splice(i, 1)[0]!);
  }
  return picked;
}

/** Followers of each account. */
export function followersOf(g: FederationGraph): Map<number, number[]> {
  const out = new Map<number, number[]>(g.accounts.map((a) => [a.id, []]));
  for (const [follower, followed] of g.follows) out.get(followed)!.push(follower);
  return out;
}

/**
 * Deliveries one post by `author` causes: one per distinct other server among
 * its followers, since Mastodon delivers to each shared inbox once.
 */
export function remoteServersOf(g: FederationGraph, followers: ReadonlyMap<number, readonly number[]>, author: number): number[] {
  const home = g.accounts[author]!.instance;
  return [...new Set((followers.get(author) ?? []).map((f) => g.accounts[f]!.instance).filter((i) => i !== home))].sort((a, b) => a - b);
}

/** The share of accounts held by the biggest `fraction` of servers (for checking the tail). */
export function topShare(sizes: readonly number[], fraction: number): number {
  const sorted = [...sizes].sort((a, b) => b - a);
  const n = Math.max(1, Math.round(sorted.length * fraction));
  const total = sorted.reduce((a, b) => a + b, 0);
  return sorted.slice(0, n).reduce((a, b) => a + b, 0) / total;
}
