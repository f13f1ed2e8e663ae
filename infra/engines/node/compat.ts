// Which k6 release line to mimic where v1.x and v2.x differ in behaviour we
// reproduce. The default is the v1 line (v1.8.1), the baseline of these
// modules; each difference is listed where it is implemented:
//  - Gauge max: v1 starts max at 0, so an all-negative gauge reports max 0.
//  - Threshold Counter `rate` at t=0: v1 divides by zero (Inf/NaN), v2 omits
//    the key so the threshold passes.
//  - Threshold `p(N)` outside 0..100: rejected since v2.1.
export type K6Line = 'v1' | 'v2';
export const DEFAULT_K6_LINE: K6Line = 'v1';
