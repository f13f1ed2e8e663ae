// Entry of the blocking-HTTP helper thread: worker threads do not inherit
// tsx's loader, so register it here before loading the TypeScript worker.
// A failure to load is reported on the port the main thread is blocked on.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
try {
  await import(workerData.entry);
} catch (e) {
  workerData.port.postMessage({ fatal: String(e?.stack ?? e) });
  const flag = new Int32Array(workerData.flag);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
