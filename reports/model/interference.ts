// Did something else on the machine take CPU from the rehearsal? The stand-in
// and the load generator share the cores with whatever else runs; a neighbour
// using a third of the machine during the breakpoint makes the instance look
// like it breaks early, and every size projected from it grows to match. The
// rehearsal measures that share per phase; this says when it matters. Pure.
import { percent } from './format.js';
import type { Phase, Target } from './types.js';

/** Above this share of the machine, the numbers are noticeably depressed. */
export const NEIGHBOUR_WARN_SHARE = 0.1;

export interface Interference {
  phases: { name: string; neighbourCpuShare: number }[];
  warning: string | null;
}

export function assessInterference(phases: readonly Phase[], target: Target): Interference {
  const measured = phases
    .filter((p): p is Phase & { neighbourCpuShare: number } => p.neighbourCpuShare !== undefined)
    .map((p) => ({ name: p.name, neighbourCpuShare: p.neighbourCpuShare }));
  const busy = measured.filter((p) => p.neighbourCpuShare > NEIGHBOUR_WARN_SHARE).sort((a, b) => b.neighbourCpuShare - a.neighbourCpuShare);
  if (busy.length === 0) return { phases: measured, warning: null };
  const shares = busy.map((p, i) => `${percent(p.neighbourCpuShare)}${i === 0 ? ' of its CPU' : ''} during the ${p.name} phase`);
  const list = shares.length === 1 ? shares[0]! : `${shares.slice(0, -1).join(', ')} and ${shares.at(-1)!}`;
  const who = target.kind === 'standin' ? 'the stand-in and the load generator' : 'the load generator';
  const what = target.kind === 'standin' ? 'the breaking point is understated and the sizes projected from it overstated' : 'the offered load may have lagged its schedule';
  return {
    phases: measured,
    warning: `Other programs on this machine took ${list}; ${who} shared the cores with them, so ${what}. Rehearse on an otherwise idle machine before acting on these numbers.`,
  };
}
