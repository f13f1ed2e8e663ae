// Built-in waves, validated and with defaults applied (builtin-inputs.ts is the
// source). Kept as data so k6 bundles carry no schema library.
import data from './builtin-waves.json' with { type: 'json' };
import { WaveError } from './errors.js';
import type { Wave } from './model.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// Frozen because curve.ts caches integration tables per wave object.
const BUILTIN: ReadonlyMap<string, Wave> = new Map((data as Wave[]).map((w) => [w.name, deepFreeze(w)]));

/** Names of the built-in waves. */
export function listWaves(): string[] {
  return [...BUILTIN.keys()];
}

/** A built-in wave by name; the error lists the valid names. */
export function getWave(name: string): Wave {
  const wave = BUILTIN.get(name);
  if (!wave) throw new WaveError(`unknown wave '${name}': valid names are ${listWaves().join(', ')} (or pass a .json/.yaml/.yml file)`);
  return wave;
}

export function isBuiltinWave(name: string): boolean {
  return BUILTIN.has(name);
}
