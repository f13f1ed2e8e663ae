// Which synthetic servers the fleet hosts and where they answer. Pure.
//
// Two ways to name a domain, because targets reach them differently:
// - `loopback`: the domain is `127.0.0.1:<port>`, one port per domain, plain
//   HTTP. A stand-in reaches it like any host:port, with no resolver at all.
// - `named`: the domain is a host name (`d0.fleet.surge.test`), all domains
//   share one TLS port and are told apart by the Host header. A real Mastodon
//   reaches them through the hosts map (its /etc/hosts or resolver) and trusts
//   the fleet's generated CA.

export type FleetNaming = 'loopback' | 'named';

export interface FleetDomainSpec {
  /** Accounts on this server. */
  actors: number;
}

export interface FleetDomain {
  index: number;
  /** host[:port] as it appears in acct: URIs and Host headers. */
  domain: string;
  /** scheme://domain */
  base: string;
  usernames: string[];
}

export const NAMED_SUFFIX = 'fleet.surge.test';

export function fleetUsername(index: number): string {
  return `fleet_${index}`;
}

export function namedDomain(index: number, suffix = NAMED_SUFFIX): string {
  return `d${index}.${suffix}`;
}

/** Lay the domains out once their listening ports are known (one per domain for loopback, one shared for named). */
export function layoutDomains(
  specs: readonly FleetDomainSpec[],
  naming: FleetNaming,
  where: { host: string; ports: readonly number[]; suffix?: string },
): FleetDomain[] {
  return specs.map((spec, index) => {
    if (!(Number.isInteger(spec.actors) && spec.actors >= 1)) throw new RangeError(`fleet domain ${index} needs at least one actor (got ${spec.actors})`);
    const port = naming === 'loopback' ? where.ports[index] : where.ports[0];
    if (port === undefined) throw new RangeError(`no port for fleet domain ${index}`);
    const domain = naming === 'loopback' ? `${where.host}:${port}` : namedDomain(index, where.suffix);
    const base = naming === 'loopback' ? `http://${domain}` : `https://${domain}${port === 443 ? '' : `:${port}`}`;
    return { index, domain: naming === 'loopback' ? domain : base.slice('https://'.length), base, usernames: Array.from({ length: spec.actors }, (_, j) => fleetUsername(j)) };
  });
}

/** The Host header (lower-case, as sent) → its domain. */
export function domainByHost(domains: readonly FleetDomain[]): Map<string, FleetDomain> {
  return new Map(domains.map((d) => [d.domain.toLowerCase(), d]));
}

/** /etc/hosts lines a target needs to reach named domains. */
export function hostsFileLines(domains: readonly FleetDomain[], address: string): string[] {
  return domains.map((d) => `${address} ${d.domain.replace(/:\d+$/, '')}`);
}
