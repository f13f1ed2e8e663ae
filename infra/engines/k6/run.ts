import { readFile } from 'node:fs/promises';
import type { SummaryData } from '../../../reports/collect/run-data.js';
import { describeExit, spawnService, stopService } from '../../services/child.js';
import type { RunOptions } from '../run-options.js';
import type { EngineChoice } from './engine.js';
import { k6Invocation } from './invocation.js';
import { summaryDataFromExport } from './summary.js';

// Runs real k6 (or its container) as a child we own: its own process group,
// registered with the reaper, so it never outlives the harness. Ctrl-C is
// passed on as k6 expects it (SIGINT: stop, summarise, exit 105).

/** k6's exit code when a signal stopped it. */
const SIGNAL_EXIT = 105;

export async function runK6(
  run: RunOptions,
  choice: Exclude<EngineChoice, { engine: 'node' }>,
  /** logSink: k6's output as lines (a rehearsal's log); without it, straight to this process' stdout/stderr. forwardSignals: Ctrl-C here stops k6. */
  opts: { signal?: AbortSignal; logSink?: (line: string) => void; forwardSignals?: boolean; cwd?: string } = {},
): Promise<{ exitCode: number; summaryData?: SummaryData }> {
  const inv = k6Invocation(run, choice, { uid: process.getuid?.(), gid: process.getgid?.() });
  const proc = await spawnService(inv.file, inv.args, { cwd: opts.cwd ?? process.cwd(), env: { ...process.env, ...inv.env }, reapSignal: 'SIGINT' });
  let partial = '';
  const onData = (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) opts.logSink?.(line);
  };
  if (opts.logSink) {
    proc.child.stdout?.on('data', onData);
    proc.child.stderr?.on('data', onData);
  } else {
    proc.child.stdout?.on('data', (chunk: string) => process.stdout.write(chunk));
    proc.child.stderr?.on('data', (chunk: string) => process.stderr.write(chunk));
  }
  // k6 runs in its own process group, so a terminal's Ctrl-C reaches only us.
  const onAbort = () => proc.child.kill('SIGINT');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.forwardSignals) {
    process.on('SIGINT', onAbort);
    process.on('SIGTERM', onAbort);
  }
  proc.child.ref();
  try {
    const exit = await proc.exited;
    if (partial.trim()) opts.logSink?.(partial);
    const exitCode = exit.code ?? (exit.signal === 'SIGINT' || exit.signal === 'SIGTERM' ? SIGNAL_EXIT : 1);
    if (exit.code === null) opts.logSink?.(`k6 ${describeExit(exit)}`);
    let summaryData: SummaryData | undefined;
    if (run.summaryExport) {
      const text = await readFile(run.summaryExport, 'utf8').catch(() => undefined);
      if (text !== undefined) summaryData = summaryDataFromExport(JSON.parse(text), run.summaryExport);
    }
    return { exitCode, ...(summaryData ? { summaryData } : {}) };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    process.off('SIGINT', onAbort);
    process.off('SIGTERM', onAbort);
    await stopService(proc, { signal: null, timeoutMs: 10_000 });
  }
}
