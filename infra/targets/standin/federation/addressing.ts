// Where a federated URL is actually reached. Actor and inbox URIs carry the
// peer's LOCAL_DOMAIN (http://b.surge.test/users/bob); a rehearsal has no DNS
// for those names, so FEDERATION_HOSTS maps each domain (or *.suffix) to the
// loopback address that serves it, like an /etc/hosts line with a port. The
// request keeps the domain as its Host header, so signatures and virtual
// hosting see the names a real deployment would. Pure: no I/O.

export interface PeerAddress {
  /** `http://127.0.0.2:4001`: where to connect. */
  origin: string;
}

export type HostMap = ReadonlyMap<string, PeerAddress>;

export class HostMapError extends Error {}

const ADDRESS = /^(?:(https?):\/\/)?(\[[0-9a-f:.]+\]|[0-9.]+|localhost)(?::(\d{1,5}))?\/?$/i;

/**
 * `a.surge.test=127.0.0.2:4001,*.fleet.test=http://127.0.0.9:5000`: domain →
 * [scheme://]address[:port], scheme http unless given. Addresses must be IP
 * literals or localhost, so nothing resolves through DNS.
 */
export function parseHostMap(text: string | undefined): HostMap {
  const map = new Map<string, PeerAddress>();
  for (const entry of (text ?? '').split(/[,\s]+/).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const domain = entry.slice(0, eq).trim().toLowerCase();
    const m = ADDRESS.exec(entry.slice(eq + 1).trim());
    if (eq <= 0 || !m || !/^(\*\.)?[a-z0-9.-]+(:\d+)?$/.test(domain)) {
      throw new HostMapError(
        `FEDERATION_HOSTS entry ${JSON.stringify(entry)} is not domain=address[:port] (e.g. b.surge.test=127.0.0.3:4002; addresses are IP literals)`,
      );
    }
    const scheme = (m[1] ?? 'http').toLowerCase();
    map.set(domain, { origin: `${scheme}://${m[2]!.toLowerCase()}${m[3] ? `:${m[3]}` : ''}` });
  }
  return map;
}

export function formatHostMap(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([domain, address]) => `${domain}=${address}`)
    .join(',');
}

const LITERAL = /^(\[[0-9a-f:.]+\]|\d+\.\d+\.\d+\.\d+|localhost)(:\d+)?$/i;

export interface UrlParts {
  scheme: string;
  /** Authority as written, lower-case: `b.surge.test` or `127.0.0.2:4001`. */
  authority: string;
  /** Host without port: what failure tracking and domain blocks key on. */
  host: string;
  /** Path and query. */
  target: string;
}

export function urlParts(url: string): UrlParts {
  const m = /^(https?):\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!m) throw new HostMapError(`not an http(s) URL: ${JSON.stringify(url)}`);
  const authority = m[2]!.toLowerCase();
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d+$/, '');
  return { scheme: m[1]!.toLowerCase(), authority, host, target: m[3] || '/' };
}

/** The domain part of an actor's URI or of `acct:name@domain`, as accounts.domain stores it. */
export function domainOf(url: string): string {
  return urlParts(url).authority;
}

/**
 * Where to send a request for `url`: the mapped origin for its domain (exact
 * entry first, then the longest matching `*.suffix`), or the URL's own origin
 * when it names an IP literal or localhost. Anything else is refused.
 */
export function resolvePeer(url: string, map: HostMap): { origin: string; host: string; target: string } {
  const parts = urlParts(url);
  const exact = map.get(parts.authority) ?? map.get(parts.host);
  if (exact) return { origin: exact.origin, host: parts.authority, target: parts.target };
  let best: { suffix: string; address: PeerAddress } | undefined;
  for (const [key, address] of map) {
    if (!key.startsWith('*.')) continue;
    const suffix = key.slice(1);
    if (parts.host.endsWith(suffix) && (!best || suffix.length > best.suffix.length)) best = { suffix, address };
  }
  if (best) return { origin: best.address.origin, host: parts.authority, target: parts.target };
  if (LITERAL.test(parts.authority)) return { origin: `${parts.scheme}://${parts.authority}`, host: parts.authority, target: parts.target };
  throw new HostMapError(`no address for ${parts.host} in FEDERATION_HOSTS (rehearsals resolve no names through DNS)`);
}
