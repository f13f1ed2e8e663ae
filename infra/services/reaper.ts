import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export { onShutdown } from './shutdown.js';

// Orderly stop() is the normal path; this watchdog covers the parent dying
// without running it (SIGKILL, OOM, a crash), which would otherwise leave
// postgres/redis running and temp dirs behind on the machine.
const WATCHDOG = fileURLToPath(new URL('./reaper-watchdog.mjs', import.meta.url));

let watchdog: ChildProcess | undefined;

function send(line: string): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, [WATCHDOG], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // A dead watchdog only means no crash cleanup; it must never break the harness.
    watchdog.on('error', () => {});
    watchdog.stdin?.on('error', () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  // libuv writes to an idle pipe synchronously, so the line is delivered even
  // if the parent dies right after this call.
  watchdog.stdin?.write(`${line}\n`);
}

/**
 * If this process dies without disowning `pid`, the watchdog sends it `signal`
 * (SIGTERM by default), then SIGKILL after 5 s.
 */
export function own(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  send(`own ${pid} ${signal}`);
}

export function disown(pid: number): void {
  send(`disown ${pid}`);
}

export function ownDir(path: string): void {
  if (path.includes('\n')) throw new Error(`refusing to own a path with a newline: ${JSON.stringify(path)}`);
  send(`dir ${path}`);
}

export function disownDir(path: string): void {
  send(`undir ${path}`);
}

/** The watchdog's pid, for tests and diagnostics; undefined until first use. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
