import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { FleetOptions } from '../../fleet/fleet.js';
import { fleetUsername, NAMED_SUFFIX, namedDomain } from '../../fleet/layout.js';
import { VIA_RESOLVER } from '../../fleet/resolve.js';
import { AddressRanges, splitRanges } from '../../services/address-ranges.js';
import type { ContainerPlan, PlannedFile } from './plan.js';
import { StackPlanError } from './version.js';

// The remote fleet as a container of the Mastodon stack, planned without
// Docker. Why it is built this way (Mastodon's app/lib/request.rb):
// - Mastodon resolves remote hosts with Resolv::DNS, never /etc/hosts, so the
//   fleet's domains are network aliases of its container: Docker's DNS on the
//   stack's network answers them.
// - WebFinger and actor fetches are HTTPS on 443, so the fleet listens there
//   with a certificate from a private CA that web and Sidekiq trust through
//   SSL_CERT_FILE.
// - Answers in private ranges are refused unless ALLOWED_PRIVATE_ADDRESSES
//   lists them; the runner checks the fleet's address against it.
// - The fleet fetches senders' keys and delivers Accepts at
//   https://LOCAL_DOMAIN, i.e. the proxy's TLS server (same CA), which it
//   finds through the same DNS (VIA_RESOLVER, private answers only).
// Pure: the TLS material is made by the caller (makeStackTls) and checked here.

export interface StackFleetOptions {
  /** Synthetic servers d0…d(N-1).fleet.surge.test. */
  domains: number;
  /** Accounts on each; default DEFAULT_FLEET_ACTORS. */
  actorsPerDomain?: number;
}

/** The fleet's certificate material; the CA's key is deliberately not part of it. */
export interface StackTls {
  ca: string;
  cert: string;
  key: string;
}

export const FLEET_IMAGE = 'node:20-bookworm-slim';
export const MAX_FLEET_DOMAINS = 200;
export const MAX_FLEET_ACTORS = 100;
/** Each account gets an RSA-2048 key at start; beyond this the fleet takes minutes to come up. */
export const MAX_FLEET_ACCOUNTS = 2_000;
export const DEFAULT_FLEET_ACTORS = 5;
export const FLEET_CONTROL_PORT = 9400;
export const FLEET_ENTRY = 'infra/fleet/main.ts';
const FLEET_DIR = '/opt/surge-fleet';
const FLEET_FILES = { program: `${FLEET_DIR}/fleet.mjs`, ca: `${FLEET_DIR}/ca.pem`, cert: `${FLEET_DIR}/server.pem`, key: `${FLEET_DIR}/server.key` };
/** Where web and Sidekiq find the fleet's CA (SSL_CERT_FILE). */
export const MASTODON_CA_FILE = '/etc/ssl/surge/fleet-ca.pem';
/** The proxy's certificate for LOCAL_DOMAIN. */
export const PROXY_TLS_FILES = { cert: '/etc/nginx/surge/server.pem', key: '/etc/nginx/surge/server.key' };

export interface FleetPlan {
  container: ContainerPlan;
  /** For web and Sidekiq: the CA file and SSL_CERT_FILE. */
  trust: { env: Record<string, string>; files: PlannedFile[] };
  /** For the proxy: its certificate and key (the config's TLS server reads them). */
  proxyFiles: PlannedFile[];
  notes: string[];
}

export function checkFleetOptions(o: StackFleetOptions): Required<StackFleetOptions> {
  const actorsPerDomain = o.actorsPerDomain ?? DEFAULT_FLEET_ACTORS;
  if (!Number.isInteger(o.domains) || o.domains < 1 || o.domains > MAX_FLEET_DOMAINS) {
    throw new StackPlanError(`--fleet-domains must be a whole number from 1 to ${MAX_FLEET_DOMAINS} (0 or absent: no fleet), got ${o.domains}`);
  }
  if (!Number.isInteger(actorsPerDomain) || actorsPerDomain < 1 || actorsPerDomain > MAX_FLEET_ACTORS) {
    throw new StackPlanError(`--fleet-actors must be a whole number from 1 to ${MAX_FLEET_ACTORS}, got ${actorsPerDomain}`);
  }
  if (o.domains * actorsPerDomain > MAX_FLEET_ACCOUNTS) {
    throw new StackPlanError(`a fleet of ${o.domains} domains × ${actorsPerDomain} accounts is ${o.domains * actorsPerDomain} RSA keys; keep it at most ${MAX_FLEET_ACCOUNTS} (fewer --fleet-actors)`);
  }
  return { domains: o.domains, actorsPerDomain };
}

/** The certificate must be the CA's, match its key, and name LOCAL_DOMAIN and every fleet domain. */
export function checkStackTls(tls: StackTls, names: readonly string[]): void {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(tls.ca);
    cert = new X509Certificate(tls.cert);
    if (!cert.checkPrivateKey(createPrivateKey(tls.key))) throw new Error('the server key does not belong to the certificate');
  } catch (err) {
    throw new StackPlanError(`the fleet's TLS material is not usable (${(err as Error).message}): make it with makeStackTls`);
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new StackPlanError("the fleet's server certificate is not signed by its CA: make both with makeStackTls");
  const missing = names.filter((n) => !cert.checkHost(n));
  if (missing.length) throw new StackPlanError(`the fleet's server certificate does not name ${missing.join(', ')}: make it with makeStackTls for this --local-domain`);
}

export function planFleet(o: { localDomain: string; fleet: StackFleetOptions; tls: StackTls }): FleetPlan {
  const { domains, actorsPerDomain } = checkFleetOptions(o.fleet);
  if (o.localDomain === NAMED_SUFFIX || o.localDomain.endsWith(`.${NAMED_SUFFIX}`)) {
    throw new StackPlanError(`--local-domain ${o.localDomain} is inside the fleet's ${NAMED_SUFFIX}: pick another`);
  }
  const names = Array.from({ length: domains }, (_, i) => namedDomain(i));
  checkStackTls(o.tls, [o.localDomain, ...names]);
  const options: Omit<FleetOptions, 'log'> = {
    domains: names.map(() => ({ actors: actorsPerDomain })),
    naming: 'named',
    host: '0.0.0.0',
    port: 443,
    tlsFiles: { ca: FLEET_FILES.ca, cert: FLEET_FILES.cert, key: FLEET_FILES.key },
    // The proxy's certificate comes from the same CA.
    targetCaFile: FLEET_FILES.ca,
    hosts: { [o.localDomain]: VIA_RESOLVER },
  };
  const last = `d${domains - 1}.${NAMED_SUFFIX}`;
  const accounts = `${fleetUsername(0)}…${fleetUsername(actorsPerDomain - 1)}`;
  return {
    container: {
      role: 'fleet',
      image: FLEET_IMAGE,
      command: ['node', FLEET_FILES.program],
      env: {
        NODE_ENV: 'production',
        FLEET_OPTIONS: JSON.stringify(options),
        FLEET_CONTROL_HOST: '0.0.0.0',
        FLEET_CONTROL_PORT: String(FLEET_CONTROL_PORT),
      },
      aliases: ['fleet', ...names],
      ports: [FLEET_CONTROL_PORT],
      readyWhen: { kind: 'http', port: FLEET_CONTROL_PORT, path: '/domains' },
      files: [
        { target: FLEET_FILES.program, bundle: FLEET_ENTRY, mode: '0644' },
        { target: FLEET_FILES.ca, content: o.tls.ca, mode: '0644' },
        { target: FLEET_FILES.cert, content: o.tls.cert, mode: '0644' },
        { target: FLEET_FILES.key, content: o.tls.key, mode: '0600', secret: true },
      ],
      why: `the remote fleet: ${domains} synthetic ActivityPub servers on 443 (TLS), named by network aliases because Mastodon resolves with Resolv::DNS, not /etc/hosts`,
    },
    trust: { env: { SSL_CERT_FILE: MASTODON_CA_FILE }, files: [{ target: MASTODON_CA_FILE, content: o.tls.ca, mode: '0644' }] },
    proxyFiles: [
      { target: PROXY_TLS_FILES.cert, content: o.tls.cert, mode: '0644' },
      { target: PROXY_TLS_FILES.key, content: o.tls.key, mode: '0600', secret: true },
    ],
    notes: [
      `fleet: ${domains} servers d0…${last}, accounts ${accounts} on each; Mastodon finds them through Docker's DNS (network aliases) at addresses ALLOWED_PRIVATE_ADDRESSES admits`,
      `web and Sidekiq trust the fleet's CA through SSL_CERT_FILE=${MASTODON_CA_FILE} (OpenSSL still reads the image's /etc/ssl/certs, so public CAs stay trusted); the proxy serves https://${o.localDomain} on 443 with a certificate from that CA, so the fleet can fetch keys and deliver Accepts`,
      `to federate: POST {"domain":0,"actor":0,"target":"alice@${o.localDomain}"} to the fleet's control port ${FLEET_CONTROL_PORT} (published) makes ${fleetUsername(0)}@d0.${NAMED_SUFFIX} follow alice, so her posts are delivered to d0 and timed (GET /summary, /metrics); a Mastodon user follows ${fleetUsername(0)}@d0.${NAMED_SUFFIX} by searching that address`,
    ],
  };
}

/** Whether Mastodon may connect to `ip` under ALLOWED_PRIVATE_ADDRESSES (comma-separated addresses and CIDR ranges, as Ruby's IPAddr reads them). */
export function privateAddressAllowed(ip: string, allowed: string): boolean {
  return new AddressRanges(splitRanges(allowed), 'ALLOWED_PRIVATE_ADDRESSES').has(ip);
}
