import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAMED_SUFFIX } from '../../fleet/layout.js';
import { makeFleetTls } from '../../fleet/tls.js';
import type { StackTls } from './fleet-container.js';
import { checkDomain } from './plan.js';

// The TLS material of a stack with a fleet: a private CA and one certificate
// for *.fleet.surge.test and LOCAL_DOMAIN (the fleet and the proxy share it),
// made with openssl in a temporary folder. The CA's key is deleted with that
// folder as soon as the certificate is signed, so it is never copied anywhere
// and nothing more can be signed with it.

export async function makeStackTls(localDomain: string): Promise<StackTls> {
  const domain = checkDomain('--local-domain', localDomain);
  const dir = await mkdtemp(join(tmpdir(), 'surge-stack-tls-'));
  try {
    const { ca, cert, key } = await makeFleetTls(dir, NAMED_SUFFIX, [domain]);
    return { ca, cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
