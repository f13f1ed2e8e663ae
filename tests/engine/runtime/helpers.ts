// Shared helpers for the runtime tests: a loopback HTTP server and a runTest
// wrapper that captures logs and stdout.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTest, type RunTestOptions, type RunTestResult } from '../../../infra/engines/node/runtime/run.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);

export interface TestServer {
  base: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** A loopback-only server: /ok, /slow?ms=, /status?code=, /json, /redirect?n=, /headers. */
export async function startServer(): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      switch (u.pathname) {
        case '/ok':
          res.setHeader('x-custom-header', 'yes');
          res.end('ok');
          return;
        case '/slow':
          setTimeout(() => res.end('slow'), Number(u.searchParams.get('ms') ?? 100));
          return;
        case '/status':
          res.statusCode = Number(u.searchParams.get('code') ?? 200);
          res.end(String(res.statusCode));
          return;
        case '/json':
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ a: { b: [1, 2, 3] }, method: req.method, body: Buffer.concat(chunks).toString('utf8') }));
          return;
        case '/redirect': {
          const n = Number(u.searchParams.get('n') ?? 1);
          res.statusCode = 302;
          res.setHeader('location', n > 1 ? `/redirect?n=${n - 1}` : '/ok');
          res.end();
          return;
        }
        default:
          res.statusCode = 404;
          res.end('not found');
      }
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** startServer() on a worker thread (tsx registered there too), for scripts whose blocking calls stop this thread. */
async function startServerThread(): Promise<{ base: string; close(): Promise<void> }> {
  const entry = new URL('./server-thread.ts', import.meta.url).href;
  const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: { entry } });
  const base = await new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    base,
    close: async () => {
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

export interface CapturedRun extends RunTestResult {
  logs: { level: string; msg: string; fields: Record<string, unknown> }[];
  stdout: string;
}

export async function run(opts: Omit<RunTestOptions, 'logSink' | 'stdout'>): Promise<CapturedRun> {
  const logs: CapturedRun['logs'] = [];
  let stdout = '';
  const res = await runTest({
    ...opts,
    logSink: (_line, level, msg, fields) => logs.push({ level, msg, fields }),
    stdout: { write: (c) => void (stdout += typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) },
  });
  return { ...res, logs, stdout };
}

/** A server thread for the enclosing describe block (started before its tests, closed after); call the result for it. */
export function serverThread(): () => { base: string } {
  let server: { base: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    server = await startServerThread();
  });
  afterAll(() => server?.close());
  return () => server!;
}
