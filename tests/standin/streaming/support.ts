import { once } from 'node:events';
import { WebSocket, type ClientOptions } from 'ws';
import { parseExposition, sumOf } from '../../../reports/collect/exposition.js';
import { eventually } from '../support.js';

// A WebSocket client that keeps every frame it gets, and the streaming
// server's metrics, read the way Prometheus would.

export interface Frame {
  stream?: string[];
  event?: string;
  payload?: string;
  error?: string;
  status?: number;
}

export class StreamClient {
  readonly frames: Frame[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
  }

  static async open(url: string, opts: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<StreamClient> {
    const ws = new WebSocket(url, opts.protocols, { headers: opts.headers } satisfies ClientOptions);
    const client = new StreamClient(ws);
    await once(ws, 'open');
    return client;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first frame (from `from` on) that matches, waiting for it. */
  next(match: (f: Frame) => boolean, timeoutMs = 15_000, from = 0): Promise<Frame> {
    return eventually(async () => this.frames.slice(from).find(match), timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.close();
    await closed;
  }
}

/** The HTTP answer to an upgrade the server refuses. */
export async function refusedUpgrade(url: string, opts: { protocols?: string[]; headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(url, opts.protocols, { headers: opts.headers });
  ws.on('error', () => {});
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  res.resume();
  ws.terminate();
  return { status: res.statusCode, message: res.headers['x-error-message'], contentType: res.headers['content-type'] };
}

export async function metric(metricsUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  // prom-client prints NaN as "Nan" (the event-loop lag before its first sample); Prometheus reads either.
  const text = (await (await fetch(metricsUrl)).text()).replace(/ Nan$/gm, ' NaN');
  return sumOf(parseExposition(text), name, labels);
}

/** Waits until a gauge reaches a value (the server updates it when the socket event is processed). */
export function metricReaches(metricsUrl: string, name: string, labels: Record<string, string>, value: number): Promise<true> {
  return eventually(async () => (await metric(metricsUrl, name, labels)) === value || undefined, 10_000);
}
