// Mastodon's JSON error bodies. Handlers throw ApiError; the app's error
// handler renders it, so no handler can leak a stack trace or a 500 by accident.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = { error: message },
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type ValidationDetails = Record<string, { error: string; description: string }[]>;

// Mastodon's activerecord.attributes labels (user/account.username, user.email …).
const FIELD_LABEL: Record<string, string> = {
  username: 'Username', email: 'E-mail address', password: 'Password', agreement: 'Service agreement', reason: 'Reason',
  locale: 'Locale', text: 'Text', visibility: 'Visibility', display_name: 'Display name', note: 'Note', client_name: 'Application name', redirect_uri: 'Redirect URI', scopes: 'Scopes',
};

/** 422 as ActiveRecord::RecordInvalid renders it: a sentence plus per-field codes. */
export function validationError(details: ValidationDetails): ApiError {
  const sentences = Object.entries(details).flatMap(([field, errs]) =>
    errs.map((e) => `${FIELD_LABEL[field] ?? field} ${e.description}`),
  );
  return new ApiError(422, `Validation failed: ${sentences.join(', ')}`, {
    error: `Validation failed: ${sentences.join(', ')}`,
    details,
  });
}

export const errors = {
  invalidToken: () => new ApiError(401, 'The access token is invalid'),
  revokedToken: () => new ApiError(401, 'The access token was revoked'),
  outsideScopes: () => new ApiError(403, 'This action is outside the authorized scopes'),
  userRequired: () => new ApiError(422, 'This method requires an authenticated user'),
  unconfirmed: () => new ApiError(403, 'Your login is missing a confirmed e-mail address'),
  pending: () => new ApiError(403, 'Your login is currently pending approval'),
  disabled: () => new ApiError(403, 'Your login is currently disabled'),
  forbidden: () => new ApiError(403, 'This action is not allowed'),
  notFound: () => new ApiError(404, 'Record not found'),
  tooMany: (headers: Record<string, string> = {}) => new ApiError(429, 'Too many requests', { error: 'Too many requests' }, headers),
};
