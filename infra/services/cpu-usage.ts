import { readdirSync, readFileSync } from 'node:fs';

// Where the machine's CPU went during a phase, by process role, from
// /proc/<pid>/stat of this process and its descendants, and how much the rest
// of the machine took meanwhile (Linux only; elsewhere the list is simply
// empty). The bench names roles per process; a rehearsal only needs the rest.

const TICKS_PER_SEC = 100;

interface Proc {
  ppid: number;
  ticks: number;
  /** CPU of its exited children that it has reaped (cutime + cstime). */
  childTicks: number;
  comm: string;
}

function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // After "pid (comm) ": state ppid ... utime is field 14, stime 15, cutime 16, cstime 17 (1-based overall).
      out.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]), comm });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Names a process of the tree; `cmdline` is empty for a zombie (exited, not yet reaped). */
export type RoleOf = (pid: number, comm: string, cmdline: string) => string;

const ownTree: RoleOf = () => 'this run';

function role(pid: number, p: Proc, roleOf: RoleOf): string {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'other';
  }
  // A zombie keeps its CPU times but not its command line.
  if (cmd === '' && pid !== process.pid) return EXITED;
  return roleOf(pid, p.comm, cmd);
}

export interface CpuSnapshot {
  at: number;
  ticks: Map<number, { role: string; ticks: number }>;
  /** Busy ticks of the whole machine (all processes), from /proc/stat. */
  machineBusy: number;
}

function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + steal!;
  } catch {
    return NaN;
  }
}

/** CPU ticks of `root` (this process by default) and all its descendants. */
export function cpuSnapshot(root = process.pid, roleOf: RoleOf = ownTree): CpuSnapshot {
  const procs = readProcs();
  const mine = new Set<number>([root]);
  // Descendants: repeat until no new children are found (the tree is shallow).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  const ticks = new Map<number, { role: string; ticks: number }>();
  for (const pid of mine) {
    const p = procs.get(pid);
    if (!p) continue;
    const r = role(pid, p, roleOf);
    ticks.set(pid, { role: r, ticks: p.ticks });
    // Children that exited and were reaped during a phase (runSplit's workers,
    // say) leave /proc; their CPU moves to the parent's cutime/cstime.
    ticks.set(-pid, { role: r === EXITED ? EXITED : `${EXITED} of ${r}`, ticks: p.childTicks });
  }
  return { at: performance.now(), ticks, machineBusy: machineBusyTicks() };
}

export interface CpuShare {
  role: string;
  cpuSeconds: number;
  /** Share of the whole machine (all cores) over the phase. */
  ofMachine: number;
}

export const OUTSIDE = 'other processes on this machine';
export const EXITED = 'exited child processes';

/**
 * CPU by role since `start`, biggest first, plus one row for everything else
 * the machine ran meanwhile (other users' jobs skew every number here).
 */
export function cpuSince(start: CpuSnapshot, cores: number, root = process.pid, roleOf: RoleOf = ownTree): CpuShare[] {
  const end = cpuSnapshot(root, roleOf);
  const seconds = (end.at - start.at) / 1000;
  const byRole = new Map<string, number>();
  let ours = 0;
  for (const [pid, e] of end.ticks) {
    const before = start.ticks.get(pid)?.ticks ?? 0;
    const used = Math.max(0, e.ticks - before);
    ours += used;
    byRole.set(e.role, (byRole.get(e.role) ?? 0) + used);
  }
  const share = (t: number) => ({ cpuSeconds: t / TICKS_PER_SEC, ofMachine: t / TICKS_PER_SEC / (seconds * cores) });
  const rows = [...byRole.entries()].map(([r, t]) => ({ role: r, ...share(t) })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const outside = end.machineBusy - start.machineBusy - ours;
  if (Number.isFinite(outside)) rows.push({ role: OUTSIDE, ...share(Math.max(0, outside)) });
  return rows;
}

/** Share of the whole machine (0–1) that processes outside `root`'s tree used since `start`. */
export function neighbourShare(start: CpuSnapshot, cores: number, root = process.pid): number | undefined {
  const share = cpuSince(start, cores, root).find((s) => s.role === OUTSIDE)?.ofMachine;
  return share !== undefined && Number.isFinite(share) ? share : undefined;
}
