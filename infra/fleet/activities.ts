// ActivityPub documents as Mastodon writes them, for the fleet's synthetic
// servers and for the federation-inbound k6 scenario. Pure, no Node or k6
// imports, so the k6 bundle can inline it.

export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_CONTEXT = 'https://w3id.org/security/v1';
export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
export const ACTIVITY_JSON = 'application/activity+json';
/** What Mastodon sends as Content-Type on deliveries and accepts on inboxes. */
export const LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** Where an actor lives: `base` is scheme + authority, e.g. http://127.0.0.1:41000 or https://d1.fleet.test. */
export interface ActorRef {
  base: string;
  username: string;
}

export const actorId = (a: ActorRef): string => `${a.base}/users/${a.username}`;
export const keyId = (a: ActorRef): string => `${actorId(a)}#main-key`;
export const inboxOf = (a: ActorRef): string => `${actorId(a)}/inbox`;
export const sharedInboxOf = (base: string): string => `${base}/inbox`;
export const followersOf = (a: ActorRef): string => `${actorId(a)}/followers`;

/** The authority part of a base URL (host[:port]), which is the domain in acct: URIs. */
export function domainOf(base: string): string {
  return base.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

export function actorDocument(a: ActorRef, publicKeyPem: string): Record<string, unknown> {
  const id = actorId(a);
  return {
    '@context': [AS_CONTEXT, SECURITY_CONTEXT],
    id,
    type: 'Person',
    preferredUsername: a.username,
    name: a.username,
    inbox: inboxOf(a),
    outbox: `${id}/outbox`,
    followers: followersOf(a),
    following: `${id}/following`,
    url: `${a.base}/@${a.username}`,
    manuallyApprovesFollowers: false,
    discoverable: true,
    endpoints: { sharedInbox: sharedInboxOf(a.base) },
    publicKey: { id: keyId(a), owner: id, publicKeyPem },
  };
}

export function webfingerDocument(a: ActorRef): Record<string, unknown> {
  return {
    subject: `acct:${a.username}@${domainOf(a.base)}`,
    aliases: [actorId(a)],
    links: [
      { rel: 'self', type: ACTIVITY_JSON, href: actorId(a) },
      { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: `${a.base}/@${a.username}` },
    ],
  };
}

/** `acct:alice@host` or `alice@host` → its parts; undefined when malformed. */
export function parseAcct(resource: string): { username: string; domain: string } | undefined {
  const m = /^(?:acct:)?@?([A-Za-z0-9_]+)@([^@\s]+)$/.exec(resource);
  return m ? { username: m[1]!, domain: m[2]!.toLowerCase() } : undefined;
}

export function nodeinfoLinks(base: string): Record<string, unknown> {
  return { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${base}/nodeinfo/2.0` }] };
}

export function nodeinfoDocument(users: number): Record<string, unknown> {
  return {
    version: '2.0',
    software: { name: 'surge-fleet', version: '0.1.0' },
    protocols: ['activitypub'],
    services: { outbound: [], inbound: [] },
    usage: { users: { total: users, activeMonth: users, activeHalfyear: users }, localPosts: 0 },
    openRegistrations: false,
    metadata: {},
  };
}

export type Activity = Record<string, unknown> & { id: string; type: string; actor: string };

export function follow(a: ActorRef, object: string, id: string): Activity {
  return { '@context': AS_CONTEXT, id: `${actorId(a)}#follows/${id}`, type: 'Follow', actor: actorId(a), object };
}

export function accept(a: ActorRef, followActivity: Record<string, unknown>, id: string): Activity {
  return { '@context': AS_CONTEXT, id: `${actorId(a)}#accepts/follows/${id}`, type: 'Accept', actor: actorId(a), object: followActivity };
}

/** A public Create(Note) addressed to the author's followers, `published` now unless given. */
export function createNote(a: ActorRef, id: string, content: string, published: Date, cc: string[] = []): Activity {
  const noteId = `${actorId(a)}/statuses/${id}`;
  const when = published.toISOString();
  return {
    '@context': AS_CONTEXT,
    id: `${noteId}/activity`,
    type: 'Create',
    actor: actorId(a),
    published: when,
    to: [PUBLIC],
    cc: [followersOf(a), ...cc],
    object: {
      id: noteId,
      type: 'Note',
      attributedTo: actorId(a),
      content: `<p>${escapeText(content)}</p>`,
      published: when,
      url: `${a.base}/@${a.username}/${id}`,
      to: [PUBLIC],
      cc: [followersOf(a), ...cc],
      sensitive: false,
      summary: null,
      inReplyTo: null,
      tag: [],
      attachment: [],
    },
  };
}

export function like(a: ActorRef, object: string, id: string): Activity {
  return { '@context': AS_CONTEXT, id: `${actorId(a)}#likes/${id}`, type: 'Like', actor: actorId(a), object };
}

export function announce(a: ActorRef, object: string, id: string, published: Date): Activity {
  return {
    '@context': AS_CONTEXT,
    id: `${actorId(a)}/statuses/${id}/activity`,
    type: 'Announce',
    actor: actorId(a),
    published: published.toISOString(),
    to: [PUBLIC],
    cc: [followersOf(a), object],
    object,
  };
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The object's id whether it is embedded or a URI. */
export function objectId(object: unknown): string | undefined {
  if (typeof object === 'string') return object;
  if (object && typeof object === 'object' && typeof (object as { id?: unknown }).id === 'string') return (object as { id: string }).id;
  return undefined;
}
