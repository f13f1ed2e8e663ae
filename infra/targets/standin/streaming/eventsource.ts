import type { ServerResponse } from 'node:http';
import { eventSourceFrame, resolveStream, type StreamParams, type Viewer } from './channels.js';
import { streamFrom, systemStream, type StreamEnv } from './streams.js';

// Server-sent events (GET /api/v1/streaming/<channel>): one stream per
// request, a `:)` line to start and a `:thump` comment every 15 seconds so
// proxies keep the connection open.

const THUMP_MS = 15_000;

/** Throws a StreamError (before anything is written) when the stream cannot be served. */
export function serveEventSource(
  env: StreamEnv,
  res: ServerResponse,
  viewer: Viewer,
  channel: string,
  params: StreamParams,
): void {
  const resolved = resolveStream(channel, params, viewer);
  const type = 'eventsource';
  env.metrics.connectedClients.inc({ type });
  env.metrics.connectedChannels.inc({ type, channel });
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Transfer-Encoding': 'chunked' });
  res.write(':)\n');
  const thump = setInterval(() => res.write(':thump\n'), THUMP_MS);
  const system = systemStream(env, viewer, type, () => res.end());
  const stream = streamFrom(env, resolved, viewer, type, (event, payload) => res.write(eventSourceFrame(event, payload)));
  // The response closes when the client goes away or a `kill` ends it.
  res.on('close', () => {
    clearInterval(thump);
    stream.stop();
    system.stop();
    env.metrics.connectedClients.dec({ type });
    env.metrics.connectedChannels.dec({ type, channel });
  });
}
