// What a federation run keeps (federation-run.json in its folder), from which
// the report is built offline.

import type { Arrival } from '../../infra/fleet/arrivals.js';

export interface InstanceSample {
  /** Seconds since the load started (negative during setup). */
  t: number;
  instance: number;
  /** The worker's metrics answered. */
  up: boolean;
  pushBacklog?: number;
  pushLatencyS?: number;
  ingressBacklog?: number;
  ingressLatencyS?: number;
  /** Cumulative delivery attempts by result since the worker started. */
  deliveries?: Record<string, number>;
  distributed?: number;
  enqueued?: number;
  processed?: number;
  /** Hosts with failing days recorded (exhausted_deliveries:<host>). */
  failingHosts?: string[];
  /** Domains marked unavailable. */
  unavailable?: string[];
}

export interface RunPost {
  uri: string;
  instance: number;
  publishedMs: number;
  /** Other servers the post should reach: stand-in indices and fleet domains. */
  expected: { standins: number[]; fleet: string[] };
}

/** The run's settings as kept with it (what `surge federation` planned, less where it ran). */
export interface FederationRunPlan {
  instances: number;
  users: number;
  shape: string;
  durationS: number;
  /** Local posts per second over all stand-in users. */
  postRate: number;
  /** Signed activities per second from the fleet into the instances (0 = none). */
  inboundRate: number;
  fleetDomains: number;
  followsPerAccount: number;
  seed: number;
  /** 0-based instance taken down at `atS` (seconds into the load) for `downForS`. */
  kill: { instance: number; atS: number; downForS: number } | undefined;
  sizing: { webConcurrency: number; maxThreads: number; sidekiqConcurrency: number };
}

export interface FederationRunData {
  schemaVersion: 1;
  startedAt: string;
  endedAt: string;
  partial: boolean;
  partialReason?: string;
  /** Epoch ms at which the posting load started (t = 0 of the samples). */
  loadStartMs: number;
  plan: FederationRunPlan;
  instances: { index: number; domain: string; users: number }[];
  fleet: { domain: string; actors: number; role: 'graph' | 'observer' }[];
  follows: { planned: number; accepted: number; failed: number };
  /** When the instance actually went down and came back, seconds since the load started. */
  outage?: { instance: number; downAtS: number; upAtS?: number };
  posts: RunPost[];
  postFailures: { t: number; instance: number; message: string }[];
  /** Inbox POSTs the instances answered while the fleet's inbound load ran, and how many with 202. */
  inbound?: { sent: number; accepted: number };
  arrivals: Arrival[];
  samples: InstanceSample[];
}
