import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs `fn` with TMPDIR pointed at a fresh folder and returns what it left
// there: test files run side by side, so the shared temp folder cannot show
// what one call left behind.
export async function leftInOwnTmpdir(fn: () => Promise<unknown>): Promise<string[]> {
  const own = mkdtempSync(join(tmpdir(), 'surge-own-tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = own;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const left = readdirSync(own);
  rmSync(own, { recursive: true, force: true });
  return left;
}
