import { createServer, type Server } from 'node:net';

// The port is free at the moment we close it; the caller should bind it soon.
// Services that can listen on port 0 themselves should do that instead.
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0]!;
}

/** Binds `server` to a port the kernel picks on `host`, and returns that port. */
function listenOnFreePort(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error(`could not read the port bound on ${host}`));
      else resolve(address.port);
    });
  });
}

/**
 * A free port held by a placeholder listener until `release()`, for a port
 * that must be known long before its server binds it (a scrape target written
 * into Prometheus' configuration while other services still pick theirs).
 */
export async function reservePort(host = '127.0.0.1'): Promise<{ port: number; release(): Promise<void> }> {
  // Whoever connects meanwhile (a scraper) is hung up on, so closing never waits for it.
  const server = createServer((socket) => socket.destroy());
  const port = await listenOnFreePort(server, host);
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * `count` distinct free ports, none of them in `exclude`: every port stays
 * bound until all are chosen, so the kernel cannot hand one out twice (picked
 * one after another, a port just released may come back, and two services of
 * one start would then fight over it).
 */
export async function freePorts(count: number, host = '127.0.0.1', exclude: readonly number[] = []): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      if (held.length > count + 50) throw new Error(`could not find ${count} free ports on ${host}`);
      const server = createServer();
      held.push(server);
      const port = await listenOnFreePort(server, host);
      if (!exclude.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
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
