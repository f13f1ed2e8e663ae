import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

async function tsc(project: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TSC, '-p', project], { cwd: ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('scenarios/tsconfig.json', () => {
  it('type-checks the scenarios and their library against @types/k6 with no errors', async () => {
    const r = await tsc(join(ROOT, 'scenarios', 'tsconfig.json'));
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('rejects Node APIs in scenario code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-tsc-'));
    try {
      writeFileSync(
        join(dir, 'bad.ts'),
        "import http from 'k6/http';\nexport default async function () {\n  await http.asyncRequest('GET', process.env.X ?? '');\n  Buffer.from('x');\n}\n",
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: join(ROOT, 'scenarios', 'tsconfig.json'),
          compilerOptions: { typeRoots: [join(ROOT, 'node_modules', '@types')] },
          include: [join(dir, 'bad.ts')],
        }),
      );
      const r = await tsc(join(dir, 'tsconfig.json'));
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/Cannot find name 'process'/);
      expect(r.out).toMatch(/Cannot find name 'Buffer'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
