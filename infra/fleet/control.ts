// The fleet's own HTTP endpoint, apart from the synthetic servers: Prometheus
// metrics, the JSON summary and raw arrivals for reports, and the follow
// command the harness uses to wire a fleet account to a target account.
//
//   GET  /metrics    Prometheus text
//   GET  /summary    FleetSummary (latency p50/p95/p99 overall, per domain, per source)
//   GET  /arrivals   every first arrival: note, source, domain, publishedMs, arrivedMs
//   GET  /domains    the domains, their bases and account names
//   POST /follow     {"domain":0,"actor":0,"target":"alice@127.0.0.2:3000"} → FollowResult

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fleet } from './fleet.js';

export async function startControl(fleet: Fleet, host = '127.0.0.1', port = 0): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown, type = 'application/json') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': type }).end(text);
    };
    const route = `${req.method} ${(req.url ?? '/').replace(/\?.*$/, '')}`;
    const fail = (err: unknown) => reply(500, { error: (err as Error).message });
    switch (route) {
      case 'GET /metrics':
        fleet.metrics.registry.metrics().then((t) => reply(200, t, fleet.metrics.registry.contentType), fail);
        return;
      case 'GET /summary':
        return reply(200, fleet.summary());
      case 'GET /arrivals':
        return reply(200, fleet.arrivals());
      case 'GET /domains':
        return reply(200, fleet.domains);
      case 'POST /follow': {
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (raw += c));
        req.on('end', () => {
          let body: { domain?: unknown; actor?: unknown; target?: unknown; timeoutMs?: unknown };
          try {
            body = JSON.parse(raw);
          } catch {
            return reply(400, { error: 'body must be JSON {"domain":0,"actor":0,"target":"user@host"}' });
          }
          const { domain, actor, target, timeoutMs } = body;
          if (typeof domain !== 'number' || typeof actor !== 'number' || typeof target !== 'string') {
            return reply(400, { error: 'body must be JSON {"domain":0,"actor":0,"target":"user@host"}' });
          }
          fleet.follow({ domain, actor }, target, typeof timeoutMs === 'number' ? timeoutMs : undefined).then((r) => reply(200, r), fail);
        });
        return;
      }
      default:
        return reply(404, { error: `no route ${route}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, server };
}
