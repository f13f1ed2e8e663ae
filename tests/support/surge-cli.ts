import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs the `surge` CLI as a user would (node scripts/bin/surge.js …) and
// collects what it printed and how it exited.

export const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The child's whole environment; default this one's with CI=true (no progress redraws). */
  env?: NodeJS.ProcessEnv;
  /** Working folder (default this one's), e.g. where `runs/` should appear. */
  cwd?: string;
  /** Called with all stderr so far on every chunk, e.g. to send Ctrl-C at a given moment. */
  onStderr?: (text: string, child: ChildProcess) => void;
  /** Its own process group, so a test can send Ctrl-C as a terminal does: to the whole group (`process.kill(-child.pid, 'SIGINT')`). */
  ownGroup?: boolean;
}

// A test that times out leaves its surge running; when this test process ends,
// whatever is still running is killed (its own reaper then stops its services).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function surge(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [SURGE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? { ...process.env, CI: 'true' }, ...(opts.cwd ? { cwd: opts.cwd } : {}), detached: opts.ownGroup ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    opts.onStderr?.(stderr, child);
  });
  running.add(child);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}
