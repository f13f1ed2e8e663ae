// ActivityPub documents as Mastodon serialises them (app/serializers/
// activitypub/*, webfinger and nodeinfo), and the reading of remote ones.
// Pure: rows in, JSON out; JSON in, checked values out.

export const AS_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
const CONTEXT = [AS_CONTEXT, 'https://w3id.org/security/v1'];
export const ACTIVITY_JSON = 'application/activity+json; charset=utf-8';

/** Every URI of a local account, derived from the instance's base URL as Mastodon's TagManager does. */
export function localUris(base: string, username: string) {
  const actor = `${base}/users/${username}`;
  return {
    actor,
    keyId: `${actor}#main-key`,
    inbox: `${actor}/inbox`,
    outbox: `${actor}/outbox`,
    followers: `${actor}/followers`,
    following: `${actor}/following`,
    sharedInbox: `${base}/inbox`,
    profile: `${base}/@${username}`,
    status: (id: string) => `${actor}/statuses/${id}`,
  };
}

export interface LocalActorRow {
  username: string;
  display_name: string;
  note: string;
  locked: boolean;
  bot: boolean;
  discoverable: boolean | null;
  public_key: string;
  created_at: Date;
}

export function actorDocument(base: string, a: LocalActorRow): Record<string, unknown> {
  const u = localUris(base, a.username);
  return {
    '@context': CONTEXT,
    id: u.actor,
    type: a.bot ? 'Service' : 'Person',
    following: u.following,
    followers: u.followers,
    inbox: u.inbox,
    outbox: u.outbox,
    preferredUsername: a.username,
    name: a.display_name,
    summary: a.note,
    url: u.profile,
    manuallyApprovesFollowers: a.locked,
    discoverable: Boolean(a.discoverable),
    published: `${a.created_at.toISOString().slice(0, 10)}T00:00:00Z`,
    publicKey: { id: u.keyId, owner: u.actor, publicKeyPem: a.public_key },
    endpoints: { sharedInbox: u.sharedInbox },
  };
}

/** `acct:name@domain` or an actor URL → the local username, if it names this instance. */
export function webfingerUsername(resource: string, localDomain: string, base: string): string | undefined {
  const acct = /^acct:@?([^@]+)@(.+)$/i.exec(resource);
  if (acct) return acct[2]!.toLowerCase() === localDomain.toLowerCase() ? acct[1] : undefined;
  const url = new RegExp(`^${escapeRegExp(base)}/(?:users/|@)([^/?#]+)$`).exec(resource);
  return url?.[1];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function webfingerDocument(base: string, localDomain: string, username: string): Record<string, unknown> {
  const u = localUris(base, username);
  return {
    subject: `acct:${username}@${localDomain}`,
    aliases: [u.profile, u.actor],
    links: [
      { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: u.profile },
      { rel: 'self', type: 'application/activity+json', href: u.actor },
    ],
  };
}

/** The `self` link of a WebFinger answer: the actor's URI. */
export function webfingerActor(jrd: unknown): string | undefined {
  const links = (jrd as { links?: unknown })?.links;
  if (!Array.isArray(links)) return undefined;
  const self = links.find(
    (l: { rel?: unknown; type?: unknown; href?: unknown }) =>
      l?.rel === 'self' && typeof l.href === 'string' && /activity\+json|ld\+json/.test(String(l.type ?? '')),
  ) as { href: string } | undefined;
  return self?.href;
}

export interface RemoteActor {
  uri: string;
  username: string;
  displayName: string;
  note: string;
  locked: boolean;
  bot: boolean;
  inbox: string;
  sharedInbox: string | undefined;
  followers: string | undefined;
  url: string | undefined;
  keyId: string;
  publicKeyPem: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** An actor document fetched from `fetchedFrom`, or a one-line reason it cannot be used. */
export function readActor(doc: unknown, fetchedFrom: string): RemoteActor | string {
  const d = doc as Record<string, unknown> | null;
  if (!d || typeof d !== 'object') return 'actor document is not a JSON object';
  const uri = str(d.id);
  if (!uri) return 'actor has no id';
  if (!/^(Person|Service|Application|Group|Organization)$/.test(String(d.type))) return `actor type ${String(d.type)} is not supported`;
  if (hostOf(uri) !== hostOf(fetchedFrom)) return `actor id ${uri} is not on the host it was fetched from`;
  const username = str(d.preferredUsername);
  const inbox = str(d.inbox);
  const key = d.publicKey as Record<string, unknown> | undefined;
  const pem = str(key?.publicKeyPem);
  if (!username || !inbox) return 'actor lacks preferredUsername or inbox';
  if (!key || !pem || !str(key.id)) return 'actor has no publicKey';
  const endpoints = d.endpoints as Record<string, unknown> | undefined;
  return {
    uri,
    username,
    displayName: str(d.name) ?? '',
    note: htmlToText(str(d.summary) ?? ''),
    locked: d.manuallyApprovesFollowers === true,
    bot: d.type === 'Service' || d.type === 'Application',
    inbox,
    sharedInbox: str(endpoints?.sharedInbox),
    followers: str(d.followers),
    url: str(d.url),
    keyId: String(key.id),
    publicKeyPem: pem,
  };
}

function hostOf(url: string): string {
  return (/^https?:\/\/([^/?#]+)/i.exec(url)?.[1] ?? '').toLowerCase();
}

/** Remote HTML content as the plain text the stand-in stores (it renders statuses from text). */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|#39|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", amp: '&' })[e]!)
    .trim();
}

export function followActivity(id: string, actor: string, object: string): Record<string, unknown> {
  return { '@context': AS_CONTEXT, id, type: 'Follow', actor, object };
}

export function acceptActivity(actor: string, follow: { id: string; actor: string }): Record<string, unknown> {
  return {
    '@context': AS_CONTEXT,
    id: `${actor}#accepts/follows/${encodeURIComponent(follow.id)}`,
    type: 'Accept',
    actor,
    object: { id: follow.id, type: 'Follow', actor: follow.actor, object: actor },
  };
}

export function undoActivity(actor: string, inner: Record<string, unknown>): Record<string, unknown> {
  const { '@context': _context, ...object } = inner;
  return { '@context': AS_CONTEXT, id: `${String(inner.id)}/undo`, type: 'Undo', actor, object };
}

export interface NoteRow {
  id: string;
  text: string;
  spoiler_text: string;
  sensitive: boolean;
  visibility: number;
  language: string | null;
  created_at: Date;
}

/** Create(Note) for a local post; addressing follows Mastodon's for public, unlisted and followers-only. */
export function createNoteActivity(base: string, username: string, s: NoteRow, contentHtml: string): Record<string, unknown> {
  const u = localUris(base, username);
  const uri = u.status(s.id);
  const [to, cc] =
    s.visibility === 0 ? [[AS_PUBLIC], [u.followers]] : s.visibility === 1 ? [[u.followers], [AS_PUBLIC]] : [[u.followers], []];
  const published = s.created_at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    '@context': CONTEXT,
    id: `${uri}/activity`,
    type: 'Create',
    actor: u.actor,
    published,
    to,
    cc,
    object: {
      id: uri,
      type: 'Note',
      summary: s.spoiler_text || null,
      inReplyTo: null,
      published,
      url: `${u.profile}/${s.id}`,
      attributedTo: u.actor,
      to,
      cc,
      sensitive: s.sensitive,
      content: contentHtml,
      ...(s.language ? { contentMap: { [s.language]: contentHtml } } : {}),
      attachment: [],
      tag: [],
    },
  };
}

export interface IncomingNote {
  uri: string;
  attributedTo: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  /** 0 public, 1 unlisted, 2 followers-only, 3 direct: as Mastodon infers it from to/cc. */
  visibility: number;
  /** to and cc together. */
  audience: string[];
  language: string | null;
  published: Date;
}

function audience(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return items.map((x) => (typeof x === 'string' ? x : str((x as { id?: unknown })?.id) ?? '')).filter(Boolean);
}

/** The Note of a Create, or a reason to drop it. */
export function readNote(object: unknown): IncomingNote | string {
  const o = object as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return 'Create without an embedded object';
  if (o.type !== 'Note' && o.type !== 'Article' && o.type !== 'Question') return `object type ${String(o.type)} is not supported`;
  const uri = str(o.id);
  const attributedTo = audience(o.attributedTo)[0];
  if (!uri || !attributedTo) return 'Note lacks id or attributedTo';
  const to = audience(o.to);
  const cc = audience(o.cc);
  const isPublic = (list: string[]) => list.some((x) => x === AS_PUBLIC || x === 'as:Public' || x === 'Public');
  const visibility = isPublic(to) ? 0 : isPublic(cc) ? 1 : to.some((x) => x.endsWith('/followers')) ? 2 : 3;
  const contentMap = o.contentMap as Record<string, unknown> | undefined;
  const language = contentMap && typeof contentMap === 'object' ? (Object.keys(contentMap)[0] ?? null) : null;
  const published = new Date(String(o.published ?? ''));
  return {
    uri,
    attributedTo,
    text: htmlToText(str(o.content) ?? ''),
    spoilerText: str(o.summary) ?? '',
    sensitive: o.sensitive === true,
    visibility,
    audience: [...to, ...cc],
    language,
    published: Number.isNaN(published.getTime()) ? new Date() : published,
  };
}

/** The id of an activity's object, whether embedded or referenced. */
export function objectId(v: unknown): string | undefined {
  return typeof v === 'string' ? v : str((v as { id?: unknown } | null)?.id);
}

export function nodeinfoLinks(base: string): Record<string, unknown> {
  return { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${base}/nodeinfo/2.0` }] };
}

export function nodeinfoDocument(f: {
  version: string;
  users: number;
  activeMonth: number;
  activeHalfyear: number;
  localPosts: number;
  openRegistrations: boolean;
}): Record<string, unknown> {
  return {
    version: '2.0',
    software: { name: 'mastodon', version: f.version },
    protocols: ['activitypub'],
    services: { outbound: [], inbound: [] },
    usage: { users: { total: f.users, activeMonth: f.activeMonth, activeHalfyear: f.activeHalfyear }, localPosts: f.localPosts },
    openRegistrations: f.openRegistrations,
    metadata: { nodeName: 'mastodon-surge stand-in', nodeDescription: 'A Mastodon-compatible stand-in instance for load rehearsals.' },
  };
}
