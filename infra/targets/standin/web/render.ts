import { MENTION } from './mentions.js';

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
  // bigint: a string from a row, a number from JSON built in SQL.
  statuses_count: string | number | null;
  following_count: string | number | null;
  followers_count: string | number | null;
  last_status_at: Date | null;
  /** A remote account's ActivityPub id and profile page; null for local ones. */
  uri?: string | null;
  url?: string | null;
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
  account_username?: string;
  version?: string;
  /** A remote status's ActivityPub id; null for local ones. */
  uri?: string | null;
  /** The app that posted it, through the token used; none for boosts and remote posts. */
  application_name?: string | null;
  application_website?: string | null;
}

export const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

function midnight(d: Date): string {
  return `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// URLs are found in the raw text (so `"` or `>` next to one is not taken into
// it) and, as twitter-text does for Mastodon, end before trailing punctuation
// and before a `)` that closes a parenthesis opened outside the URL.
export function* urlSpans(text: string): Generator<{ index: number; url: string }> {
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    let url = m[0];
    for (;;) {
      if (/[.,;:!?'*]$/.test(url)) url = url.slice(0, -1);
      else if (url.endsWith(')') && url.split('(').length < url.split(')').length) url = url.slice(0, -1);
      else break;
    }
    if (/^https?:\/\/./.test(url)) yield { index: m.index, url };
  }
}

/** A local account a post mentions, as the status's `mentions` entry needs it. */
export interface Mention {
  id: string;
  username: string;
}

function linkify(text: string, mentioned: Mention[], base: string): string {
  const spans: { index: number; length: number; html: string }[] = [];
  for (const { index, url } of urlSpans(text)) {
    const e = escapeHtml(url);
    spans.push({ index, length: url.length, html: `<a href="${e}" target="_blank" rel="nofollow noopener">${e}</a>` });
  }
  if (mentioned.length > 0) {
    const byName = new Map(mentioned.map((m) => [m.username.toLowerCase(), m]));
    const host = new URL(base).hostname.toLowerCase();
    for (const m of text.matchAll(MENTION)) {
      const account = byName.get(m[1]!.toLowerCase());
      if (!account || (m[2] !== undefined && m[2].toLowerCase() !== host)) continue;
      if (spans.some((s) => m.index < s.index + s.length && s.index < m.index + m[0].length)) continue;
      const href = escapeHtml(`${base}/@${account.username}`);
      spans.push({
        index: m.index,
        length: m[0].length,
        html: `<span class="h-card" translate="no"><a href="${href}" class="u-url mention">@<span>${escapeHtml(account.username)}</span></a></span>`,
      });
    }
    spans.sort((a, b) => a.index - b.index);
  }
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += `${escapeHtml(text.slice(at, s.index))}${s.html}`;
    at = s.index + s.length;
  }
  return out + escapeHtml(text.slice(at));
}

/**
 * Plain-text formatting as Mastodon's TextFormatter does it for local posts
 * (minus hashtags): links, and `mentioned` accounts as h-card mentions.
 */
export function formatContent(text: string, mentioned: Mention[] = [], base = 'http://localhost'): string {
  const paragraphs = linkify(text, mentioned, base)
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
    url: a.url ?? a.uri ?? `${base}/@${a.username}`,
    uri: a.uri ?? `${base}/users/${a.username}`,
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
      // 4.5: the policy new posts get when no quote_approval_policy is given.
      quote_policy: 'public',
    },
    role: { id: role ? '3' : '-99', name: role, permissions: role ? '1' : '65536', color: '', highlighted: Boolean(role) },
  };
}

/**
 * A status rendered once for every viewer (what Mastodon's cache_collection
 * keeps in Rails.cache): the JSON text around the parts that depend on who is
 * looking (viewer flags, `application`), on another entity (`reblog`,
 * `account`, reloaded on every read as Mastodon reloads stale associations).
 */
export interface StatusPieces {
  id: string;
  accountId: string;
  reblogOfId: string | null;
  /** updated_at in microseconds: the cache key's version, as in Mastodon's cache_key. */
  version: string;
  visibility: Visibility;
  /** Posted here rather than received over federation. */
  local: boolean;
  /** The `application` entity's JSON text, or `null`. */
  application: string;
  /** From `{"id"` to `"edited_at":null`, counts included. */
  head: string;
  /** `,"content":…,"filtered":[]` */
  body: string;
  /** From `,"media_attachments"` to the closing brace. */
  tail: string;
}

export interface ViewerFlags {
  accountId: string;
  favourited: boolean;
  reblogged: boolean;
}

export function statusPieces(s: StatusRow, authorUsername: string, base: string, mentioned: Mention[] = []): StatusPieces {
  const head = JSON.stringify({
    id: s.id,
    created_at: s.created_at.toISOString(),
    in_reply_to_id: s.in_reply_to_id,
    in_reply_to_account_id: s.in_reply_to_account_id,
    sensitive: s.sensitive,
    spoiler_text: s.spoiler_text,
    visibility: VISIBILITIES[s.visibility] ?? 'public',
    language: s.language,
    // A boost's uri is its Announce activity's id (ActivityPub::TagManager#uri_for).
    uri: s.uri ?? `${base}/users/${authorUsername}/statuses/${s.id}${s.reblog_of_id ? '/activity' : ''}`,
    url: s.uri ?? `${base}/@${authorUsername}/${s.id}`,
    replies_count: Number(s.replies_count ?? 0),
    reblogs_count: Number(s.reblogs_count ?? 0),
    favourites_count: Number(s.favourites_count ?? 0),
    quotes_count: 0,
    edited_at: null,
  });
  const body = JSON.stringify({ content: s.reblog_of_id ? '' : formatContent(s.text, mentioned, base), filtered: [] });
  const mentions = mentioned.map((m) => ({ id: m.id, username: m.username, url: `${base}/@${m.username}`, acct: m.username }));
  const tail = JSON.stringify({ media_attachments: [], mentions, tags: [], emojis: [], quote: null, card: null, poll: null });
  return {
    id: s.id,
    accountId: s.account_id,
    reblogOfId: s.reblog_of_id,
    version: s.version ?? '',
    visibility: VISIBILITIES[s.visibility] ?? 'public',
    local: !s.uri,
    application: s.application_name ? JSON.stringify({ name: s.application_name, website: s.application_website || null }) : 'null',
    head: head.slice(0, -1),
    body: `,${body.slice(1, -1)}`,
    tail: `,${tail.slice(1)}`,
  };
}

// A cached entry is the pieces joined by NUL, which JSON text never contains raw.
const SEP = '\u0000';

export function encodePieces(p: StatusPieces): string {
  return [p.version, p.accountId, p.reblogOfId ?? '', p.visibility, p.local ? '1' : '', p.application, p.head, p.body, p.tail].join(SEP);
}

/** undefined for an entry in another format (written by an older stand-in), which then counts as a miss. */
export function decodePieces(id: string, raw: string): StatusPieces | undefined {
  const f = raw.split(SEP);
  if (f.length !== 9 || !(VISIBILITIES as readonly string[]).includes(f[3]!)) return undefined;
  const [version, accountId, reblogOfId, visibility, local, application, head, body, tail] = f as [string, string, string, Visibility, string, string, string, string, string];
  return { id, version, accountId, reblogOfId: reblogOfId || null, visibility, local: local === '1', application, head, body, tail };
}

/**
 * 4.5's quote_approval as Mastodon works it out for a post of ours with the
 * default policy ("public") and no quote_approval_policy given: public and
 * unlisted posts may be quoted by anyone signed in, others (downgraded to
 * "nobody") only by their author; a direct post by nobody, nor by an anonymous
 * viewer. A post received over federation carries no policy here, so nobody.
 */
function quoteApproval(p: StatusPieces, viewerId: string | undefined): string {
  const open = p.local && (p.visibility === 'public' || p.visibility === 'unlisted');
  let current = 'denied';
  if (viewerId !== undefined && p.visibility !== 'direct' && (open || viewerId === p.accountId)) current = 'automatic';
  return `{"automatic":${open ? '["public"]' : '[]'},"manual":[],"current_user":"${current}"}`;
}

/**
 * The Status entity's JSON text; `viewer` undefined for an anonymous request,
 * `reblog` the original's JSON text and `proper` its pieces (a boost answers
 * for the original's quote policy, as Mastodon's `object.proper`).
 */
export function assembleStatus(p: StatusPieces, viewer: ViewerFlags | undefined, reblog: string | null, account: string, proper: StatusPieces = p): string {
  const mine = viewer !== undefined && viewer.accountId === p.accountId;
  let out = p.head;
  if (viewer) {
    out += `,"favourited":${viewer.favourited},"reblogged":${viewer.reblogged},"muted":false,"bookmarked":false`;
    // pinnable?: only the author's own posts, not boosts, not direct ones.
    if (mine && p.reblogOfId === null && p.visibility !== 'direct') out += ',"pinned":false';
  }
  out += `${p.body},"reblog":${reblog ?? 'null'}`;
  // show_application?: every local user's setting defaults to true, so local posts
  // show it (null for a boost) to anyone; a remote author has no such setting.
  if (p.local) out += `,"application":${p.application}`;
  return `${out},"account":${account}${p.tail.slice(0, -1)},"quote_approval":${quoteApproval(proper, viewer?.accountId)}}`;
}

export function renderStatus(
  s: StatusRow,
  accounts: Map<string, AccountRow>,
  base: string,
  reblog: Record<string, unknown> | null,
  viewerId?: string,
): Record<string, unknown> {
  const author = accounts.get(s.account_id)!;
  const viewer = viewerId === undefined ? undefined : { accountId: viewerId, favourited: Boolean(s.favourited), reblogged: Boolean(s.reblogged) };
  const json = assembleStatus(statusPieces(s, author.username, base), viewer, reblog ? JSON.stringify(reblog) : null, JSON.stringify(renderAccount(author, base)));
  return JSON.parse(json) as Record<string, unknown>;
}
