import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersionsDesc, findBinary, MissingBinaryError } from '../../infra/services/binaries.js';
import { dockerAvailable, dockerEndpoint, NO_DOCKER_MESSAGE } from '../../infra/services/docker.js';
import { freePort, freePorts, reservePort, withFreePort } from '../../infra/services/ports.js';

const scratch = mkdtempSync(join(tmpdir(), 'surge-binaries-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('findBinary', () => {
  it('names the Debian package to install, on one line', () => {
    let error: unknown;
    try {
      findBinary('surge-no-such-binary', { debianPackage: 'surge-pkg' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as Error).message).toBe('surge-no-such-binary not found: install it with "apt-get install surge-pkg"');
  });

  it('finds binaries on PATH', () => {
    expect(findBinary('redis-server', { debianPackage: 'redis-server' })).toMatch(/\/redis-server$/);
  });

  it('picks the highest version among wildcard candidates', () => {
    for (const version of ['9.6', '15', '16', '100-beta']) {
      mkdirSync(join(scratch, version, 'bin'), { recursive: true });
      if (version === '100-beta') continue; // a folder without the binary is skipped
      const file = join(scratch, version, 'bin', 'surge-fake-initdb');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o755);
    }
    const found = findBinary('surge-fake-initdb', { debianPackage: 'x', candidates: [join(scratch, '*', 'bin')] });
    expect(found).toBe(join(scratch, '16', 'bin', 'surge-fake-initdb'));
    expect(['9.6', '15', '16'].sort(compareVersionsDesc)).toEqual(['16', '15', '9.6']);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound right away', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    server.close();
    expect(port).toBeGreaterThan(0);
  });
});

describe('freePorts', () => {
  it('gives distinct ports, never an excluded one, all bindable at once', async () => {
    const [first] = await freePorts(1);
    const ports = await freePorts(30, '127.0.0.1', [first!]);
    expect(new Set(ports).size).toBe(30);
    expect(ports).not.toContain(first);
    const servers = await Promise.all(
      ports.map((port) => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject).listen(port, '127.0.0.1', () => resolve(s));
      })),
    );
    for (const s of servers) s.close();
  });
});

describe('reservePort', () => {
  it('keeps the port from anyone else until released', async () => {
    const { port, release } = await reservePort();
    const bind = () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject).listen(port, '127.0.0.1', () => resolve(s));
    });
    await expect(bind()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // A scraper that connects meanwhile must not keep the release waiting.
    const scraper = connect(port, '127.0.0.1');
    await new Promise((resolve) => scraper.once('close', resolve));
    await release();
    (await bind()).close();
  });
});

describe('withFreePort', () => {
  it('tries another port when the chosen one was taken meanwhile', async () => {
    const tried: number[] = [];
    const result = await withFreePort(undefined, async (port) => {
      tried.push(port);
      if (tried.length < 2) throw new Error('bind: Address already in use');
      return port;
    });
    expect(tried).toHaveLength(2);
    expect(result).toBe(tried[1]);
  });

  it('does not retry a port the caller fixed, nor other errors', async () => {
    let calls = 0;
    const clash = async () => {
      calls++;
      throw new Error('Address already in use');
    };
    await expect(withFreePort(5432, clash)).rejects.toThrow('Address already in use');
    expect(calls).toBe(1);
    await expect(withFreePort(undefined, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('docker', () => {
  it('reports no engine quickly when nothing answers', async () => {
    const started = Date.now();
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(scratch, 'no-docker.sock')}`;
    try {
      expect(await dockerAvailable()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    expect(Date.now() - started).toBeLessThan(1500);
    expect(NO_DOCKER_MESSAGE).not.toContain('\n');
  });

  it('reports an engine that answers /_ping', async () => {
    const socketPath = join(scratch, 'fake-docker.sock');
    const server = createHttpServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : ''));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${socketPath}`;
    try {
      expect(await dockerAvailable()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      server.close();
    }
  });

  it('reads DOCKER_HOST', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toEqual({ host: '10.0.0.5', port: 2376 });
    expect(dockerEndpoint({ DOCKER_HOST: 'ssh://user@host' })).toBeUndefined();
  });
});
