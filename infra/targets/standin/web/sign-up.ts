import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcrypt';
import type pg from 'pg';
import { transaction } from '../db.js';
import { enqueue } from '../jobs/queue.js';
import type { WebContext } from './context.js';
import { validationError, type ValidationDetails } from './errors.js';
import { bool, str, type Params } from './params.js';
import type { Auth } from './auth.js';
import { secret } from './routes/apps.js';

// AppSignUpService: what POST /api/v1/accounts costs a Mastodon web process.
// Devise hashes the password when it is assigned, before validation, so even a
// rejected signup pays bcrypt; the RSA key is made in before_create.

const generateRsa = promisify(generateKeyPair);
export const BCRYPT_COST = 10;
const USERNAME = /^[a-z0-9_]+$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// Rails' :taken message, for the address and (UniqueUsernameValidator) the name alike.
const TAKEN = { error: 'ERR_TAKEN', description: 'has already been taken' };
const RESERVED = new Set(['admin', 'administrator', 'mod', 'moderator', 'root', 'support', 'help', 'webmaster', 'mastodon.internal']);

export interface SignUpResult {
  userId: string;
  accountId: string;
  token: string;
  scopes: string;
  createdAt: number;
}

export async function generateAccountKeys(): Promise<{ publicKey: string; privateKey: string }> {
  return generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

function validate(p: Params): { details: ValidationDetails; username: string; email: string; password: string } {
  const details: ValidationDetails = {};
  const add = (field: string, error: string, description: string) => (details[field] ??= []).push({ error, description });
  const username = str(p, 'username') ?? '';
  const email = (str(p, 'email') ?? '').trim();
  const password = str(p, 'password') ?? '';
  if (!username) add('username', 'ERR_BLANK', "can't be blank");
  else {
    if (!USERNAME.test(username)) add('username', 'ERR_INVALID', 'must contain only letters, numbers and underscores');
    if (username.length > 30) add('username', 'ERR_TOO_LONG', 'is too long (maximum is 30 characters)');
    if (RESERVED.has(username.toLowerCase())) add('username', 'ERR_RESERVED', 'is reserved');
  }
  if (!email) add('email', 'ERR_BLANK', "can't be blank");
  else if (!EMAIL.test(email) || email.length > 254) add('email', 'ERR_INVALID', 'is invalid');
  if (!password) add('password', 'ERR_BLANK', "can't be blank");
  else if (password.length < 8) add('password', 'ERR_TOO_SHORT', 'is too short (minimum is 8 characters)');
  else if (password.length > 72) add('password', 'ERR_TOO_LONG', 'is too long (maximum is 72 characters)');
  if (bool(p, 'agreement') !== true) add('agreement', 'ERR_ACCEPTED', 'must be accepted');
  return { details, username, email, password };
}

async function uniqueness(db: pg.Pool, username: string, email: string, details: ValidationDetails): Promise<void> {
  const { rows } = await db.query(
    `SELECT EXISTS (SELECT 1 FROM accounts WHERE lower(username) = lower($1) AND domain IS NULL) AS username_taken,
            EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) AS email_taken`,
    [username, email],
  );
  if (rows[0].username_taken && !details.username) details.username = [TAKEN];
  if (rows[0].email_taken && !details.email) details.email = [TAKEN];
}

export async function signUp(ctx: WebContext, appToken: Auth, p: Params, ip: string, approved: boolean): Promise<SignUpResult> {
  const { details, username, email, password } = validate(p);
  const encrypted = password && password.length <= 72 ? await bcrypt.hash(password, BCRYPT_COST) : '';
  if (!details.username || !details.email) await uniqueness(ctx.db, username, email, details);
  if (Object.keys(details).length > 0) throw validationError(details);

  const keys = await generateAccountKeys();
  const token = secret();
  const confirmation = randomBytes(20).toString('base64url');
  const result = await transaction(ctx.db, async (c) => {
    const account = await c.query(
      'INSERT INTO accounts (username, private_key, public_key, discoverable) VALUES ($1, $2, $3, NULL) RETURNING id::text',
      [username, keys.privateKey, keys.publicKey],
    );
    const accountId: string = account.rows[0].id;
    await c.query('INSERT INTO account_stats (account_id) VALUES ($1)', [accountId]);
    const user = await c.query(
      `INSERT INTO users (account_id, email, encrypted_password, confirmation_token, confirmation_sent_at, approved, locale, time_zone,
                          reason, agreement, sign_up_ip, created_by_application_id)
       VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8, true, $9, $10) RETURNING id::text`,
      [accountId, email, encrypted, confirmation, approved, str(p, 'locale') ?? null, str(p, 'time_zone') ?? null, str(p, 'reason') ?? null, ip, appToken.applicationId],
    );
    const userId: string = user.rows[0].id;
    const app = await c.query('SELECT scopes FROM oauth_applications WHERE id = $1', [appToken.applicationId]);
    const scopes: string = app.rows[0]?.scopes ?? appToken.scopes.join(' ');
    const t = await c.query(
      `INSERT INTO oauth_access_tokens (token, application_id, resource_owner_id, scopes) VALUES ($1, $2, $3, $4)
       RETURNING extract(epoch FROM created_at)::bigint AS created_at`,
      [token, appToken.applicationId, userId, scopes],
    );
    return { userId, accountId, token, scopes, createdAt: Number(t.rows[0].created_at) };
  }).catch((err: { code?: string; constraint?: string }) => {
    // Two signups racing for the same name or address: the loser gets Mastodon's 422.
    if (err.code === '23505') {
      const field = err.constraint?.includes('email') ? 'email' : 'username';
      throw validationError({ [field]: [TAKEN] });
    }
    throw err;
  });

  // After commit, as Mastodon's after_commit callbacks enqueue them.
  await enqueue(ctx.redis, 'mailers', 'ActionMailer::MailDeliveryJob', ['UserMailer', 'confirmation_instructions', 'deliver_now', result.userId]);
  await enqueue(ctx.redis, 'default', 'TriggerWebhookWorker', ['account.created', 'Account', result.accountId]);
  return result;
}
