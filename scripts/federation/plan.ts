// What `surge federation` will do, decided from its flags before anything
// starts. Pure: bad input becomes one UsageError line naming the flag and the fix.

import { join } from 'node:path';
import { parseK6Duration } from '../../scenarios/waves/duration.js';
import type { FederationRunPlan } from '../../reports/federation/types.js';
import { UsageError } from '../run/plan.js';
import { GRAPH_SHAPES, type GraphShape } from './graph.js';

export interface FederationFlags {
  instances: number;
  users: number;
  graph: string;
  duration: string;
  killInstance?: number;
  at?: string;
  downFor?: string;
  postRate: number;
  inboundRate: number;
  fleetDomains: number;
  follows: number;
  seed?: number;
  out?: string;
  webConcurrency: number;
  maxThreads: number;
  sidekiqConcurrency: number;
}

export interface FederationPlan extends FederationRunPlan {
  shape: GraphShape;
  /** Bind address of each instance: distinct loopback addresses. */
  addresses: string[];
  outDir: string;
}

/** Instances bind 127.0.0.2, .3, …; the fleet and the services stay on 127.0.0.1. */
export const FIRST_INSTANCE_HOST = 2;
export const MAX_INSTANCES = 8;

function seconds(flag: string, text: string): number {
  const s = /^[\d.]+$/.test(text.trim()) ? NaN : parseK6Duration(text);
  if (!(Number.isFinite(s) && s > 0)) throw new UsageError(`${flag} must be a duration with a unit like 30s, 2m or 1h30m (got "${text}")`);
  return s;
}

export function planFederation(f: FederationFlags, ctx: { now: Date; cwd: string; seed: number }): FederationPlan {
  if (f.instances > MAX_INSTANCES) throw new UsageError(`--instances ${f.instances} is more than ${MAX_INSTANCES} stand-ins fit on this machine's loopback plan; use at most ${MAX_INSTANCES}`);
  if (f.users < f.instances * 2) throw new UsageError(`--users ${f.users} is too few for ${f.instances} instances: give at least 2 per instance (--users ${f.instances * 2})`);
  if (!(GRAPH_SHAPES as readonly string[]).includes(f.graph)) throw new UsageError(`--graph must be one of ${GRAPH_SHAPES.join(', ')} (got "${f.graph}")`);
  const durationS = seconds('--duration', f.duration);
  if (durationS < 10) throw new UsageError(`--duration ${f.duration} is too short to see deliveries: give at least 10s`);

  let kill: FederationPlan['kill'];
  if (f.killInstance !== undefined || f.at !== undefined) {
    if (f.killInstance === undefined || f.at === undefined) throw new UsageError('--kill-instance and --at go together, e.g. --kill-instance 2 --at 20s');
    if (f.killInstance < 1 || f.killInstance > f.instances) throw new UsageError(`--kill-instance must name an instance from 1 to ${f.instances} (got ${f.killInstance})`);
    const atS = seconds('--at', f.at);
    if (atS >= durationS) throw new UsageError(`--at ${f.at} is not before the end of --duration ${f.duration}`);
    const downForS = f.downFor !== undefined ? seconds('--down-for', f.downFor) : Math.min(30, Math.max(5, (durationS - atS) / 2));
    if (atS + downForS >= durationS) throw new UsageError(`the instance would come back at ${atS + downForS}s, after the load ends at ${durationS}s: shorten --down-for or --at, or lengthen --duration`);
    kill = { instance: f.killInstance - 1, atS, downForS };
  } else if (f.downFor !== undefined) {
    throw new UsageError('--down-for needs --kill-instance and --at');
  }

  const stamp = ctx.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    instances: f.instances,
    users: f.users,
    shape: f.graph as GraphShape,
    durationS,
    postRate: f.postRate,
    inboundRate: f.inboundRate,
    fleetDomains: f.fleetDomains,
    followsPerAccount: f.follows,
    seed: f.seed ?? ctx.seed,
    kill,
    addresses: Array.from({ length: f.instances }, (_, i) => `127.0.0.${FIRST_INSTANCE_HOST + i}`),
    sizing: { webConcurrency: f.webConcurrency, maxThreads: f.maxThreads, sidekiqConcurrency: f.sidekiqConcurrency },
    outDir: f.out ?? join(ctx.cwd, 'runs', `${stamp}-federation`),
  };
}
