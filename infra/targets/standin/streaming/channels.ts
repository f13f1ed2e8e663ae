// Which Redis channels a stream name stands for, who may read it, and where the
// token comes from: the rules of Mastodon's streaming server, as pure functions.

export const PUBLIC_CHANNELS = [
  'public', 'public:media', 'public:local', 'public:local:media', 'public:remote', 'public:remote:media', 'hashtag', 'hashtag:local',
] as const;

/** Every channel name the metrics are primed with, as Mastodon primes them. */
export const CHANNEL_NAMES = ['system', 'user', 'user:notification', 'list', 'direct', ...PUBLIC_CHANNELS] as const;

/** An answer the client gets: 401 for authentication and scopes, 400 for a bad request. */
export class StreamError extends Error {
  constructor(message: string, readonly status: 400 | 401) {
    super(message);
  }
}
export const authError = (message: string) => new StreamError(message, 401);
export const requestError = (message: string) => new StreamError(message, 400);

/** What a client is told about a failure: its own words for a StreamError, nothing internal otherwise. */
export function statusAndMessage(err: unknown): { status: number; message: string } {
  return err instanceof StreamError ? { status: err.status, message: err.message } : { status: 500, message: 'An unexpected error occurred' };
}

export interface Viewer {
  accountId: string;
  scopes: readonly string[];
  accessTokenId: string;
}

export interface StreamParams {
  tag?: unknown;
  list?: unknown;
  only_media?: unknown;
}

export interface ResolvedStream {
  /** Redis channels, without a namespace prefix. */
  ids: string[];
  /** Public and hashtag streams are checked per update against the viewer's blocks and mutes. */
  needsFiltering: boolean;
  /** The `stream` array of every message: the name, plus the tag or list when there is one. */
  streamName: string[];
}

const FALSE_VALUES = new Set<unknown>([false, 0, '0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF']);

export function isTruthy(v: unknown): boolean {
  return Boolean(v) && !FALSE_VALUES.has(v);
}

/** A query parameter repeated (`?stream=a&stream=b`) counts by its first value. */
export function firstParam(v: unknown): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

const PATHS: Record<string, [plain: string, media?: string]> = {
  '/api/v1/streaming/user': ['user'],
  '/api/v1/streaming/user/notification': ['user:notification'],
  '/api/v1/streaming/public': ['public', 'public:media'],
  '/api/v1/streaming/public/local': ['public:local', 'public:local:media'],
  '/api/v1/streaming/public/remote': ['public:remote', 'public:remote:media'],
  '/api/v1/streaming/hashtag': ['hashtag'],
  '/api/v1/streaming/hashtag/local': ['hashtag:local'],
  '/api/v1/streaming/direct': ['direct'],
  '/api/v1/streaming/list': ['list'],
};

/** The channel an EventSource path asks for (`/api/v1/streaming/public/local?only_media=1` → `public:local:media`). */
export function channelFromPath(path: string, onlyMedia: unknown): string | undefined {
  const names = PATHS[path];
  if (!names) return undefined;
  return isTruthy(onlyMedia) && names[1] ? names[1] : names[0];
}

/**
 * The access token: an `Authorization` header wins; otherwise `access_token`
 * in the query, otherwise the first `Sec-WebSocket-Protocol` entry (browsers
 * cannot set headers on a WebSocket, so masto.js and the web UI send it there).
 */
export function tokenFrom(authorization: string | undefined, accessTokenParam: unknown, protocolHeader: string | undefined): string | undefined {
  if (authorization) return authorization.replace(/^Bearer /, '').trim() || undefined;
  const q = firstParam(accessTokenParam);
  if (q) return q;
  const proto = protocolHeader?.split(',')[0]?.trim();
  return proto || undefined;
}

/**
 * Public streams need no scope; everything else needs `read`, or the granular
 * scope for it (`read:notifications` for the notification stream,
 * `read:statuses` otherwise).
 */
export function checkScopes(scopes: readonly string[], channel: string): void {
  if ((PUBLIC_CHANNELS as readonly string[]).includes(channel)) return;
  const enough = ['read', channel === 'user:notification' ? 'read:notifications' : 'read:statuses'];
  if (!enough.some((s) => scopes.includes(s))) throw authError('Access token does not have the required scopes');
}

/** Hashtags compare case- and accent-insensitively, as Mastodon's tag names do. */
export function normalizeHashtag(tag: string): string {
  return tag
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\u00b7\u200c]/gu, '');
}

function single(ids: string[], needsFiltering: boolean, streamName: string[]): ResolvedStream {
  return { ids, needsFiltering, streamName };
}

/**
 * The Redis channels behind a stream. The user stream carries notifications
 * only for tokens that may read them. Lists: the stand-in has none, so every
 * list is refused the way Mastodon refuses someone else's.
 */
export function resolveStream(name: string, params: StreamParams, viewer: Viewer): ResolvedStream {
  const { accountId } = viewer;
  switch (name) {
    case 'user': {
      const ids = [`timeline:${accountId}`];
      if (['read', 'read:notifications'].some((s) => viewer.scopes.includes(s))) ids.push(`timeline:${accountId}:notifications`);
      return single(ids, false, ['user']);
    }
    case 'user:notification':
      return single([`timeline:${accountId}:notifications`], false, [name]);
    case 'direct':
      return single([`timeline:direct:${accountId}`], false, [name]);
    case 'public':
    case 'public:local':
    case 'public:remote':
    case 'public:media':
    case 'public:local:media':
    case 'public:remote:media':
      return single([`timeline:${name}`], true, [name]);
    case 'hashtag':
    case 'hashtag:local': {
      const tag = firstParam(params.tag);
      if (!tag) throw requestError('Missing tag name parameter');
      const suffix = name === 'hashtag:local' ? ':local' : '';
      return single([`timeline:hashtag:${normalizeHashtag(tag)}${suffix}`], true, [name, tag]);
    }
    case 'list':
      if (!firstParam(params.list)) throw requestError('Missing list name parameter');
      throw authError('Not authorized to stream this list');
    default:
      throw requestError('Unknown stream type');
  }
}

/** The channels every connection listens on for `kill` (token revoked) and `filters_changed`. */
export function systemChannels(viewer: Viewer): string[] {
  return [`timeline:access_token:${viewer.accessTokenId}`, `timeline:system:${viewer.accountId}`];
}

export interface StreamMessage {
  event: string;
  /** A JSON string for entities (an object is stringified), the bare id for `delete`. */
  payload: string;
}

/**
 * A message off Redis, as the web and worker publish it: `{event, payload}`
 * with the payload an entity object or already a string; system messages
 * (`kill`, `filters_changed`) have no payload. Anything without an event is
 * dropped, as Mastodon drops it.
 */
export function parseRedisMessage(raw: string): { event: string; payload: unknown } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { event, payload } = json as { event?: unknown; payload?: unknown };
  if (typeof event !== 'string' || !event) return undefined;
  return { event, payload };
}

/** Streams forward only messages that carry something (Mastodon skips an empty payload). */
export function hasPayload(payload: unknown): boolean {
  return payload !== undefined && payload !== null && payload !== '';
}

export function encodePayload(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** The frame a WebSocket client receives. */
export function websocketFrame(streamName: string[], event: string, payload: string): string {
  return JSON.stringify({ stream: streamName, event, payload });
}

/** The lines an EventSource client receives. */
export function eventSourceFrame(event: string, payload: string): string {
  return `event: ${event}\ndata: ${payload}\n\n`;
}
