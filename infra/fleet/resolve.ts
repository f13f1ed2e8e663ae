// Outgoing HTTP of the fleet without DNS: host names are looked up in an
// explicit map (name → loopback address), anything else must already be an
// IP literal. A name missing from the map fails at once with the fix, so a
// load test can never wander onto the network.
//
// One exception, for the fleet as a container of the Mastodon stack: a name
// mapped to VIA_RESOLVER is asked of the system resolver (there: Docker's
// DNS, which knows the stack's network aliases), and only a private or
// loopback answer is used. Only names listed so are ever resolved.

import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { AddressRanges, PRIVATE_RANGES } from '../services/address-ranges.js';

export type HostMap = Readonly<Record<string, string>>;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

/** A host-map value: resolve this name with the system resolver, private answers only. */
export const VIA_RESOLVER = 'resolver';

const PRIVATE = new AddressRanges(PRIVATE_RANGES);

/** Loopback or a private range (RFC 1918, unique local IPv6): where a rehearsal's own hosts live. */
export function isPrivateAddress(address: string): boolean {
  return PRIVATE.has(address);
}

function notFound(message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = 'ENOTFOUND';
  return err;
}

function answer(addresses: string[], options: { all?: boolean } | number | undefined, callback: LookupCallback): void {
  if (typeof options === 'object' && options?.all) callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
  else callback(null, addresses[0]!, isIP(addresses[0]!));
}

export function mapLookup(hosts: HostMap) {
  return (hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const name = hostname.toLowerCase();
    const address = isIP(name) ? name : hosts[name];
    if (!address) return callback(notFound(`${hostname} is not in the fleet's host map: add it (name → loopback address); the fleet asks DNS only for names mapped to "${VIA_RESOLVER}"`), '');
    if (address !== VIA_RESOLVER) return answer([address], options, callback);
    lookup(name, { all: true }, (err, found) => {
      if (err) return callback(err, '');
      const usable = found.map((a) => a.address).filter(isPrivateAddress);
      if (!usable.length) return callback(notFound(`${hostname} resolved to ${found.map((a) => a.address).join(', ') || 'nothing'}: the fleet only talks to private or loopback addresses`), '');
      answer(usable, options, callback);
    });
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
