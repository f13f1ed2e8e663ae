import type pg from 'pg';
import { encodePayload, hasPayload, systemChannels, type ResolvedStream, type Viewer } from './channels.js';
import { visibleTo } from './filter.js';
import type { Hub, Listener } from './hub.js';
import type { StreamingMetrics, Transport } from './metrics.js';

// One stream of one client, whatever the transport: listen on its Redis
// channels, check updates on public streams against the viewer's blocks and
// mutes, count what is sent, and stop cleanly.

export interface StreamEnv {
  hub: Hub;
  db: pg.Pool;
  metrics: StreamingMetrics;
  log: (line: string) => void;
}

export interface Stream {
  stop(): void;
}

export function streamFrom(
  env: StreamEnv,
  stream: ResolvedStream,
  viewer: Viewer,
  type: Transport,
  output: (event: string, payload: string) => void,
): Stream {
  const transmit = (event: string, payload: unknown) => {
    env.metrics.messagesSent.inc({ type });
    output(event, encodePayload(payload));
  };
  const listener: Listener = ({ event, payload }) => {
    if (!hasPayload(payload)) return;
    if (!stream.needsFiltering || (event !== 'update' && event !== 'status.update')) {
      transmit(event, payload);
      return;
    }
    visibleTo(env.db, viewer.accountId, payload).then(
      (ok) => ok && transmit(event, payload),
      (err: Error) => env.log(`filtering an update for account ${viewer.accountId}: ${err.message}`),
    );
  };
  for (const id of stream.ids) env.hub.subscribe(id, listener);
  const stopMarking = env.hub.markSubscribed(stream.ids);
  return {
    stop() {
      for (const id of stream.ids) env.hub.unsubscribe(id, listener);
      stopMarking();
    },
  };
}

/** The two system channels every connection has: a `kill` (token revoked) ends it. */
export function systemStream(env: StreamEnv, viewer: Viewer, type: Transport, onKill: () => void): Stream {
  const ids = systemChannels(viewer);
  const listener: Listener = ({ event }) => {
    if (event === 'kill') onKill();
  };
  for (const id of ids) env.hub.subscribe(id, listener);
  env.metrics.connectedChannels.inc({ type, channel: 'system' }, ids.length);
  return {
    stop() {
      for (const id of ids) env.hub.unsubscribe(id, listener);
      env.metrics.connectedChannels.dec({ type, channel: 'system' }, ids.length);
    },
  };
}
