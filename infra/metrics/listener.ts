import { readdir, readFile, readlink } from 'node:fs/promises';

// Exporters have no way to say who they are over HTTP (no pid, no data
// directory), so "is it OUR exporter answering on this port?" is asked of
// the kernel: does our pid hold the listening socket for that port?

export interface ProcNetEntry {
  port: number;
  /** Hex state; 0A is LISTEN. */
  state: string;
  inode: string;
}

/** Rows of /proc/<pid>/net/tcp or tcp6. */
export function parseProcNetTcp(text: string): ProcNetEntry[] {
  const entries: ProcNetEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (!local || !state || !inode) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (Number.isNaN(port)) continue;
    entries.push({ port, state: state.toUpperCase(), inode });
  }
  return entries;
}

export function listeningInodes(entries: ProcNetEntry[], port: number): string[] {
  return entries.filter((e) => e.port === port && e.state === '0A').map((e) => e.inode);
}

/**
 * True if `pid` holds a listening TCP socket on `port`; false if it does not;
 * undefined where /proc cannot tell (not Linux, or no permission).
 */
export async function holdsListener(pid: number, port: number): Promise<boolean | undefined> {
  let inodes: string[];
  try {
    const tables = await Promise.all(
      ['tcp', 'tcp6'].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')),
    );
    if (tables.every((t) => t === '')) return undefined;
    inodes = tables.flatMap((t) => listeningInodes(parseProcNetTcp(t), port));
  } catch {
    return undefined;
  }
  if (inodes.length === 0) return false;
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const wanted = new Set(inodes.map((inode) => `socket:[${inode}]`));
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (wanted.has(target)) return true;
  }
  return false;
}
