// The k6 JS modules the Node runner provides. `require(id)` inside a script
// returns a per-VU instance (k6 creates module instances per VU too). The
// returned object is the module's default export and also carries its named
// exports, which is what esbuild's CommonJS interop expects.

import type { VU } from '../runtime/vu.js';
import { createCryptoModule } from './crypto.js';
import { createDataModule } from './data.js';
import { createEncodingModule } from './encoding.js';
import { createExecutionModule } from './execution.js';
import { createHttpModule } from './http.js';
import { createJslibSummaryModule, JSLIB_SUMMARY_RE } from './jslib-summary.js';
import { createJslibUtilsModule, JSLIB_UTILS_RE } from './jslib-utils.js';
import { createK6Module } from './k6.js';
import { createMetricsModule } from './metrics.js';
import { createTimersModule } from './timers.js';
import { createWebSocketsModule } from './websockets.js';

const FACTORIES: Record<string, (vu: VU) => object> = {
  k6: createK6Module,
  'k6/http': createHttpModule,
  'k6/metrics': createMetricsModule,
  'k6/execution': createExecutionModule,
  'k6/data': createDataModule,
  'k6/timers': createTimersModule,
  'k6/websockets': createWebSocketsModule,
  'k6/experimental/websockets': createWebSocketsModule,
  'k6/encoding': createEncodingModule,
  'k6/crypto': createCryptoModule,
};

/** Modules k6 has that this runner does not provide (yet). */
const KNOWN_K6 = [
  'k6/browser',
  'k6/crypto/x509',
  'k6/html',
  'k6/net/grpc',
  'k6/secrets',
  'k6/ws',
  'k6/experimental/csv',
  'k6/experimental/fs',
  'k6/experimental/streams',
];

export const SUPPORTED_MODULES = Object.keys(FACTORIES);

export class UnsupportedModuleError extends Error {
  constructor(readonly id: string) {
    let msg: string;
    if (KNOWN_K6.includes(id)) {
      msg = `the k6 module '${id}' is not supported by the Node runner; supported modules: ${SUPPORTED_MODULES.join(', ')}`;
    } else if (id === 'k6' || id.startsWith('k6/')) {
      msg = `unknown module: ${id}`;
    } else {
      msg = `the module '${id}' is not available to the Node runner: only k6 built-in modules (and jslib k6-summary and k6-utils) are provided, bundle everything else into the script`;
    }
    super(msg);
    this.name = 'UnsupportedModuleError';
  }
}

export function isSupportedModule(id: string): boolean {
  return Object.hasOwn(FACTORIES, id) || JSLIB_SUMMARY_RE.test(id) || JSLIB_UTILS_RE.test(id);
}

export function createModule(id: string, vu: VU): object {
  if (JSLIB_SUMMARY_RE.test(id)) return createJslibSummaryModule(vu);
  if (JSLIB_UTILS_RE.test(id)) return createJslibUtilsModule(vu);
  const f = FACTORIES[id];
  if (!f) throw new UnsupportedModuleError(id);
  return f(vu);
}
