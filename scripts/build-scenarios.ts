// Bundles each k6 scenario entry (scenarios/*.ts) into one ES module per
// scenario, dist/k6/<name>.js, that runs unchanged under k6 (Sobek) and under
// our Node k6-compatible runner: `k6` and `k6/*` stay external imports (the
// runtime provides them), so do remote jslib URLs; everything else, including
// the wave model, is inlined. Platform 'neutral' means no Node built-ins can
// sneak in: an import of one fails the build.
//
//   node --import tsx scripts/build-scenarios.ts [--out-dir DIR] [--minify] [--sourcemap] [name …]
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SCENARIOS_DIR = join(ROOT, 'scenarios');
export const DEFAULT_OUT_DIR = join(ROOT, 'dist', 'k6');

/** What k6 provides at run time; never bundled. */
export const K6_EXTERNALS = ['k6', 'k6/*', 'https://*', 'http://*'];

/**
 * Sobek (k6's runtime) runs ES2020 and much of later editions; es2020 keeps
 * async/await and optional chaining native and lowers class fields, private
 * members and logical assignment, which older k6 releases lack.
 */
export const K6_TARGET = 'es2020';

export interface BuildScenariosOptions {
  /** Default dist/k6 under the repo. */
  outDir?: string;
  /** Scenario names ('signup-wave') or paths to entry files; default every scenarios/*.ts. */
  entries?: string[];
  minify?: boolean;
  /** Write <name>.js.map beside each bundle (k6 reads linked source maps for stack traces). */
  sourcemap?: boolean;
}

export interface BuiltScenario {
  /** 'signup-wave' */
  name: string;
  /** Absolute path of the bundle. */
  file: string;
  bytes: number;
}

/** The scenario entry files: scenarios/*.ts (not .d.ts), sorted. */
export function listScenarioEntries(dir = SCENARIOS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

function resolveEntry(entry: string): string {
  if (/[\\/]/.test(entry) || entry.endsWith('.ts')) return resolve(entry);
  const file = join(SCENARIOS_DIR, `${entry}.ts`);
  const known = listScenarioEntries();
  if (!known.includes(file)) {
    throw new Error(`unknown scenario '${entry}': valid names are ${known.map((f) => basename(f, '.ts')).join(', ')}`);
  }
  return file;
}

export function esbuildOptions(entry: string, outFile: string, opts: BuildScenariosOptions = {}): BuildOptions {
  return {
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // 'neutral' resolves no package.json main fields by default.
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    target: K6_TARGET,
    external: K6_EXTERNALS,
    minify: opts.minify ?? false,
    sourcemap: opts.sourcemap ? 'linked' : false,
    treeShaking: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    banner: { js: `// mastodon-surge k6 scenario, bundled from ${relative(ROOT, entry)} by scripts/build-scenarios.ts; do not edit.` },
    write: true,
  };
}

/** Builds the bundles; resolves with one line per scenario, in entry order. */
export async function buildScenarios(opts: BuildScenariosOptions = {}): Promise<BuiltScenario[]> {
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT_DIR);
  const entries = opts.entries && opts.entries.length > 0 ? opts.entries.map(resolveEntry) : listScenarioEntries();
  const built: BuiltScenario[] = [];
  // One build per entry keeps each bundle self-contained (no shared chunks to ship alongside).
  for (const entry of entries) {
    const name = basename(entry, '.ts');
    const file = join(outDir, `${name}.js`);
    try {
      await build(esbuildOptions(entry, file, opts));
    } catch (err) {
      const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
      const detail = errors?.length
        ? errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ')
        : (err as Error).message;
      throw new Error(`building scenario ${name} failed: ${detail}`);
    }
    built.push({ name, file, bytes: statSync(file).size });
  }
  return built;
}

function parseArgs(argv: string[]): BuildScenariosOptions {
  const opts: BuildScenariosOptions = { entries: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out-dir') {
      const v = argv[++i];
      if (!v) throw new Error('--out-dir needs a directory');
      opts.outDir = v;
    } else if (a.startsWith('--out-dir=')) opts.outDir = a.slice('--out-dir='.length);
    else if (a === '--minify') opts.minify = true;
    else if (a === '--sourcemap') opts.sourcemap = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node --import tsx scripts/build-scenarios.ts [--out-dir DIR] [--minify] [--sourcemap] [scenario …]\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.entries!.push(a);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const built = await buildScenarios(parseArgs(process.argv.slice(2)));
    for (const b of built) process.stdout.write(`${relative(process.cwd(), b.file)}  ${(b.bytes / 1024).toFixed(1)} KiB\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
