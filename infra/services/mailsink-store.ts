import { randomInt } from 'node:crypto';
import type { StoredMessage } from './mailsink-message.js';
import { compileQuery } from './mailsink-search.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 22 base62 characters, the shape of Mailpit's IDs. */
export function newMessageId(): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE62[randomInt(62)];
  return id;
}

export interface Page {
  total: number;
  unread: number;
  matched: number;
  messages: StoredMessage[];
}

/**
 * Messages in arrival order, capped: the oldest are dropped first (Mailpit
 * prunes the same way with --max) so a long load test cannot exhaust memory.
 */
export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();

  constructor(private readonly maxMessages: number) {}

  get size(): number {
    return this.byId.size;
  }

  add(message: StoredMessage): void {
    this.byId.set(message.ID, message);
    while (this.byId.size > this.maxMessages) {
      const oldest = this.byId.keys().next().value as string;
      this.byId.delete(oldest);
    }
  }

  /** Newest first, as Mailpit lists them; `query` uses Mailpit's search syntax. */
  page(opts: { start: number; limit: number; query?: string }): Page {
    const all = [...this.byId.values()].reverse();
    const matching = opts.query === undefined ? all : all.filter(compileQuery(opts.query));
    return {
      total: all.length,
      unread: all.filter((m) => !m.Read).length,
      matched: matching.length,
      messages: matching.slice(opts.start, opts.start + opts.limit),
    };
  }

  /** `latest` is Mailpit's alias for the newest message. */
  get(id: string): StoredMessage | undefined {
    if (id === 'latest') return [...this.byId.values()].at(-1);
    return this.byId.get(id);
  }

  delete(ids: string[]): void {
    for (const id of ids) this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }
}

/** Counts accepted messages per UTC day, the way provider quotas reset. */
export class DailyQuota {
  private day = '';
  private used = 0;

  constructor(private readonly limit: number) {}

  tryTake(now: Date): boolean {
    const day = now.toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
}
