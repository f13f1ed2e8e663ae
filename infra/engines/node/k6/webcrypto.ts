import { webcrypto } from 'node:crypto';
import type { VU } from '../runtime/vu.js';

// The global `crypto` a VU sees. k6's WebCrypto registers every SubtleCrypto
// call on the VU's event loop, so an iteration awaiting a digest or a
// signature is still running; Node's own crypto.subtle settles on a thread
// pool the iteration knows nothing of, and the runner would end the iteration
// (and drop the requests made after the await) while it waits. Each call is
// therefore tracked by the iteration scope, like a request or a timer.

type SubtleMethod = keyof webcrypto.SubtleCrypto;

const SUBTLE_METHODS: SubtleMethod[] = [
  'decrypt', 'deriveBits', 'deriveKey', 'digest', 'encrypt', 'exportKey',
  'generateKey', 'importKey', 'sign', 'unwrapKey', 'verify', 'wrapKey',
];

export function vuCrypto(vu: VU): webcrypto.Crypto {
  const subtle = {} as Record<SubtleMethod, unknown>;
  for (const m of SUBTLE_METHODS) {
    const native = (webcrypto.subtle[m] as (...args: unknown[]) => Promise<unknown>).bind(webcrypto.subtle);
    subtle[m] = (...args: unknown[]) => (vu.inInit ? native(...args) : vu.requireScope('crypto.subtle').track(() => native(...args)));
  }
  return Object.freeze({
    subtle: Object.freeze(subtle),
    getRandomValues: (array: Parameters<typeof webcrypto.getRandomValues>[0]) => webcrypto.getRandomValues(array),
    randomUUID: () => webcrypto.randomUUID(),
  }) as unknown as webcrypto.Crypto;
}
