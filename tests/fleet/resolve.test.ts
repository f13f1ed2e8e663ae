import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress, mapLookup, mappedAgent, VIA_RESOLVER, type HostMap } from '../../infra/fleet/resolve.js';

// The fleet's outgoing name lookups: an explicit map, and — for the fleet as
// a container of the Mastodon stack — names handed to the system resolver,
// whose answers count only when they are private or loopback.

const lookupAll = (hosts: HostMap, name: string) =>
  new Promise<{ address: string; family: number }[]>((resolve, reject) =>
    mapLookup(hosts)(name, { all: true }, (err, address) => (err ? reject(err) : resolve(address as { address: string; family: number }[]))));

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fleet name lookups', () => {
  it('a name mapped to the resolver is looked up there and used when the answer is loopback or private', async () => {
    expect(await lookupAll({ localhost: VIA_RESOLVER }, 'LocalHost')).toContainEqual({ address: '127.0.0.1', family: 4 });
    const res = await undiciFetch(`http://localhost:${port}/`, { dispatcher: mappedAgent({ localhost: VIA_RESOLVER }) });
    expect(await res.text()).toBe('here');
  });

  it('refuses a resolver answer outside private ranges, and any name that is not listed', async () => {
    // glibc reads a bare number as an IPv4 address: 134744072 is 8.8.8.8, no network needed.
    await expect(lookupAll({ '134744072': VIA_RESOLVER }, '134744072')).rejects.toThrow(/resolved to 8\.8\.8\.8: the fleet only talks to private or loopback addresses/);
    await expect(lookupAll({ localhost: VIA_RESOLVER }, 'mastodon.surge.test')).rejects.toThrow(/not in the fleet's host map/);
    await expect(undiciFetch(`http://elsewhere.test:${port}/`, { dispatcher: mappedAgent({ localhost: VIA_RESOLVER }) })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/elsewhere\.test is not in the fleet's host map/) } });
  });

  it('knows which addresses are private', () => {
    for (const a of ['127.0.0.1', '10.0.0.5', '172.20.0.3', '192.168.1.1', '::1', 'fd12::1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:db8::1', 'example.org', '']) expect(isPrivateAddress(a), a).toBe(false);
  });
});
