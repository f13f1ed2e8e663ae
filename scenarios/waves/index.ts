// One import for scenario scripts and the CLI.
export * from './model.js';
export * from './curve.js';
export * from './transform.js';
export * from './stages.js';
export * from './activity.js';
export * from './builtin.js';
export * from './describe.js';
export * from './duration.js';
export { loadWave, parseWave, WaveError } from './load.js';
