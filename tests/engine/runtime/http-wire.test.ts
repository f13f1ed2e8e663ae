import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, run } from './helpers.js';

// The plain-http client (k6/http-wire.ts) against a raw TCP server that
// answers with hand-written HTTP/1.1: chunked bodies split mid-line, 1xx
// interim responses, bodies delimited by the close, HEAD, a dropped reused
// connection, garbage and silence.

interface RawServer {
  base: string;
  /** Connections accepted so far. */
  accepted: () => number;
  /** Bytes read from and written to clients so far. */
  bytes: () => { read: number; written: number };
  close(): Promise<void>;
}

async function startRawServer(): Promise<RawServer> {
  let accepted = 0;
  const closed = { read: 0, written: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      closed.read += s.bytesRead;
      closed.written += s.bytesWritten;
    });
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let served = 0;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len).toString('latin1');
        buf = buf.subarray(end + 4 + len);
        const [method, target] = head.split(' ');
        served++;
        answer(s, method!, target!, body, served);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    bytes: () => {
      const b = { ...closed };
      for (const s of sockets) {
        b.read += s.bytesRead;
        b.written += s.bytesWritten;
      }
      return b;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

function answer(s: net.Socket, method: string, target: string, body: string, served: number): void {
  const send = (text: string) => s.write(text, 'latin1');
  switch (target) {
    case '/keepalive':
      send('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      return;
    case '/chunked':
      void (async () => {
        send('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhel');
        await later(20);
        send('lo\r\n');
        await later(20);
        send('11;ext=1\r\n world, in pieces\r\n');
        await later(20);
        send('0\r\nX-Trailer: t\r\n\r\n');
      })();
      return;
    case '/continue':
      send('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
      return;
    case '/close-delimited':
      send('HTTP/1.1 200 OK\r\n\r\nread until');
      void later(20).then(() => s.end(' the end'));
      return;
    case '/conn-close':
      send('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      s.end();
      return;
    case '/head':
      send(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${method === 'HEAD' ? '' : 'x'.repeat(1000)}`);
      return;
    case '/split-head':
      send('HTTP/1.1 201 Created\r\nContent-Le');
      void later(20).then(() => send('ngth: 5\r\n\r\nsplit'));
      return;
    case '/multi-header':
      send('HTTP/1.1 200 OK\r\nx-multi: a\r\nX-Multi: b\r\nSet-Cookie: first=1; Path=/\r\nSet-Cookie: second=2\r\nContent-Length: 0\r\n\r\n');
      return;
    case '/gzip': {
      const z = gzipSync('compressed text');
      s.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${z.length}\r\n\r\n`, 'latin1');
      s.write(z);
      return;
    }
    case '/echo':
      send(`HTTP/1.1 200 OK\r\nContent-Length: ${`${method} ${body.length} ${body}`.length}\r\n\r\n${method} ${body.length} ${body}`);
      return;
    case '/flaky-reuse':
      // A server that dropped the idle connection just as it was reused.
      if (served > 1) s.destroy();
      else send('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh');
      return;
    case '/garbage':
      send('HTTP/1.1 abc\r\n\r\n');
      return;
    case '/never':
      return;
    default:
      send('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  }
}

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(async () => {
  await server.close();
});

describe('plain-http client', () => {
  it('reads chunked, 1xx, close-delimited, HEAD and split responses; retries a dropped reused GET; times out with 1050', async () => {
    const out = path.join(os.tmpdir(), `surge-wire-${process.pid}.jsonl`);
    const r = await run({ script: fixture('http-wire.js'), env: { BASE: server.base }, outJson: out, noSummary: true });
    expect(r.exitCode).toBe(0);
    const checks = r.summaryData!.root_group.checks;
    expect(checks.filter((c) => c.fails > 0).map((c) => c.name)).toEqual([]);
    expect(checks.length).toBe(21);

    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(out);
    const points = (metric: string, name: string) =>
      lines.filter((l) => l.type === 'Point' && l.metric === metric && l.data.tags.name === name).map((l) => l.data.value as number);
    // The first request dials (blocked includes the dial, as in k6); the next two reuse the connection.
    expect(points('http_req_connecting', 'keepalive-0')[0]).toBeGreaterThan(0);
    expect(points('http_req_blocked', 'keepalive-0')[0]).toBeGreaterThanOrEqual(points('http_req_connecting', 'keepalive-0')[0]!);
    expect(points('http_req_connecting', 'keepalive-1')).toEqual([0]);
    expect(points('http_req_connecting', 'keepalive-2')).toEqual([0]);
    expect(points('http_req_duration', 'keepalive-2')[0]).toBeGreaterThan(0);

    const tags = (name: string) => lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs' && l.data.tags.name === name).map((l) => l.data.tags);
    expect(tags('/never')).toEqual([expect.objectContaining({ status: '0', error_code: '1050', error: 'request timeout', expected_response: 'false' })]);
    expect(tags('/chunked')).toEqual([expect.objectContaining({ status: '200', method: 'GET', proto: 'HTTP/1.1', expected_response: 'true' })]);
    // The dropped reuse is retried inside one request: one sample, on a new connection.
    expect(tags('/flaky-reuse')).toHaveLength(2);
    expect(points('http_req_connecting', '/flaky-reuse')[1]).toBeGreaterThan(0);

    // Connections: one kept alive across keep-alive, chunked and 1xx answers, then a new one after
    // each close: the close-delimited body, Connection: close, each dropped reuse (the server
    // drops every reuse of /flaky-reuse: twice), the garbage and the timeout.
    expect(server.accepted()).toBe(7);
    // data_sent / data_received count every byte on the wire, including the dropped and timed-out ones.
    const total = (metric: string) => lines.filter((l) => l.type === 'Point' && l.metric === metric).reduce((a, l) => a + l.data.value, 0);
    const wire = server.bytes();
    expect(total('data_received')).toBe(wire.written);
    expect(total('data_sent')).toBe(wire.read);
  });
});
