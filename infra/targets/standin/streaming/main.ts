import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { createPool } from '../db.js';
import { lookupToken } from '../web/auth.js';
import { authError, channelFromPath, checkScopes, requestError, statusAndMessage, tokenFrom, type StreamParams, type Viewer } from './channels.js';
import { readStreamingConfig } from './config.js';
import { serveEventSource } from './eventsource.js';
import { Hub } from './hub.js';
import { streamingMetrics } from './metrics.js';
import type { StreamEnv } from './streams.js';
import { WebSocketSession } from './websocket.js';

// mastodon-streaming: its own process and port, authenticating tokens against
// PostgreSQL, one Redis connection for SUBSCRIBE and one for commands, and
// /metrics on the same port, as Mastodon's streaming server runs.

const config = readStreamingConfig();
const db = createPool(config.databaseUrl, config.dbPool);
const redisOptions = { maxRetriesPerRequest: null } as const;
const subscriber = new Redis(config.redisUrl, redisOptions);
const commands = new Redis(config.redisUrl, redisOptions);
const log = (line: string) => process.stderr.write(`standin streaming: ${line}\n`);
const metrics = streamingMetrics(db);
const hub = new Hub(subscriber, commands, config.redisPrefix, metrics, (err) => log(`redis: ${err.message}`));
const env: StreamEnv = { hub, db, metrics, log };

const HEARTBEAT_MS = 30_000;
const CORS = { 'Access-Control-Allow-Origin': '*' };

async function viewerFor(req: IncomingMessage, query: URLSearchParams): Promise<Viewer> {
  const token = tokenFrom(req.headers.authorization, query.get('access_token') ?? undefined, req.headers['sec-websocket-protocol']);
  if (!token) throw authError('Missing access token');
  // Mastodon joins users: an app's own token (client_credentials) has no account to stream.
  const auth = await lookupToken(db, token);
  if (!auth?.accountId || auth.revoked) throw authError('Invalid access token');
  return { accountId: auth.accountId, scopes: auth.scopes, accessTokenId: auth.tokenId };
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...CORS, 'Content-Type': type }).end(body);
}

async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('X-Request-Id', randomUUID());
  const url = new URL(req.url ?? '/', 'http://streaming');
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE' }).end();
    return;
  }
  if (path === '/favicon.ico') return reply(res, 404, 'text/plain', '');
  if (path === '/api/v1/streaming/health' || path === '/health') return reply(res, 200, 'text/plain', 'OK');
  if (path === '/metrics') return reply(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
  try {
    const channel = channelFromPath(path, url.searchParams.get('only_media'));
    if (!channel) throw requestError('Unknown channel requested');
    const viewer = await viewerFor(req, url.searchParams);
    checkScopes(viewer.scopes, channel);
    res.setHeader('Access-Control-Allow-Origin', '*');
    serveEventSource(env, res, viewer, channel, Object.fromEntries(url.searchParams) as StreamParams);
  } catch (err) {
    const { status, message } = statusAndMessage(err);
    if (status === 500) log(`${path}: ${(err as Error).message}`);
    reply(res, status, 'application/json', JSON.stringify({ error: message }));
  }
}

const wss = new WebSocketServer({ noServer: true });
const sessions = new Set<WebSocketSession>();

/** A refused upgrade is a bare HTTP answer with the reason in X-Error-Message, as Mastodon writes it. */
function refuseUpgrade(socket: Duplex, err: unknown): void {
  const { status, message } = statusAndMessage(err);
  if (status === 500) log(`upgrade: ${(err as Error).message}`);
  const headers = [
    'Connection: close',
    'Content-Type: text/plain',
    'Content-Length: 0',
    `X-Request-Id: ${randomUUID()}`,
    `X-Error-Message: ${message}`,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.join('\r\n')}\r\n\r\n`);
}

async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const onSocketError = (err: Error) => log(`upgrade socket: ${err.message}`);
  socket.on('error', onSocketError);
  const query = new URL(req.url ?? '/', 'http://streaming').searchParams;
  let viewer: Viewer;
  try {
    viewer = await viewerFor(req, query);
  } catch (err) {
    refuseUpgrade(socket, err);
    return;
  }
  socket.removeListener('error', onSocketError);
  wss.handleUpgrade(req, socket, head, (ws) => {
    const session = new WebSocketSession(env, ws, viewer, query);
    sessions.add(session);
    ws.once('close', () => sessions.delete(session));
  });
}

const server = createServer((req, res) => {
  onRequest(req, res).catch((err: Error) => {
    log(`request: ${err.message}`);
    if (!res.headersSent) reply(res, 500, 'application/json', JSON.stringify({ error: 'An unexpected error occurred' }));
  });
});
server.on('upgrade', (req, socket, head) => void onUpgrade(req, socket, head));
const heartbeat = setInterval(() => sessions.forEach((s) => s.heartbeat()), HEARTBEAT_MS);

server.listen(config.port, config.bind, () => {
  process.stdout.write(`${JSON.stringify({ streaming: 'ready', pid: process.pid })}\n`);
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(heartbeat);
  for (const ws of wss.clients) ws.terminate();
  server.close();
  server.closeAllConnections();
  subscriber.disconnect();
  commands.disconnect();
  void db.end().catch(() => {}).finally(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
