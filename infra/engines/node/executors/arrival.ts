// Pieces shared by the two arrival-rate executors.

import { type ExecutionTuple, SegmentError } from '../segments.js';

/**
 * One scheduled iteration start. `slot` is the 0-based global position of
 * the iteration in the unsegmented schedule; every instance of a segmented
 * test owns a disjoint set of slots. (The iteration *counters* k6 exposes,
 * e.g. exec.scenario.iterationInTest, come from a SegmentedIndex over the same
 * tuple and advance only for iterations that actually start, so a dropped
 * iteration does not consume one.)
 */
export interface ArrivalSlot {
  /** ms from the scenario start (integer ns / 1e6). */
  at: number;
  /** integer ns from the scenario start, as k6's time.Duration. */
  atNs: number;
  slot: number;
}

/**
 * Arrival-rate executors stripe their iterations with the sequence
 * re-segmented by maxVUs (Init → GetNewExecutionTupleFromValue(MaxVUs)), so
 * the instances that get VUs share all iterations. Undefined = no work here.
 */
export function arrivalTuple(maxVUs: number, et: ExecutionTuple): ExecutionTuple | undefined {
  try {
    return et.getNewExecutionTupleFromValue(maxVUs);
  } catch (e) {
    if (e instanceof SegmentError) return undefined;
    throw e;
  }
}

/**
 * "No new iteration starts after the regular duration." At exactly the end
 * k6 races its timer against the duration context; we settle the tie as
 * not started, so a slot is kept only while it is strictly earlier.
 */
export function* withinRegularDuration(slots: Iterable<ArrivalSlot>, regularNs: number): Generator<ArrivalSlot> {
  for (const s of slots) {
    if (s.atNs >= regularNs) return;
    yield s;
  }
}

/** How many unplanned VUs the executor may still initialize. */
export function arrivalVURequirements(preAllocatedVUs: number, maxVUs: number, et: ExecutionTuple) {
  const planned = et.scaleInt64(preAllocatedVUs);
  return { planned, maxUnplanned: et.scaleInt64(maxVUs) - planned };
}
