import type { IncomingMessage, ServerResponse } from 'node:http';
import { toDetail, toSummary } from './mailsink-message.js';
import type { MessageStore } from './mailsink-store.js';

// The slice of Mailpit's HTTP API v1 that scenarios use, with Mailpit's status
// codes and plain-text error bodies.

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = typeof body !== 'string';
  res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain; charset=utf-8' });
  res.end(json ? JSON.stringify(body) : body);
}

function intParam(url: URL, name: string, fallback: number): number {
  const value = Number.parseInt(url.searchParams.get(name) ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body.trim() ? JSON.parse(body) : {};
}

function listing(store: MessageStore, url: URL, query?: string) {
  const start = intParam(url, 'start', 0);
  const page = store.page({ start, limit: intParam(url, 'limit', 50), ...(query !== undefined ? { query } : {}) });
  return {
    total: page.total,
    unread: page.unread,
    count: page.messages.length,
    messages_count: page.matched,
    start,
    tags: [] as string[],
    messages: page.messages.map(toSummary),
  };
}

export function mailApi(store: MessageStore) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (path === '/livez' || path === '/readyz') return send(res, 200, 'ok');
      if (path === '/api/v1/messages' && method === 'GET') return send(res, 200, listing(store, url));
      if (path === '/api/v1/messages' && method === 'DELETE') {
        const body = (await readJson(req)) as { IDs?: unknown };
        // No IDs means everything, as in Mailpit.
        if (Array.isArray(body.IDs) && body.IDs.length > 0) store.delete(body.IDs.map(String));
        else store.clear();
        return send(res, 200, 'ok');
      }
      if (path === '/api/v1/search' && method === 'GET') {
        return send(res, 200, listing(store, url, url.searchParams.get('query') ?? ''));
      }
      if (path === '/api/v1/search' && method === 'DELETE') {
        const query = url.searchParams.get('query') ?? '';
        const matches = store.page({ start: 0, limit: Number.MAX_SAFE_INTEGER, query }).messages;
        store.delete(matches.map((m) => m.ID));
        return send(res, 200, 'ok');
      }
      const detail = /^\/api\/v1\/message\/([^/]+)$/.exec(path);
      if (detail && method === 'GET') {
        const message = store.get(decodeURIComponent(detail[1] ?? ''));
        if (!message) return send(res, 404, 'message not found');
        // Opening a message marks it read, as in Mailpit.
        message.Read = true;
        return send(res, 200, toDetail(message));
      }
      return send(res, 404, '404 page not found');
    } catch (err) {
      return send(res, 400, (err as Error).message);
    }
  };
}
