import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// vitest globalSetup: every temporary folder a test run makes (run folders,
// reports, fake binaries, private services' data) goes under one root that is
// removed when the run ends, so `npm test` leaves nothing in /tmp. Test
// processes are forked after this runs and inherit TMPDIR.

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'surge-tests-'));
  // Searchable by others: run as root, PostgreSQL runs as its own user and
  // must reach its data folder inside (each folder within stays private).
  chmodSync(root, 0o711);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
