// k6/crypto: hashes, HMAC and random bytes (node:crypto underneath).

import nodeCrypto from 'node:crypto';
import type { VU } from '../runtime/vu.js';
import { toArrayBuffer, toBytes } from './util.js';

const ALGOS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algo(a: unknown): string {
  const n = ALGOS[String(a)];
  if (!n) throw new Error(`invalid algorithm: ${String(a)}`);
  return n;
}

function encode(digest: Buffer, enc: unknown): string | ArrayBuffer {
  switch (enc) {
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'base64url':
      return digest.toString('base64url') + '='.repeat((4 - (digest.toString('base64url').length % 4)) % 4);
    case 'base64rawurl':
      return digest.toString('base64url');
    case 'binary':
    case undefined:
      return toArrayBuffer(digest);
    default:
      throw new Error(`invalid output encoding: ${String(enc)}`);
  }
}

class Hasher {
  constructor(private readonly h: nodeCrypto.Hash | nodeCrypto.Hmac) {}
  update(input: unknown): void {
    this.h.update(toBytes(input));
  }
  digest(enc?: unknown): string | ArrayBuffer {
    return encode(this.h.digest(), enc);
  }
}

export function createCryptoModule(_vu: VU): object {
  const hashFn = (name: string) => (input: unknown, enc?: unknown) =>
    encode(nodeCrypto.createHash(algo(name)).update(toBytes(input)).digest(), enc);
  const mod: Record<string, unknown> = {
    createHash: (a: unknown) => new Hasher(nodeCrypto.createHash(algo(a))),
    createHMAC: (a: unknown, secret: unknown) => new Hasher(nodeCrypto.createHmac(algo(a), toBytes(secret))),
    hmac: (a: unknown, secret: unknown, data: unknown, enc?: unknown) =>
      encode(nodeCrypto.createHmac(algo(a), toBytes(secret)).update(toBytes(data)).digest(), enc),
    randomBytes: (n: unknown) => toArrayBuffer(nodeCrypto.randomBytes(Number(n))),
  };
  for (const name of Object.keys(ALGOS)) mod[name] = hashFn(name);
  return mod;
}
