// Outgoing HTTP of the fleet without DNS: host names are looked up in an
// explicit map (name → loopback address), anything else must already be an
// IP literal. A name missing from the map fails at once with the fix, so a
// load test can never wander onto the network.

import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

export type HostMap = Readonly<Record<string, string>>;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

export function mapLookup(hosts: HostMap) {
  return (hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const name = hostname.toLowerCase();
    const address = isIP(name) ? name : hosts[name];
    if (!address) {
      const err: NodeJS.ErrnoException = new Error(`${hostname} is not in the fleet's host map: add it (name → loopback address); the fleet never asks DNS`);
      err.code = 'ENOTFOUND';
      callback(err, '');
      return;
    }
    const family = isIP(address);
    if (typeof options === 'object' && options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** An undici dispatcher that resolves through `hosts` and trusts `ca` (PEM) in addition to nothing else when given. */
export function mappedAgent(hosts: HostMap, ca?: string): Dispatcher {
  return new Agent({
    connect: { lookup: mapLookup(hosts) as never, ...(ca ? { ca } : {}) },
    keepAliveTimeout: 10_000,
    connections: 16,
  });
}

export interface FetchLike {
  (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<{
    status: number;
    ok: boolean;
    text(): Promise<string>;
  }>;
}

export function mappedFetch(dispatcher: Dispatcher): FetchLike {
  return (url, init = {}) => undiciFetch(url, { ...init, dispatcher, redirect: 'manual' });
}
