import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LogTail } from './log-tail.js';
import { disown, own } from './reaper.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  pid: number;
  child: ChildProcess;
  log: LogTail;
  exited: Promise<ExitInfo>;
  /** Set once the process has exited; lets readiness loops fail fast. */
  exit: ExitInfo | undefined;
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Starts a long-running service we own. It gets its own process group so a
 * terminal Ctrl-C reaches only the harness, which then stops services in order
 * (and so the watchdog can signal the whole group). The child and its pipes
 * are unref'd: a service must not keep the harness alive; if the harness exits
 * without stop(), the reaper's watchdog cleans up.
 */
export async function spawnService(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; reapSignal?: NodeJS.Signals },
): Promise<ServiceProcess> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  const log = new LogTail();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => log.push(chunk));
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  const proc: ServiceProcess = {
    pid: -1,
    child,
    log,
    exit: undefined,
    exited: new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        proc.exit = { code, signal };
        resolve(proc.exit);
      });
    }),
  };
  try {
    await once(child, 'spawn');
  } catch (err) {
    throw new Error(`could not start ${command}: ${(err as Error).message}`);
  }
  // Later errors (a failed kill) must not crash the harness; exit tells the story.
  child.on('error', () => {});
  proc.pid = child.pid as number;
  own(proc.pid, opts.reapSignal);
  child.unref();
  return proc;
}

/**
 * Sends `signal` to the service itself, not its group: postgres expects the
 * postmaster alone to get SIGINT for a fast shutdown. `null` means it was
 * already asked to stop some other way. SIGKILLs the group if it has not
 * exited within `timeoutMs`.
 */
export async function stopService(
  proc: ServiceProcess,
  opts: { signal: NodeJS.Signals | null; timeoutMs: number },
): Promise<ExitInfo> {
  // Hold the event loop open until the exit is observed, or the harness could
  // end mid-stop and leave the cleanup to the watchdog.
  proc.child.ref();
  try {
    if (!proc.exit) {
      if (opts.signal) proc.child.kill(opts.signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), opts.timeoutMs);
      });
      const result = await Promise.race([proc.exited, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        killGroup(proc.pid, 'SIGKILL');
      }
    }
    return await proc.exited;
  } finally {
    proc.child.unref();
    disown(proc.pid);
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Runs a short command to completion, returning its combined output; throws with that output on failure. */
export async function runCommand(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs: number },
): Promise<string> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  const log = new LogTail(200);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const [code, signal] = (await Promise.race([
    once(child, 'close'),
    once(child, 'error').then(([err]) => {
      throw new Error(`could not run ${command}: ${(err as Error).message}`);
    }),
  ])) as [number | null, NodeJS.Signals | null];
  if (code !== 0) {
    const name = command.split('/').pop();
    throw new Error(`${name} ${describeExit({ code, signal })}:\n${log.text(20)}`);
  }
  return log.text();
}
