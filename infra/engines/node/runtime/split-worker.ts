// Child process of runSplit: runs one execution segment with runTest and
// sends the raw sinks back over IPC. Started as `node --import tsx split-worker.ts`.

import { ExitCodeError, ExitCodes } from '../exitcodes.js';
import { runTest, type RunTestOptions, type RunTestResult } from './run.js';

type ParentMessage = { type: 'run'; options: RunTestOptions } | { type: 'abort' } | { type: 'stop' } | { type: 'start' };

const controller = new AbortController();
let started = false;
let startNow: () => void = () => undefined;
const startSignal = new Promise<void>((resolve) => (startNow = resolve));

function send(msg: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

function safeFields(f: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) out[k] = v instanceof Error ? v.message : typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
  return out;
}

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'abort') {
    controller.abort();
    startNow();
    return;
  }
  if (msg.type === 'stop') {
    // Another part of the same test stopped it; that part reports why, this one has nothing to say.
    controller.abort(new ExitCodeError('', ExitCodes.ExternalAbort));
    startNow();
    return;
  }
  if (msg.type === 'start') {
    startNow();
    return;
  }
  if (msg.type !== 'run' || started) return;
  started = true;
  const options: RunTestOptions = {
    ...msg.options,
    signal: controller.signal,
    collectRaw: true,
    progress: (p) => void send({ type: 'progress', snapshot: p }),
    onMetricsListening: (url) => void send({ type: 'metrics', url }),
    // Every child initializes its VUs, then all start when the parent says so.
    beforeStart: () => send({ type: 'initialized' }).then(() => startSignal),
    // Logs go through the parent's logger, so one sink sees every instance.
    logSink: (_line, level, msg, fields) => void send({ type: 'log', level, msg, fields: safeFields(fields) }),
  };
  void runTest(options)
    .then(
      (result: RunTestResult) => send({ type: 'done', result: { ...result, summaryData: undefined } }),
      (e: unknown) => send({ type: 'done', result: { exitCode: 255, summaryData: undefined, error: String((e as Error)?.stack ?? e) } }),
    )
    .then(() => process.exit(0));
});

// Ctrl-C reaches the whole process group; stop gracefully like the parent does.
// A parent that is gone cannot take the result: stop at once rather than run on as an orphan.
process.on('disconnect', () => process.exit(1));
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
void send({ type: 'ready' });
