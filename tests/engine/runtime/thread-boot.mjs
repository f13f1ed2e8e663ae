// Worker-thread entry for the tests: register tsx's loader (threads do not inherit it), then load workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
