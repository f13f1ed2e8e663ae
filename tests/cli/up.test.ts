import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `surge up standin` as a user runs it: one JSON line when ready, a working
// instance behind it, and nothing left listening after Ctrl-C.

const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));

function portOpen(url: string): Promise<boolean> {
  const u = new URL(url.replace(/^postgres:|^redis:/, 'http:'));
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

describe('surge up standin', () => {
  it('prints exactly one JSON line when ready and stops everything on SIGINT', async () => {
    // Run from a folder outside the checkout, as from a user's own project: the stand-in's processes still find tsx.
    const child = spawn(process.execPath, [SURGE, 'up', 'standin', '--web-concurrency', '1', '--sidekiq-concurrency', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: mkdtempSync(join(tmpdir(), 'surge-up-cwd-')),
    });
    const lines = createInterface({ input: child.stdout! });
    const [first] = (await once(lines, 'line')) as [string];
    const info = JSON.parse(first);
    expect(Object.keys(info)).toEqual(['target', 'baseUrl', 'streamingUrl', 'metricsUrls', 'mailApiUrl', 'postgresUrl', 'redisUrl']);
    expect(info.target).toBe('standin');
    expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.metricsUrls).toHaveLength(3);

    const health = await fetch(`${info.baseUrl}/health`);
    expect(await health.text()).toBe('OK');
    const instance = (await (await fetch(`${info.baseUrl}/api/v1/instance`)).json()) as { version: string };
    expect(instance.version).toBe('4.5.0');
    const mail = (await (await fetch(`${info.mailApiUrl}/api/v1/messages`)).json()) as { messages: unknown[] };
    expect(mail.messages).toEqual([]);

    const extra: string[] = [];
    lines.on('line', (l) => extra.push(l));
    const started = Date.now();
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    expect(extra).toEqual([]);
    for (const url of [info.baseUrl, info.streamingUrl, info.mailApiUrl, info.postgresUrl, info.redisUrl, ...info.metricsUrls]) {
      expect(await portOpen(url), url).toBe(false);
    }
  });

  it('rejects a bad flag with one line naming it, before starting anything', async () => {
    const child = spawn(process.execPath, [SURGE, 'up', 'standin', '--web-concurrency', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(err.split('\n')[0]).toMatch(/--web-concurrency.*whole number/);
  });

  it('fails within seconds, naming the port, when --port is taken by another server', async () => {
    // Someone else's server on the port: it accepts connections and answers nothing useful.
    const squatter = createTcpServer((sock) => sock.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const child = spawn(process.execPath, [SURGE, 'up', 'standin', '--port', String(port), '--web-concurrency', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).not.toBe(0);
      expect(out).toBe('');
      expect(err).toContain(`127.0.0.1:${port} is already in use`);
      // Not the 60 s readiness timeout: the web gives up as soon as it cannot bind.
      expect(Date.now() - started).toBeLessThan(45_000);
    } finally {
      squatter.close();
    }
  });
});

