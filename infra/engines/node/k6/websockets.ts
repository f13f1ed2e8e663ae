// k6/websockets: a browser-style WebSocket on the VU's event loop, over `ws`.
// An open socket keeps the iteration alive until it is closed; metrics as in
// k6 (ws_sessions, ws_connecting, ws_msgs_sent/received, ws_session_duration).

import { WebSocket as WS } from 'ws';
import type { Tags } from '../runtime/metrics.js';
import type { VU } from '../runtime/vu.js';
import { applyUserTags, toArrayBuffer, toBytes } from './util.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Listener = (ev: Record<string, unknown>) => unknown;

export function createWebSocketsModule(vu: VU): object {
  const engine = vu.shared.engine;

  class WebSocket {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSING = CLOSING;
    static readonly CLOSED = CLOSED;
    readonly url: string;
    readyState = CONNECTING;
    protocol = '';
    binaryType: 'blob' | 'arraybuffer' = 'blob';
    bufferedAmount = 0;
    onopen: Listener | null = null;
    onmessage: Listener | null = null;
    onerror: Listener | null = null;
    onclose: Listener | null = null;
    onping: Listener | null = null;
    onpong: Listener | null = null;
    private readonly listeners = new Map<string, Listener[]>();
    private readonly socket: WS;
    private readonly tags: Tags;
    private openedAt = 0;
    private release: () => void;

    constructor(url: unknown, protocols?: unknown, params?: unknown) {
      const scope = vu.requireScope('Creating a WebSocket');
      this.url = String(url);
      const p = (params ?? {}) as { headers?: Record<string, unknown>; tags?: unknown };
      this.tags = applyUserTags(vu.currentTags(), p.tags);
      const headers: Record<string, string> = { 'User-Agent': vu.shared.options.userAgent };
      for (const [k, v] of Object.entries(p.headers ?? {})) headers[k] = String(v);
      const protos = protocols === undefined || protocols === null ? undefined : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
      const start = performance.now();
      this.release = scope.hold();
      const socket = new WS(this.url, protos, { headers, handshakeTimeout: 60_000 });
      this.socket = socket;
      const onAbort = () => {
        socket.terminate();
        this.release();
      };
      scope.signal.addEventListener('abort', onAbort, { once: true });
      const alive = () => scope.active;
      socket.on('upgrade', (res) => {
        this.tags.status = String(res.statusCode ?? 101);
      });
      socket.on('open', () => {
        if (!alive()) return;
        this.openedAt = performance.now();
        this.readyState = OPEN;
        this.protocol = socket.protocol;
        if (this.protocol) this.tags.subproto = this.protocol;
        const clean = this.url;
        if (this.tags.name === undefined) {
          this.tags.url = clean;
          this.tags.name = clean;
        } else this.tags.url = this.tags.name;
        vu.emit(engine.mustGet('ws_sessions'), 1, this.tags);
        vu.emit(engine.mustGet('ws_connecting'), this.openedAt - start, this.tags);
        this.dispatch('open', {});
      });
      socket.on('message', (data, isBinary) => {
        if (!alive()) return;
        vu.emit(engine.mustGet('ws_msgs_received'), 1, this.tags);
        let payload: unknown;
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        if (!isBinary) payload = buf.toString('utf8');
        else if (this.binaryType === 'arraybuffer') payload = toArrayBuffer(buf);
        else payload = new Blob([buf]);
        this.dispatch('message', { data: payload, origin: this.url });
      });
      socket.on('ping', () => alive() && this.dispatch('ping', {}));
      socket.on('pong', () => alive() && this.dispatch('pong', {}));
      socket.on('error', (err) => {
        if (!alive()) return;
        this.dispatch('error', { error: err.message, message: err.message });
      });
      socket.on('close', (code, reason) => {
        scope.signal.removeEventListener('abort', onAbort);
        const wasOpen = this.openedAt > 0;
        this.readyState = CLOSED;
        if (alive()) {
          if (wasOpen) vu.emit(engine.mustGet('ws_session_duration'), performance.now() - this.openedAt, this.tags);
          this.dispatch('close', { code, reason: reason.toString('utf8'), wasClean: code === 1000 });
        }
        this.release();
      });
    }

    private dispatch(type: string, ev: Record<string, unknown>): void {
      const event = { type, target: this, ...ev };
      const handlers: Listener[] = [];
      const prop = (this as unknown as Record<string, unknown>)[`on${type}`];
      if (typeof prop === 'function') handlers.push(prop as Listener);
      handlers.push(...(this.listeners.get(type) ?? []));
      for (const h of handlers) {
        try {
          const r = h.call(this, event);
          if (r && typeof (r as Promise<unknown>).then === 'function') {
            (r as Promise<unknown>).then(undefined, (e) => vu.scope?.fail(e, true));
          }
        } catch (e) {
          vu.scope?.fail(e);
          return;
        }
      }
    }

    addEventListener(type: string, listener: Listener): void {
      const list = this.listeners.get(type) ?? [];
      list.push(listener);
      this.listeners.set(type, list);
    }

    removeEventListener(type: string, listener: Listener): void {
      const list = this.listeners.get(type);
      if (list) this.listeners.set(type, list.filter((l) => l !== listener));
    }

    send(data: unknown): void {
      if (this.readyState !== OPEN) throw new Error('InvalidStateError: the WebSocket is not open');
      if (typeof data === 'string') this.socket.send(data);
      else if (data instanceof Blob) {
        void data.arrayBuffer().then((b) => this.socket.send(Buffer.from(b)));
      } else this.socket.send(Buffer.from(toBytes(data)));
      vu.emit(engine.mustGet('ws_msgs_sent'), 1, this.tags);
    }

    ping(): void {
      if (this.readyState === OPEN) this.socket.ping();
    }

    close(code?: number, reason?: string): void {
      if (this.readyState === CLOSED || this.readyState === CLOSING) return;
      this.readyState = CLOSING;
      this.socket.close(code ?? 1000, reason);
    }
  }

  return { WebSocket, Blob };
}
