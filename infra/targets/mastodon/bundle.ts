import { fileURLToPath } from 'node:url';

// Programs the stack copies into a container (the fleet: infra/fleet/main.ts)
// as one ES module with every dependency inlined, so a stock Node image runs
// it with no node_modules. esbuild (the scenarios' bundler) is loaded only
// when a stack is actually started.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** CommonJS dependencies (prom-client) require Node built-ins, which an ES module bundle must provide. */
const REQUIRE_SHIM = "import { createRequire as surgeCreateRequire } from 'node:module'; const require = surgeCreateRequire(import.meta.url);";

/** The bundle's text; `entry` is relative to the project root. */
export async function bundleProgram(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: 'program.mjs',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    banner: { js: `// mastodon-surge: ${entry} bundled by infra/targets/mastodon/bundle.ts\n${REQUIRE_SHIM}` },
  });
  return result.outputFiles[0]!.text;
}
