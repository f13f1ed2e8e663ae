import nodemailer from 'nodemailer';
import type pg from 'pg';
import type { StandinConfig } from '../config.js';
import { escapeHtml } from '../web/render.js';

// UserMailer#confirmation_instructions, delivered over SMTP like Mastodon's
// ActionMailer: a real mail server (or sink) must accept it for the job to succeed.

export type Mailer = (userId: string) => Promise<void>;

export function confirmationMailer(config: StandinConfig, db: pg.Pool): { send: Mailer; close(): void } {
  const transport = nodemailer.createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const instance = config.localDomain;
  return {
    async send(userId) {
      const { rows } = await db.query(
        `SELECT u.email, u.confirmation_token, a.username FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = $1`,
        [userId],
      );
      const u = rows[0];
      // Confirmed (or deleted) since the job was queued: nothing to send, as Devise skips it.
      if (!u?.confirmation_token) return;
      const link = `${config.baseUrl}/auth/confirmation?confirmation_token=${encodeURIComponent(u.confirmation_token)}`;
      await transport.sendMail({
        from: config.smtpFrom,
        to: u.email,
        subject: `Mastodon: Confirmation instructions for ${instance}`,
        text: `Hi @${u.username},\n\nTo confirm your email address for ${instance}, open this link:\n\n${link}\n\nThe link is valid for 2 days.\n`,
        html: `<p>Hi @${escapeHtml(u.username)},</p><p>To confirm your email address for ${escapeHtml(instance)}, open this link:</p><p><a href="${escapeHtml(link)}">Verify email address</a></p><p>${escapeHtml(link)}</p>`,
      });
    },
    close: () => transport.close(),
  };
}
