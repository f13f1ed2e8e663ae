// One newcomer arriving, as Mastodon 4.5's API has them do it: register an app
// → client_credentials token → POST /api/v1/accounts from their own IP → wait
// for the confirmation mail → follow its link → first verify_credentials
// (which also makes them "active", so fan-out reaches their home feed).
import { check } from 'k6';
import type { MailApi } from './mailpit.js';
import { confirmationLatencyMs } from './links.js';
import type { Mastodon } from './mastodon.js';
import { confirmationLatency, signupDuration, signupsCompleted, signupsFailed } from './metrics.js';
import type { SyntheticUser } from './users.js';

export type SignupStep = 'app' | 'token' | 'account' | 'mail' | 'confirm' | 'verify';

export interface SignupFlowOptions {
  /** Scopes registered for the app; the user's token gets exactly these. */
  appScopes: string;
  /** Scope of the client_credentials token used to create the account (write or write:accounts). */
  tokenScope: string;
  clientName?: string;
  /** date_of_birth for instances with a minimum age (4.4+). */
  dateOfBirth?: string | undefined;
}

export type SignupOutcome =
  | {
      ok: true;
      user: SyntheticUser;
      /** The user's token (valid for API use only when `confirmed`). */
      token: string;
      /** Account id, known once verify_credentials ran (confirmed users only). */
      accountId: string | undefined;
      confirmed: boolean;
      durationMs: number;
    }
  | { ok: false; user: SyntheticUser; step: SignupStep; status: number; throttled: boolean; detail: string };

function failed(user: SyntheticUser, step: SignupStep, status: number, throttled: boolean, detail: string | undefined): SignupOutcome {
  signupsFailed.add(1, { step });
  return { ok: false, user, step, status, throttled, detail: detail ?? '' };
}

/**
 * Runs the whole flow for `user`. Without a mail API the account is created
 * but not confirmed (and verify_credentials, which needs a confirmed address,
 * is skipped). Records signup_duration, confirmation_latency, signups_completed
 * and signups_failed{step}; never throws for an HTTP failure.
 */
export async function signUpNewcomer(api: Mastodon, mail: MailApi | undefined, user: SyntheticUser, opts: SignupFlowOptions): Promise<SignupOutcome> {
  const started = Date.now();
  const ip = user.ip;

  const app = await api.registerApp({ clientName: opts.clientName ?? 'mastodon-surge', scopes: opts.appScopes, ip });
  if (!app.ok || !app.data?.client_id) return failed(user, 'app', app.status, app.throttled, app.error);

  const appToken = await api.clientCredentialsToken({
    clientId: app.data.client_id,
    clientSecret: app.data.client_secret,
    scope: opts.tokenScope,
    ip,
  });
  if (!appToken.ok || !appToken.data?.access_token) return failed(user, 'token', appToken.status, appToken.throttled, appToken.error);

  const account = await api.signUp(appToken.data.access_token, { ...user, ...(opts.dateOfBirth ? { dateOfBirth: opts.dateOfBirth } : {}) }, ip);
  const createdAt = Date.now();
  if (!account.ok || !account.data?.access_token) return failed(user, 'account', account.status, account.throttled, account.error);
  const caller = { token: account.data.access_token, ip };

  if (!mail) {
    signupsCompleted.add(1);
    const durationMs = Date.now() - started;
    signupDuration.add(durationMs, { confirmed: 'false' });
    return { ok: true, user, token: caller.token, accountId: undefined, confirmed: false, durationMs };
  }

  const message = await mail.waitForConfirmation(user.email);
  check(message, { 'confirmation mail arrives with a link': (m) => m.ok });
  if (!message.ok) return failed(user, 'mail', 0, false, message.detail);
  confirmationLatency.add(confirmationLatencyMs(createdAt, message));

  const confirmed = await api.confirmEmail(message.link, { ip });
  if (!confirmed.ok) return failed(user, 'confirm', confirmed.status, confirmed.throttled, confirmed.error);

  const me = await api.verifyCredentials(caller);
  if (!me.ok || !me.data?.id) return failed(user, 'verify', me.status, me.throttled, me.error);

  const durationMs = Date.now() - started;
  signupsCompleted.add(1);
  signupDuration.add(durationMs, { confirmed: 'true' });
  return { ok: true, user, token: caller.token, accountId: me.data.id, confirmed: true, durationMs };
}
