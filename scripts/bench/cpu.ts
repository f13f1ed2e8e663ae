import { cpuSince as since, cpuSnapshot as snapshot, type CpuSnapshot, type RoleOf } from '../../infra/services/cpu-usage.js';

// The bench's names for the processes it starts, so its CPU tables say which
// part of the stand-in or the runner used what.

export { EXITED, OUTSIDE, type CpuShare } from '../../infra/services/cpu-usage.js';

const benchRole: RoleOf = (pid, comm, cmd) => {
  if (pid === process.pid) return 'bench (load generator, mail sink)';
  if (comm.startsWith('postgres') || comm.startsWith('postmaster')) return 'postgres';
  if (comm.startsWith('redis')) return 'redis';
  if (cmd.includes('web/main.ts')) return 'stand-in web';
  if (cmd.includes('worker/main.ts')) return 'stand-in worker';
  if (cmd.includes('surge-bench-target')) return 'target server (node:http)';
  if (cmd.includes('split-worker.ts')) return 'runner split worker';
  if (cmd.includes('vu-memory.ts')) return 'runner memory probe';
  return 'other';
};

export const cpuSnapshot = (root = process.pid): CpuSnapshot => snapshot(root, benchRole);
export const cpuSince = (start: CpuSnapshot, cores: number, root = process.pid) => since(start, cores, root, benchRole);
