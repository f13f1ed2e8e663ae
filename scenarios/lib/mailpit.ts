// The confirmation mail, read through Mailpit's HTTP API (or the stand-in's
// Mailpit-shaped sink): search `to:<address>`, open the newest matching
// message, take Devise's confirmation link. Polls with async waits (backing
// off to 2 s) until a deadline. Requests are tagged `target:mail` so they never
// count against the instance's SLO.
import http, { type Response } from 'k6/http';
import { extractConfirmationLink, queryString, type Query } from './links.js';
import { TARGET_MAIL, TARGET_TAG } from './slo.js';
import { sleepAsync } from './time.js';

export interface MailAddress {
  Name: string;
  Address: string;
}

export interface MailSummary {
  ID: string;
  To: MailAddress[];
  Subject: string;
  /** When the mail API received it (ISO 8601). */
  Created: string;
}

export interface MailMessage {
  ID: string;
  Subject: string;
  Text: string;
  HTML: string;
}

export interface MailOptions {
  /** Give up after this many seconds (default 60). */
  timeoutS?: number;
  /** First poll interval; grows by half each poll up to 2 s (default 0.5). */
  pollS?: number;
}

export type ConfirmationResult =
  | {
      ok: true;
      link: string;
      /** Client clock (ms) when the message was first seen. */
      seenAt: number;
      /** The mail API's receive time (ms), if it gave a parseable one. */
      receivedAt: number | undefined;
    }
  | { ok: false; reason: 'timeout' | 'no-link' | 'mail-api'; detail: string };

function parseJson<T>(res: Response): T | undefined {
  try {
    return res.json() as unknown as T;
  } catch {
    return undefined;
  }
}

export class MailApi {
  readonly baseUrl: string;
  private readonly timeoutS: number;
  private readonly pollS: number;

  constructor(baseUrl: string, opts: MailOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutS = opts.timeoutS ?? 60;
    this.pollS = opts.pollS ?? 0.5;
  }

  private get(path: string, name: string, query?: Query): Promise<Response> {
    return http.asyncRequest('GET', `${this.baseUrl}${path}${queryString(query)}`, null, {
      headers: { Accept: 'application/json' },
      tags: { name, [TARGET_TAG]: TARGET_MAIL },
    });
  }

  /** Messages matching a Mailpit search query, newest first; undefined if the API failed. */
  async search(query: string, limit = 10): Promise<MailSummary[] | undefined> {
    const res = await this.get('/api/v1/search', 'mail GET /api/v1/search', { query, limit });
    if (res.status !== 200) return undefined;
    const body = parseJson<{ messages?: MailSummary[] }>(res);
    return Array.isArray(body?.messages) ? body.messages : undefined;
  }

  async message(id: string): Promise<MailMessage | undefined> {
    const res = await this.get(`/api/v1/message/${encodeURIComponent(id)}`, 'mail GET /api/v1/message/:id');
    return res.status === 200 ? parseJson<MailMessage>(res) : undefined;
  }

  /** Is the API there? (one cheap listing) */
  async reachable(): Promise<boolean> {
    const res = await this.get('/api/v1/messages', 'mail GET /api/v1/messages', { limit: 1 });
    return res.status === 200;
  }

  /**
   * Waits for the confirmation mail to `address` and returns its link.
   * Mailpit's `to:` is a substring match, so summaries are filtered to the
   * exact address; the newest one with a link wins.
   */
  async waitForConfirmation(address: string): Promise<ConfirmationResult> {
    const deadline = Date.now() + this.timeoutS * 1000;
    const wanted = address.toLowerCase();
    let interval = this.pollS;
    let failures = 0;
    for (;;) {
      const found = await this.search(`to:${address}`);
      const seenAt = Date.now();
      if (found === undefined) {
        failures++;
        if (failures >= 3) return { ok: false, reason: 'mail-api', detail: `mail search failed ${failures} times at ${this.baseUrl}` };
      } else {
        const mine = found.filter((m) => Array.isArray(m.To) && m.To.some((to) => String(to.Address).toLowerCase() === wanted));
        for (const summary of mine) {
          const msg = await this.message(summary.ID);
          const link = msg ? extractConfirmationLink(msg.Text, msg.HTML) : undefined;
          if (link) {
            const created = summary.Created ? Date.parse(summary.Created) : NaN;
            return { ok: true, link, seenAt, receivedAt: Number.isFinite(created) ? created : undefined };
          }
        }
        if (mine.length > 0 && Date.now() >= deadline) {
          return { ok: false, reason: 'no-link', detail: `${mine.length} mail(s) to ${address} but none with a confirmation link` };
        }
      }
      if (Date.now() + interval * 1000 > deadline) {
        return { ok: false, reason: 'timeout', detail: `no confirmation mail to ${address} within ${this.timeoutS} s` };
      }
      await sleepAsync(interval);
      interval = Math.min(2, interval * 1.5);
    }
  }
}
