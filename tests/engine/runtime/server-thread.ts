// The test server of helpers.ts on its own thread: blocking k6 calls stop the
// runner's thread, so a server they talk to must not share it.
import { parentPort } from 'node:worker_threads';
import { startServer } from './helpers.js';

const server = await startServer();
parentPort!.postMessage(server.base);
parentPort!.once('message', () => void server.close().then(() => process.exit(0)));
