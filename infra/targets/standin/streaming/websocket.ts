import type { WebSocket } from 'ws';
import { checkScopes, firstParam, resolveStream, statusAndMessage, StreamError, websocketFrame, type StreamParams, type Viewer } from './channels.js';
import { streamFrom, systemStream, type Stream, type StreamEnv } from './streams.js';

// One WebSocket client: the stream named on the URL, then any number more over
// the multiplexed protocol ({"type":"subscribe","stream":"public"}), each
// message tagged with the stream it belongs to. Errors go back as
// {"error","status"} frames on the open socket.

interface Subscription {
  channel: string;
  stream: Stream;
}

export class WebSocketSession {
  /** Cleared by each heartbeat ping, set again by the pong; a socket still false at the next ping is dead. */
  alive = true;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly system: Stream;

  constructor(
    private readonly env: StreamEnv,
    private readonly ws: WebSocket,
    private readonly viewer: Viewer,
    query: URLSearchParams,
  ) {
    env.metrics.connectedClients.inc({ type: 'websocket' });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(data.toString(), isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => env.log(`websocket of account ${viewer.accountId}: ${err.message}`));
    this.system = systemStream(env, viewer, 'websocket', () => ws.close());
    const stream = query.get('stream');
    if (stream) this.subscribe(stream, Object.fromEntries(query) as StreamParams);
  }

  /** Mastodon's 30-second keep-alive: terminate what did not answer the last ping, ping the rest. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(1003, 'The mastodon streaming server does not support binary messages');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof json !== 'object' || json === null) return;
    const { type, stream, ...params } = json as { type?: unknown; stream?: unknown } & StreamParams;
    const name = firstParam(stream) ?? '';
    if (type === 'subscribe') this.subscribe(name, params);
    else if (type === 'unsubscribe') this.unsubscribe(name, params);
  }

  private subscribe(channel: string, params: StreamParams): void {
    try {
      checkScopes(this.viewer.scopes, channel);
      const resolved = resolveStream(channel, params, this.viewer);
      const key = resolved.ids.join(';');
      if (this.subscriptions.has(key)) return;
      const stream = streamFrom(this.env, resolved, this.viewer, 'websocket', (event, payload) => {
        if (this.ws.readyState === this.ws.OPEN) this.ws.send(websocketFrame(resolved.streamName, event, payload));
      });
      this.subscriptions.set(key, { channel, stream });
      this.env.metrics.connectedChannels.inc({ type: 'websocket', channel });
    } catch (err) {
      if (!(err instanceof StreamError)) this.env.log(`websocket subscription: ${(err as Error).message}`);
      const { status, message } = statusAndMessage(err);
      this.send({ error: message, status });
    }
  }

  private unsubscribe(channel: string, params: StreamParams): void {
    try {
      this.remove(resolveStream(channel, params, this.viewer).ids.join(';'));
    } catch {
      this.send({ error: 'Error unsubscribing from channel' });
    }
  }

  private remove(key: string): void {
    const sub = this.subscriptions.get(key);
    if (!sub) return;
    sub.stream.stop();
    this.env.metrics.connectedChannels.dec({ type: 'websocket', channel: sub.channel });
    this.subscriptions.delete(key);
  }

  private send(frame: object): void {
    if (this.alive && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private onClose(): void {
    for (const key of [...this.subscriptions.keys()]) this.remove(key);
    this.system.stop();
    this.env.metrics.connectedClients.dec({ type: 'websocket' });
  }
}
