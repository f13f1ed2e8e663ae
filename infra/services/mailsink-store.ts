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
  // A signup wave polls `to:ADDRESS` for every newcomer; an index keeps each
  // poll O(1) instead of a scan over tens of thousands of held messages. A
  // whole address matches exactly here, where Mailpit's substring match would
  // also return longer addresses containing it (README: mail sink).
  private readonly byRecipient = new Map<string, Set<StoredMessage>>();

  constructor(private readonly maxMessages: number) {}

  get size(): number {
    return this.byId.size;
  }

  add(message: StoredMessage): void {
    this.byId.set(message.ID, message);
    for (const to of recipients(message)) {
      let set = this.byRecipient.get(to);
      if (!set) this.byRecipient.set(to, (set = new Set()));
      set.add(message);
    }
    while (this.byId.size > this.maxMessages) {
      const oldest = this.byId.keys().next().value as string;
      this.delete([oldest]);
    }
  }

  /** Newest first, as Mailpit lists them; `query` uses Mailpit's search syntax. */
  page(opts: { start: number; limit: number; query?: string }): Page {
    const only = opts.query === undefined ? undefined : /^\s*to:"?([^\s"@]+@[^\s"]+)"?\s*$/i.exec(opts.query)?.[1];
    const indexed = only !== undefined;
    const all = indexed ? undefined : [...this.byId.values()].reverse();
    const matching = indexed
      ? [...(this.byRecipient.get(only!.toLowerCase()) ?? [])].reverse()
      : opts.query === undefined ? all! : all!.filter(compileQuery(opts.query));
    let unread = 0;
    for (const m of this.byId.values()) if (!m.Read) unread++;
    return {
      total: this.byId.size,
      unread,
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
    for (const id of ids) {
      const m = this.byId.get(id);
      if (!m) continue;
      this.byId.delete(id);
      for (const to of recipients(m)) {
        const set = this.byRecipient.get(to);
        set?.delete(m);
        if (set?.size === 0) this.byRecipient.delete(to);
      }
    }
  }

  clear(): void {
    this.byId.clear();
    this.byRecipient.clear();
  }
}

function recipients(m: StoredMessage): Set<string> {
  return new Set(m.To.map((a) => a.Address.toLowerCase()));
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
