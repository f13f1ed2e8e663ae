import { readFileSync } from 'node:fs';

/**
 * True while `pid` runs. A zombie counts as gone: PID 1 in some containers
 * never reaps orphans, and kill(pid, 0) succeeds on zombies.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return parseProcState(stat) !== 'Z';
  } catch {
    return true;
  }
}

/** The state letter of a /proc/<pid>/stat line; the command name may contain spaces or ')'. */
export function parseProcState(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
}
