// Mastodon's OAuth scopes (config/initializers/doorkeeper.rb). A controller
// names the scopes that suffice; a token passes holding any one of them.

const GRANULAR = [
  'read:accounts', 'read:blocks', 'read:bookmarks', 'read:favourites', 'read:filters', 'read:follows',
  'read:lists', 'read:mutes', 'read:notifications', 'read:search', 'read:statuses',
  'write:accounts', 'write:blocks', 'write:bookmarks', 'write:conversations', 'write:favourites',
  'write:filters', 'write:follows', 'write:lists', 'write:media', 'write:mutes', 'write:notifications',
  'write:reports', 'write:statuses',
  'admin:read', 'admin:read:accounts', 'admin:read:reports', 'admin:read:domain_allows', 'admin:read:domain_blocks',
  'admin:read:ip_blocks', 'admin:read:email_domain_blocks', 'admin:read:canonical_email_blocks',
  'admin:write', 'admin:write:accounts', 'admin:write:reports', 'admin:write:domain_allows', 'admin:write:domain_blocks',
  'admin:write:ip_blocks', 'admin:write:email_domain_blocks', 'admin:write:canonical_email_blocks',
];

export const KNOWN_SCOPES = new Set(['read', 'write', 'follow', 'push', 'profile', ...GRANULAR]);

export function parseScopes(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter(Boolean);
}

export function allKnown(scopes: string[]): boolean {
  return scopes.every((s) => KNOWN_SCOPES.has(s));
}

/** Doorkeeper's rule for client_credentials: every requested scope must be among the app's. */
export function within(requested: string[], granted: string[]): boolean {
  const g = new Set(granted);
  return requested.every((s) => g.has(s));
}

export function satisfies(tokenScopes: readonly string[], anyOf: readonly string[]): boolean {
  return anyOf.some((s) => tokenScopes.includes(s));
}

/** The scopes that let a token do `read:x` or `write:x`, top-level first, as Mastodon's controllers list them. */
export function needed(scope: string): string[] {
  const [top] = scope.split(':');
  const out = [top!, scope];
  if (/^(read|write):(follows|blocks|mutes)$/.test(scope)) out.push('follow');
  if (scope.startsWith('admin:')) out.splice(0, 1, scope.split(':').slice(0, 2).join(':'));
  return [...new Set(out)];
}
