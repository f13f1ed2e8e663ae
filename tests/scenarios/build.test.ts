import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildScenarios, listScenarioEntries } from '../../scripts/build-scenarios.js';
import { ROOT, bundles, cleanBundles } from './helpers.js';

const run = promisify(execFile);
const SCENARIOS = ['breakpoint', 'federation-inbound', 'newcomer-activity', 'signup-wave', 'smoke', 'timeline-read'];

afterAll(cleanBundles);

/** Every import/export-from specifier of an ES module's text. */
function specifiers(code: string): string[] {
  return [...code.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)].map((m) => (m[1] ?? m[2])!);
}

describe('buildScenarios', () => {
  it('bundles every scenarios/*.ts entry to <outDir>/<name>.js and reports sizes', async () => {
    expect(listScenarioEntries().map((f) => f.split('/').pop())).toEqual(SCENARIOS.map((s) => `${s}.ts`));
    const built = [...(await bundles()).values()];
    expect(built.map((b) => b.name)).toEqual(SCENARIOS);
    for (const b of built) {
      expect(b.file.endsWith(`/${b.name}.js`)).toBe(true);
      expect(existsSync(b.file)).toBe(true);
      expect(b.bytes).toBe(readFileSync(b.file).length);
    }
  });

  it('keeps k6 modules as external ES imports and inlines everything else', async () => {
    for (const b of (await bundles()).values()) {
      const code = readFileSync(b.file, 'utf8');
      const specs = specifiers(code);
      expect(specs.length, b.name).toBeGreaterThan(0);
      for (const s of specs) expect(s, `${b.name} imports ${s}`).toMatch(/^k6(\/[a-z0-9/-]+)?$/);
      expect(specs).toContain('k6/http');
      expect(code).not.toMatch(/\brequire\s*\(/);
      expect(code).not.toMatch(/["']node:/);
      expect(code).not.toMatch(/\bprocess\.env\b/);
      expect(code).toMatch(/export\s*\{[^}]*\bdefault\b/);
      expect(code).toMatch(/export\s*\{[^}]*\boptions\b/);
    }
  });

  it('does not bundle the Node-only wave file loader (yaml, node:fs)', async () => {
    for (const b of (await bundles()).values()) {
      const code = readFileSync(b.file, 'utf8');
      expect(code, b.name).not.toContain('parseDocument');
      expect(code, b.name).not.toMatch(/function loadWave\b|YAMLParseError/);
    }
  });

  it('builds a subset by name, and names the valid ones for an unknown name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-k6-sub-'));
    try {
      const one = await buildScenarios({ outDir: dir, entries: ['smoke'] });
      expect(one.map((b) => b.name)).toEqual(['smoke']);
      await expect(buildScenarios({ outDir: dir, entries: ['nope'] })).rejects.toThrow(/unknown scenario 'nope': valid names are breakpoint, federation-inbound, newcomer-activity, signup-wave, smoke, timeline-read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as a script: node --import tsx scripts/build-scenarios.ts --out-dir DIR name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-k6-cli-'));
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/build-scenarios.ts', '--out-dir', dir, 'smoke'], { cwd: ROOT });
      expect(stdout).toMatch(/smoke\.js\s+[\d.]+ KiB/);
      expect(existsSync(join(dir, 'smoke.js'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
