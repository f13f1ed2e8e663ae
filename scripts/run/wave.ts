import type { Command } from 'commander';
import { isBuiltinWave } from '../../scenarios/waves/builtin.js';
import { loadWave, WaveError } from '../../scenarios/waves/load.js';
import { positiveNumber, wholeNumber } from '../options.js';
import { UsageError } from './plan.js';

// The wave flags that `surge run` and `surge k8s` share, and the wave file
// read once here so scenarios get it whole (WAVE_JSON).

export function waveOptions(cmd: Command, seedHelp = 'synthetic-user seed'): Command {
  return cmd
    .option('--wave <name|file>', 'wave to replay (built-in name or .json/.yaml file)')
    .option('--compress <n>', 'play the wave this many times faster', positiveNumber('--compress'))
    .option('--scale <x>', 'the wave on an instance this many times the size', positiveNumber('--scale'))
    .option('--seed <n>', seedHelp, wholeNumber(0, 2 ** 31));
}

/** A wave file as JSON for WAVE_JSON; undefined for a built-in wave (passed by name). */
export async function waveJsonOf(wave: string | undefined): Promise<string | undefined> {
  if (!wave || isBuiltinWave(wave)) return undefined;
  try {
    return JSON.stringify(await loadWave(wave));
  } catch (err) {
    throw err instanceof WaveError ? new UsageError(`--wave: ${err.message}`) : err;
  }
}
