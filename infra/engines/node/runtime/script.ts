// Loading a scenario bundle: an ESM file whose only external imports are
// `k6` and `k6/*`. It is transformed to CommonJS once (esbuild), with the k6
// globals that vary per VU (`__VU`, `__ITER`, `__ENV`, `import.meta`) mapped
// to members of a per-VU state object, and compiled once into a factory
// function. Each VU calls the factory to get its own module instance: its
// own top-level state, as k6 gives every VU its own JS runtime, without a
// vm context per VU.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { transformSync } from 'esbuild';
import { ExitCodeError, ExitCodes } from '../exitcodes.js';
import { registerSourceMap } from './sourcemap.js';

/** What the compiled factory receives; the names are the bundle's free variables. */
export const FACTORY_PARAMS = [
  'require',
  'module',
  'exports',
  '__k6vu',
  '__k6meta',
  'open',
  'console',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'global',
  'Math',
  'globalThis',
  'crypto',
] as const;

export type ScriptFactory = (
  require: (id: string) => unknown,
  module: { exports: Record<string, unknown> },
  exports: Record<string, unknown>,
  vuState: unknown,
  meta: { url: string; resolve: (spec: string) => string },
  open: (path: string, mode?: string) => unknown,
  console: unknown,
  setTimeout: unknown,
  clearTimeout: unknown,
  setInterval: unknown,
  clearInterval: unknown,
  global: unknown,
  math: unknown,
  globalThis: unknown,
  crypto: unknown,
) => void;

export interface Program {
  /** Absolute path of the bundle. */
  filename: string;
  /** Directory `open()` resolves relative paths against. */
  dir: string;
  url: string;
  /** Original (ESM) source. */
  source: string;
  factory: ScriptFactory;
}

/** A script problem before anything ran (syntax, transform): k6 exits 107. */
export class ScriptLoadError extends ExitCodeError {
  constructor(message: string) {
    super(message, ExitCodes.ScriptException);
  }
}

/** Transform ESM → CJS with the per-VU globals mapped; exported for tests. */
export function transformBundle(source: string, filename: string): string {
  try {
    const r = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'es2022',
      sourcefile: filename,
      sourcemap: 'inline',
      define: {
        __VU: '__k6vu.id',
        __ITER: '__k6vu.iter',
        __ENV: '__k6vu.env',
        'import.meta': '__k6meta',
      },
      logLevel: 'silent',
    });
    return r.code;
  } catch (e) {
    const msg = (e as Error).message;
    if (/Top-level await is currently not supported/.test(msg)) {
      throw new ScriptLoadError(
        `${filename}: top-level await is not supported by the Node runner yet (k6 supports it since v0.55); ` +
          'move the awaited code into setup() or the iteration function',
      );
    }
    throw new ScriptLoadError(`could not load ${filename}: ${msg}`);
  }
}

/** Read, transform and compile a bundle once. */
export function loadProgram(file: string): Program {
  const filename = path.resolve(file);
  let source: string;
  try {
    source = readFileSync(filename, 'utf8');
  } catch (e) {
    throw new ScriptLoadError(`could not read the script ${filename}: ${(e as Error).message}`);
  }
  return compileProgram(source, filename);
}

export function compileProgram(source: string, filename: string): Program {
  const code = transformBundle(source, filename);
  let factory: ScriptFactory;
  try {
    // Stack traces point at the bundle; errorText() maps them back through the source map.
    registerSourceMap(filename, code);
    factory = vm.compileFunction(code, [...FACTORY_PARAMS], { filename }) as unknown as ScriptFactory;
  } catch (e) {
    throw new ScriptLoadError(`could not compile ${filename}: ${(e as Error).message}`);
  }
  return { filename, dir: path.dirname(filename), url: pathToFileURL(filename).href, source, factory };
}
