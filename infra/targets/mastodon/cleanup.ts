import type { AdminClient } from './admin-api.js';
import { writeAccountsManifest, type AccountsManifest } from './manifest.js';

// Removes a run's synthetic accounts the way Mastodon allows: suspend, then
// delete. The manifest is rewritten as it goes, so an interrupted cleanup
// resumes where it stopped and a repeated one sends nothing.

export interface CleanupProgress {
  deleted: number;
  absent: number;
  remaining: number;
}

export async function cleanupAccounts(dir: string, manifest: AccountsManifest, api: AdminClient, log: (line: string) => void = () => {}): Promise<CleanupProgress> {
  const todo = manifest.accounts.filter((a) => !a.cleanup);
  let done = 0;
  for (const account of todo) {
    const id = account.id ?? (await api.lookup(account.username));
    if (id === undefined) account.cleanup = 'absent';
    else {
      account.id = id;
      await api.suspend(id);
      account.cleanup = (await api.delete(id)) === 'deleted' ? 'deleted' : 'absent';
    }
    done++;
    if (done % 50 === 0 || done === todo.length) {
      await writeAccountsManifest(dir, manifest);
      log(`cleanup: ${done}/${todo.length}`);
    }
  }
  const by = (c: string) => manifest.accounts.filter((a) => a.cleanup === c).length;
  return { deleted: by('deleted'), absent: by('absent'), remaining: manifest.accounts.filter((a) => !a.cleanup).length };
}
