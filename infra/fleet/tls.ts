// A private certificate authority for the fleet's named domains, so a real
// Mastodon (which only federates over HTTPS) can reach them: install ca.pem
// in the target's trust store (e.g. SSL_CERT_FILE or
// /usr/local/share/ca-certificates) and the hosts map in its resolver.
// Made with the system's openssl; the CA key never leaves `dir`. A fleet in
// a container gets the material made by the harness (readFleetTls).

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../services/child.js';

export interface FleetTls {
  /** PEM of the CA the target must trust. */
  ca: string;
  caFile: string;
  key: string;
  cert: string;
}

/** Makes a CA and one server certificate for `*.suffix` (plus `names`), valid for `days`. */
export async function makeFleetTls(dir: string, suffix: string, names: readonly string[] = [], days = 7): Promise<FleetTls> {
  const run = (args: string[]) => runCommand('openssl', args, { cwd: dir, timeoutMs: 30_000 });
  const f = (name: string) => join(dir, name);
  await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', String(days), '-subj', '/CN=mastodon-surge fleet CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=*.${suffix}`]);
  const san = [`*.${suffix}`, ...names].map((n) => `DNS:${n}`).join(',');
  await writeFile(f('server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  await run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', String(days), '-extfile', f('server.ext')]);
  const [ca, key, cert] = await Promise.all([readFile(f('ca.pem'), 'utf8'), readFile(f('server.key'), 'utf8'), readFile(f('server.pem'), 'utf8')]);
  return { ca, caFile: f('ca.pem'), key, cert };
}

/** TLS material made elsewhere (e.g. copied into the fleet's container): the CA and the server's certificate and key. */
export async function readFleetTls(files: { ca: string; cert: string; key: string }): Promise<FleetTls> {
  const [ca, cert, key] = await Promise.all([files.ca, files.cert, files.key].map((f) => readFile(f, 'utf8')));
  return { ca: ca!, caFile: files.ca, key: key!, cert: cert! };
}
