import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { mailApi } from './mailsink-api.js';
import { toStoredMessage } from './mailsink-message.js';
import { DailyQuota, MessageStore, newMessageId } from './mailsink-store.js';

export interface MailSinkHandle {
  name: 'mailsink';
  smtpHost: string;
  smtpPort: number;
  /** http://127.0.0.1:P, serving Mailpit's API v1 shape. */
  apiUrl: string;
  /** Messages currently held (what the API reports as `total`). */
  count(): number;
  /** Messages accepted since start, including ones since deleted or pruned. */
  received(): number;
  /** Messages refused because of `dailyQuota`. */
  rejected(): number;
  stop(): Promise<void>;
}

export interface MailSinkOptions {
  smtpPort?: number;
  apiPort?: number;
  /** Wait this long before answering DATA, like a slow provider. */
  delayMs?: number;
  /** Refuse messages beyond this many per UTC day, like a provider's sending cap. */
  dailyQuota?: number;
  /** Oldest messages are dropped beyond this; ~20 KB each for Mastodon mails. */
  maxMessages?: number;
}

const HOST = '127.0.0.1';
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server | SMTPServer['server'], port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startMailSink(opts: MailSinkOptions = {}): Promise<MailSinkHandle> {
  const store = new MessageStore(opts.maxMessages ?? 20_000);
  const quota = opts.dailyQuota === undefined ? undefined : new DailyQuota(opts.dailyQuota);
  let received = 0;
  let rejected = 0;

  async function accept(stream: Readable, session: SMTPServerSession): Promise<void> {
    const raw = await readAll(stream);
    if ((stream as Readable & { sizeExceeded?: boolean }).sizeExceeded) {
      throw new SmtpReply(552, '5.3.4 Message too big');
    }
    if (opts.delayMs) await sleep(opts.delayMs);
    const parsed = await simpleParser(raw);
    const now = new Date();
    if (quota && !quota.tryTake(now)) {
      rejected++;
      throw new SmtpReply(550, '5.7.1 Daily sending quota exceeded');
    }
    const mailFrom = session.envelope.mailFrom;
    const envelope = {
      mailFrom: mailFrom ? mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    };
    store.add(toStoredMessage(parsed, { id: newMessageId(), size: raw.length, envelope, received: now }));
    received++;
  }

  const smtp = new SMTPServer({
    // No TLS and any (or no) credentials: it is a local sink, and Mastodon's
    // mailer may be configured with a login it expects to be accepted.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: 'mastodon-surge mail sink',
    closeTimeout: 1000,
    onData: (stream, session, callback) => {
      accept(stream, session).then(
        () => callback(),
        (err: unknown) => {
          const reply = err instanceof SmtpReply ? err : new SmtpReply(451, `4.3.0 ${(err as Error).message}`);
          callback(reply);
        },
      );
    },
  });
  // Client resets are routine under load; they must not crash the harness.
  smtp.on('error', () => {});
  const api = mailApi(store);
  const http = createServer((req, res) => void api(req, res));

  let smtpPort: number;
  let apiPort: number;
  try {
    smtpPort = await listen(smtp.server, opts.smtpPort ?? 0);
    apiPort = await listen(http, opts.apiPort ?? 0);
  } catch (err) {
    smtp.server.close();
    http.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    name: 'mailsink',
    smtpHost: HOST,
    smtpPort,
    apiUrl: `http://${HOST}:${apiPort}`,
    count: () => store.size,
    received: () => received,
    rejected: () => rejected,
    stop: () =>
      (stopping ??= (async () => {
        http.closeAllConnections();
        await Promise.all([
          new Promise<void>((resolve) => smtp.close(() => resolve())),
          new Promise<void>((resolve) => http.close(() => resolve())),
        ]);
      })()),
  };
}
