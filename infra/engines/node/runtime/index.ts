// Public entry points of the Node k6-compatible runtime.

export { runTest, prepareTest, produceSummary } from './run.js';
export type { ProgressSnapshot, RawRunResult, RunTestOptions, RunTestResult, TextSink } from './run.js';
export type { RunOverrides, ConsolidatedOptions } from './options.js';
export { consolidateOptions } from './options.js';
export { runSplit, evenSequence, segmentOf } from './split.js';
export type { SplitOptions } from './split.js';
export type { ExecutorSnapshot } from './execution.js';
export { formatLogLine, Logger } from './log.js';
export type { LogLevel, LogSink } from './log.js';
