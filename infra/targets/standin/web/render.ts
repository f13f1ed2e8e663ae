// Mastodon's REST entities (app/serializers/rest/*), built from rows loaded by
// queries.ts. Only fields a client library reads are computed; the others carry
// Mastodon's values for an account with no media, emojis or profile fields.

export interface AccountRow {
  id: string;
  username: string;
  domain: string | null;
  display_name: string;
  note: string;
  locked: boolean;
  bot: boolean;
  discoverable: boolean | null;
  created_at: Date;
  statuses_count: string | null;
  following_count: string | null;
  followers_count: string | null;
  last_status_at: Date | null;
}

export interface StatusRow {
  id: string;
  account_id: string;
  text: string;
  spoiler_text: string;
  sensitive: boolean;
  visibility: number;
  language: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog_of_id: string | null;
  created_at: Date;
  replies_count: string | null;
  reblogs_count: string | null;
  favourites_count: string | null;
  favourited?: boolean;
  reblogged?: boolean;
}

export const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;

function midnight(d: Date): string {
  return `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// URLs are found in the raw text (so `"` or `>` next to one is not taken into
// it) and, as twitter-text does for Mastodon, end before trailing punctuation
// and before a `)` that closes a parenthesis opened outside the URL.
function linkify(text: string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    let url = m[0];
    for (;;) {
      if (/[.,;:!?'*]$/.test(url)) url = url.slice(0, -1);
      else if (url.endsWith(')') && url.split('(').length < url.split(')').length) url = url.slice(0, -1);
      else break;
    }
    if (!/^https?:\/\/./.test(url)) continue;
    const e = escapeHtml(url);
    out += `${escapeHtml(text.slice(at, m.index))}<a href="${e}" target="_blank" rel="nofollow noopener">${e}</a>`;
    at = m.index + url.length;
  }
  return out + escapeHtml(text.slice(at));
}

/** Plain-text formatting as Mastodon's TextFormatter does it for local posts (minus mentions and tags). */
export function formatContent(text: string): string {
  const paragraphs = linkify(text)
    .split(/\n{2,}/)
    .map((p) => p.replace(/\n/g, '<br />'));
  return paragraphs.map((p) => `<p>${p}</p>`).join('');
}

export function renderAccount(a: AccountRow, base: string): Record<string, unknown> {
  const acct = a.domain ? `${a.username}@${a.domain}` : a.username;
  const missing = `${base}/avatars/original/missing.png`;
  return {
    id: a.id,
    username: a.username,
    acct,
    display_name: a.display_name,
    locked: a.locked,
    bot: a.bot,
    discoverable: a.discoverable,
    indexable: false,
    group: false,
    created_at: midnight(a.created_at),
    note: a.note ? formatContent(a.note) : '',
    url: `${base}/@${a.username}`,
    uri: `${base}/users/${a.username}`,
    avatar: missing,
    avatar_static: missing,
    header: `${base}/headers/original/missing.png`,
    header_static: `${base}/headers/original/missing.png`,
    followers_count: Number(a.followers_count ?? 0),
    following_count: Number(a.following_count ?? 0),
    statuses_count: Number(a.statuses_count ?? 0),
    last_status_at: a.last_status_at ? a.last_status_at.toISOString().slice(0, 10) : null,
    hide_collections: null,
    noindex: false,
    emojis: [],
    roles: [],
    fields: [],
  };
}

export function renderCredentialAccount(a: AccountRow, base: string, role: string): Record<string, unknown> {
  return {
    ...renderAccount(a, base),
    source: {
      privacy: 'public',
      sensitive: false,
      language: null,
      note: a.note,
      fields: [],
      follow_requests_count: 0,
      hide_collections: null,
      discoverable: a.discoverable,
      indexable: false,
      attribution_domains: [],
    },
    role: { id: role ? '3' : '-99', name: role, permissions: role ? '1' : '65536', color: '', highlighted: Boolean(role) },
  };
}

export function renderStatus(
  s: StatusRow,
  accounts: Map<string, AccountRow>,
  base: string,
  reblog: Record<string, unknown> | null,
  viewerId?: string,
): Record<string, unknown> {
  const author = accounts.get(s.account_id)!;
  const mine = viewerId === s.account_id;
  return {
    id: s.id,
    created_at: s.created_at.toISOString(),
    in_reply_to_id: s.in_reply_to_id,
    in_reply_to_account_id: s.in_reply_to_account_id,
    sensitive: s.sensitive,
    spoiler_text: s.spoiler_text,
    visibility: VISIBILITIES[s.visibility] ?? 'public',
    language: s.language,
    uri: `${base}/users/${author.username}/statuses/${s.id}`,
    url: `${base}/@${author.username}/${s.id}`,
    replies_count: Number(s.replies_count ?? 0),
    reblogs_count: Number(s.reblogs_count ?? 0),
    favourites_count: Number(s.favourites_count ?? 0),
    quotes_count: 0,
    edited_at: null,
    ...(viewerId !== undefined
      ? { favourited: Boolean(s.favourited), reblogged: Boolean(s.reblogged), muted: false, bookmarked: false, ...(mine ? { pinned: false } : {}) }
      : {}),
    content: reblog ? '' : formatContent(s.text),
    filtered: [],
    reblog,
    application: mine ? { name: 'Web', website: null } : undefined,
    account: renderAccount(author, base),
    media_attachments: [],
    mentions: [],
    tags: [],
    emojis: [],
    quote: null,
    card: null,
    poll: null,
  };
}
