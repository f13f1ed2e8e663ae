import type pg from 'pg';
import client from 'prom-client';
import { CHANNEL_NAMES } from './channels.js';

// The streaming server's own metric names (streaming/metrics.js: no prefix,
// whatever the docs say), primed at zero for every type and channel so a
// restart shows as a drop rather than a gap.

export type Transport = 'websocket' | 'eventsource';

export interface StreamingMetrics {
  registry: client.Registry;
  connectedClients: client.Gauge<'type'>;
  connectedChannels: client.Gauge<'type' | 'channel'>;
  redisSubscriptions: client.Gauge;
  redisMessagesReceived: client.Counter;
  messagesSent: client.Counter<'type'>;
}

export function streamingMetrics(pool: pg.Pool): StreamingMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const poolGauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  poolGauge('pg_pool_total_connections', 'Connections open in the pool', () => pool.totalCount);
  poolGauge('pg_pool_idle_connections', 'Connections idle in the pool', () => pool.idleCount);
  poolGauge('pg_pool_waiting_queries', 'Queries waiting for a connection', () => pool.waitingCount);

  const m: StreamingMetrics = {
    registry,
    connectedClients: new client.Gauge({ name: 'connected_clients', help: 'Clients connected to the streaming server', labelNames: ['type'], registers }),
    connectedChannels: new client.Gauge({
      name: 'connected_channels',
      help: 'Channels the streaming server is streaming to',
      labelNames: ['type', 'channel'],
      registers,
    }),
    redisSubscriptions: new client.Gauge({ name: 'redis_subscriptions', help: 'Redis channels subscribed to', registers }),
    redisMessagesReceived: new client.Counter({
      name: 'redis_messages_received_total',
      help: 'Messages received from Redis subscriptions',
      registers,
    }),
    messagesSent: new client.Counter({ name: 'messages_sent_total', help: 'Messages sent to clients', labelNames: ['type'], registers }),
  };
  m.redisSubscriptions.set(0);
  m.redisMessagesReceived.inc(0);
  for (const type of ['websocket', 'eventsource'] as const) {
    m.connectedClients.set({ type }, 0);
    m.messagesSent.inc({ type }, 0);
    for (const channel of CHANNEL_NAMES) m.connectedChannels.set({ type, channel }, 0);
  }
  return m;
}
