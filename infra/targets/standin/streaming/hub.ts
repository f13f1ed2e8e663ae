import type { Redis } from 'ioredis';
import { parseRedisMessage } from './channels.js';
import type { StreamingMetrics } from './metrics.js';

// One Redis SUBSCRIBE per channel however many clients listen on it, as the
// streaming server multiplexes them; listeners get the parsed message.

export type Listener = (message: { event: string; payload: unknown }) => void;

/** Mastodon refreshes `subscribed:<channel>` every 6 minutes with a TTL of three times that. */
const SUBSCRIBED_REFRESH_SEC = 6 * 60;

export class Hub {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly commands: Redis,
    private readonly prefix: string,
    private readonly metrics: StreamingMetrics,
    private readonly onError: (err: Error) => void,
  ) {
    subscriber.on('message', (channel: string, raw: string) => {
      metrics.redisMessagesReceived.inc();
      const set = this.listeners.get(channel);
      if (!set) return;
      const message = parseRedisMessage(raw);
      if (!message) return;
      for (const listener of [...set]) listener(message);
    });
  }

  subscribe(channel: string, listener: Listener): void {
    const key = this.prefix + channel;
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
      this.subscriber.subscribe(key).then((count) => this.metrics.redisSubscriptions.set(Number(count)), this.onError);
    }
    set.add(listener);
  }

  unsubscribe(channel: string, listener: Listener): void {
    const key = this.prefix + channel;
    const set = this.listeners.get(key);
    if (!set) return;
    set.delete(listener);
    if (set.size > 0) return;
    this.listeners.delete(key);
    this.subscriber.unsubscribe(key).then((count) => this.metrics.redisSubscriptions.set(Number(count)), this.onError);
  }

  /**
   * Tells the web and workers someone is listening (`subscribed:<channel>`
   * keys, which Mastodon's FeedManager checks before publishing a home-feed
   * update). Returns the function that stops refreshing them.
   */
  markSubscribed(channels: string[]): () => void {
    const tell = () => {
      const p = this.commands.pipeline();
      for (const c of channels) p.set(`${this.prefix}subscribed:${c}`, '1', 'EX', SUBSCRIBED_REFRESH_SEC * 3);
      p.exec().catch(this.onError);
    };
    tell();
    const timer = setInterval(tell, SUBSCRIBED_REFRESH_SEC * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }
}
