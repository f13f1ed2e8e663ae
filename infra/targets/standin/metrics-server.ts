import { createServer, type Server } from 'node:http';

// A bare /metrics endpoint per process, as the prometheus_exporter gem serves
// one when MASTODON_PROMETHEUS_EXPORTER_LOCAL is set.

export function serveMetrics(host: string, port: number, render: () => Promise<{ body: string; contentType: string }>): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('Not found');
      return;
    }
    try {
      const { body, contentType } = await render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
