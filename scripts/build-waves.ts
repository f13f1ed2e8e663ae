import { writeFileSync } from 'node:fs';
import { BUILTIN_INPUTS } from '../scenarios/waves/builtin-inputs.js';
import { waveSchema } from '../scenarios/waves/model.js';

// Regenerates scenarios/waves/builtin-waves.json from builtin-inputs.ts.
const waves = BUILTIN_INPUTS.map((i) => waveSchema.parse(i));
writeFileSync(new URL('../scenarios/waves/builtin-waves.json', import.meta.url), `${JSON.stringify(waves, null, 2)}\n`);
process.stdout.write(`wrote ${waves.length} waves\n`);
