import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';

// The secrets a fresh Mastodon needs, made the way its own generators make
// them, so nothing has to run inside a container before the first boot:
// `rails secret` (128 hex digits), `rails db:encryption:init` (three random
// 32-character strings) and `rails mastodon:webpush:generate_vapid_key` (a
// P-256 key pair, URL-safe Base64 with padding: the 32-byte private scalar and
// the 65-byte uncompressed public point).

export interface MastodonSecrets {
  SECRET_KEY_BASE: string;
  /** Read by 4.3 only among the supported versions. */
  OTP_SECRET: string;
  ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: string;
  ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: string;
  ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: string;
  VAPID_PRIVATE_KEY: string;
  VAPID_PUBLIC_KEY: string;
  DB_PASS: string;
  REDIS_PASSWORD: string;
}

/** Every env name whose value must never be printed. VAPID_PUBLIC_KEY is public by design. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set([
  'SECRET_KEY_BASE', 'OTP_SECRET', 'ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY', 'ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT',
  'ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY', 'VAPID_PRIVATE_KEY', 'DB_PASS', 'REDIS_PASSWORD', 'POSTGRES_PASSWORD', 'REDISCLI_AUTH',
]);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Like Ruby's SecureRandom.alphanumeric(n). */
export function alphanumeric(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

const base64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** A VAPID pair in Mastodon's format (web-push gem: Base64.urlsafe_encode64, padded). */
export function vapidKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d!, 'base64url');
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { privateKey: base64url(d), publicKey: base64url(point) };
}

export function generateSecrets(): MastodonSecrets {
  const vapid = vapidKeyPair();
  return {
    SECRET_KEY_BASE: randomBytes(64).toString('hex'),
    OTP_SECRET: randomBytes(64).toString('hex'),
    ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: alphanumeric(32),
    ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: alphanumeric(32),
    ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: alphanumeric(32),
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_PUBLIC_KEY: vapid.publicKey,
    DB_PASS: alphanumeric(32),
    REDIS_PASSWORD: alphanumeric(32),
  };
}

/** What a printed plan shows instead of a secret: its shape, never its value. */
export function redacted(value: string): string {
  return `<redacted: ${value.length} characters>`;
}
