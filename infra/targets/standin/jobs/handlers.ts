import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { StandinConfig } from '../config.js';
import { distribute, feedInsert, merge, removeEverywhere, unmerge } from './fan-out.js';
import type { Mailer } from './mailer.js';
import { FEDERATION_JOB_CLASSES } from '../federation/jobs.js';
import type { Federation } from '../federation/federation.js';
import { NOTIFICATION_COLUMNS, renderNotifications } from '../web/notification-render.js';
import { sidekiqDelay } from './backoff.js';

// Job classes by Mastodon's names, each with the queue it runs on in Mastodon
// and its retry policy. Link previews are not fetched; federation's workers
// live in ../federation/jobs.ts.

export interface JobEnv {
  config: StandinConfig;
  db: pg.Pool;
  redis: Redis;
  sendConfirmation: Mailer;
  federation: Federation;
}

export interface JobClass {
  maxRetries: number;
  delay(count: number): number;
  perform(env: JobEnv, args: unknown[]): Promise<void>;
}

const s = (v: unknown) => String(v);
const standard = { maxRetries: 25, delay: sidekiqDelay };

export const JOB_CLASSES: Record<string, JobClass> = {
  'ActionMailer::MailDeliveryJob': {
    ...standard,
    async perform(env, [, method, , userId]) {
      if (method === 'confirmation_instructions') await env.sendConfirmation(s(userId));
    },
  },
  DistributionWorker: {
    ...standard,
    perform: (env, [statusId]) => distribute(env.db, env.redis, env.config.baseUrl, s(statusId), env.config.userActiveDays),
  },
  FeedInsertWorker: {
    ...standard,
    perform: (env, [statusId, accountId]) => feedInsert(env.db, env.redis, env.config.baseUrl, s(statusId), s(accountId)),
  },
  MergeWorker: { ...standard, perform: (env, [from, into]) => merge(env.db, env.redis, s(from), s(into)) },
  UnmergeWorker: { ...standard, perform: (env, [from, into]) => unmerge(env.db, env.redis, s(from), s(into)) },
  RemovalWorker: {
    ...standard,
    async perform(env, [statusId, authorId]) {
      if (authorId !== undefined) await removeEverywhere(env.db, env.redis, s(statusId), s(authorId));
    },
  },
  LocalNotificationWorker: {
    ...standard,
    async perform(env, [receiver, from, , type, statusId]) {
      const { rows } = await env.db.query(
        `INSERT INTO notifications (account_id, from_account_id, type, status_id)
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1) AND EXISTS (SELECT 1 FROM accounts WHERE id = $2)
         RETURNING ${NOTIFICATION_COLUMNS}`,
        [s(receiver), s(from), s(type), statusId === undefined ? null : s(statusId)],
      );
      if (rows[0]) {
        // NotifyService pushes the rendered notification to the receiver's streams.
        const [payload] = await renderNotifications(env.db, rows, env.config.baseUrl, s(receiver));
        await env.redis.publish(`timeline:${s(receiver)}:notifications`, JSON.stringify({ event: 'notification', payload: JSON.stringify(payload) }));
      }
    },
  },
  BootstrapTimelineWorker: {
    ...standard,
    // No inviter to auto-follow on a fresh instance; staff are told of the new account.
    async perform(env, [accountId]) {
      await env.db.query(
        `INSERT INTO notifications (account_id, from_account_id, type)
         SELECT u.account_id, $1, 'admin.sign_up' FROM users u WHERE u.role IN ('Owner', 'Admin', 'Moderator') AND u.account_id <> $1`,
        [s(accountId)],
      );
    },
  },
  TriggerWebhookWorker: { ...standard, perform: async () => {} },
  LinkCrawlWorker: { maxRetries: 0, delay: sidekiqDelay, perform: async () => {} },
  ...FEDERATION_JOB_CLASSES,
};
