import { createServer } from 'node:net';

// The port is free at the moment we close it; the caller should bind it soon.
// Services that can listen on port 0 themselves should do that instead.
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port bound on ${host}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Starts something on a free port, trying a new port when the chosen one was
 * taken between freePort() and the bind (parallel starts, outgoing sockets).
 * A port fixed by the caller is tried once: a clash there is the caller's to fix.
 */
export async function withFreePort<T>(
  fixedPort: number | undefined,
  start: (port: number) => Promise<T>,
  opts: { host?: string; attempts?: number } = {},
): Promise<T> {
  const attempts = fixedPort === undefined ? (opts.attempts ?? 3) : 1;
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort(opts.host));
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= attempts || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}
