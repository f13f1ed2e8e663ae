import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disownDir, ownDir } from './reaper.js';

/** A fresh folder under the OS temp dir, removed by the watchdog if we crash. */
export async function makeOwnedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  ownDir(dir);
  return dir;
}

export async function removeOwnedDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  disownDir(dir);
}
