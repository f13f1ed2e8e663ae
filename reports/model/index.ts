// The report model's public surface, for the collector, the renderers and `surge report`.
export * from './types.js';
export { DEFAULT_SLOS, evaluateSlos, parseSloConfig, sloConfigSchema, type SloEvaluation, type SloVerdict, type Slos } from './slo.js';
export { findBreakingPoint, type BreakingPoint, type BreakingPointOptions } from './breaking-point.js';
export { findBottlenecks, type BottleneckAnalysis, type BottleneckOptions, type Finding } from './bottleneck.js';
export { fitUsl, uslConcurrencyFor, uslThroughput, type UslFit, type UslPoint } from './usl.js';
export { measureCosts, type MeasuredCosts } from './costs.js';
export { DEFAULT_PRICE_SHEET, parsePriceSheet, priceSheetSchema, type PriceSheet } from './price-sheet.js';
export {
  ASSUMPTION_BASIS,
  DEFAULT_ASSUMPTIONS,
  MAS_TO_ANCHOR,
  project,
  projectionWaveFromRun,
  type Projection,
  type ProjectionAssumptions,
  type ProjectionWave,
} from './projection.js';
export { ReportConfigError } from './config-errors.js';
export { buildReport, parseReport, REPORT_SCHEMA_VERSION, reportSchema, type Report, type ReportOptions } from './report-model.js';
