import { describe, expect, it } from 'vitest';
import {
  channelFromPath, checkScopes, eventSourceFrame, hasPayload, normalizeHashtag, parseRedisMessage, resolveStream, StreamError, tokenFrom, websocketFrame,
} from '../../../infra/targets/standin/streaming/channels.js';

// Mastodon's streaming rules (streaming/index.js): where the token comes from,
// which scopes a stream needs, which Redis channels a stream name stands for.

const viewer = (scopes: string[]) => ({ accountId: '7', accessTokenId: '42', scopes });

function refusal(fn: () => unknown): StreamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StreamError);
    return err as StreamError;
  }
  throw new Error('expected a refusal');
}

describe('tokenFrom', () => {
  it('prefers the Authorization header, then access_token, then Sec-WebSocket-Protocol', () => {
    expect(tokenFrom('Bearer abc', 'q', 'p')).toBe('abc');
    expect(tokenFrom(undefined, 'q', 'p')).toBe('q');
    expect(tokenFrom(undefined, ['q1', 'q2'], undefined)).toBe('q1');
    expect(tokenFrom(undefined, undefined, 'tok, other')).toBe('tok');
    expect(tokenFrom(undefined, undefined, undefined)).toBeUndefined();
    expect(tokenFrom('Bearer ', undefined, 'p')).toBeUndefined();
  });
});

describe('checkScopes', () => {
  it('lets anyone read public and hashtag streams', () => {
    for (const c of ['public', 'public:local', 'public:remote:media', 'hashtag', 'hashtag:local']) expect(() => checkScopes([], c)).not.toThrow();
  });
  it('needs read or read:statuses for the user stream, read or read:notifications for notifications', () => {
    expect(() => checkScopes(['read'], 'user')).not.toThrow();
    expect(() => checkScopes(['read:statuses'], 'user')).not.toThrow();
    expect(() => checkScopes(['read:notifications'], 'user:notification')).not.toThrow();
    const e = refusal(() => checkScopes(['write', 'follow'], 'user'));
    expect(e.status).toBe(401);
    expect(e.message).toBe('Access token does not have the required scopes');
    expect(refusal(() => checkScopes(['read:statuses'], 'user:notification')).status).toBe(401);
  });
});

describe('resolveStream', () => {
  it('gives the user stream its notifications only with a scope that reads them', () => {
    expect(resolveStream('user', {}, viewer(['read'])).ids).toEqual(['timeline:7', 'timeline:7:notifications']);
    expect(resolveStream('user', {}, viewer(['read:statuses'])).ids).toEqual(['timeline:7']);
    expect(resolveStream('user:notification', {}, viewer(['read'])).ids).toEqual(['timeline:7:notifications']);
  });
  it('filters public and hashtag streams, not the user stream', () => {
    expect(resolveStream('public:local', {}, viewer([]))).toEqual({ ids: ['timeline:public:local'], needsFiltering: true, streamName: ['public:local'] });
    expect(resolveStream('user', {}, viewer(['read'])).needsFiltering).toBe(false);
  });
  it('names hashtag streams by the tag as given and listens on the normalised tag', () => {
    const r = resolveStream('hashtag:local', { tag: 'Café' }, viewer([]));
    expect(r.ids).toEqual(['timeline:hashtag:cafe:local']);
    expect(r.streamName).toEqual(['hashtag:local', 'Café']);
    expect(refusal(() => resolveStream('hashtag', {}, viewer([]))).message).toBe('Missing tag name parameter');
  });
  it('refuses lists (the stand-in has none) and unknown streams', () => {
    expect(refusal(() => resolveStream('list', { list: '1' }, viewer(['read'])))).toMatchObject({ status: 401, message: 'Not authorized to stream this list' });
    expect(refusal(() => resolveStream('list', {}, viewer(['read'])))).toMatchObject({ status: 400 });
    expect(refusal(() => resolveStream('everything', {}, viewer(['read'])))).toMatchObject({ status: 400, message: 'Unknown stream type' });
  });
});

describe('channelFromPath', () => {
  it('maps EventSource paths, with only_media as Mastodon reads truthy values', () => {
    expect(channelFromPath('/api/v1/streaming/user', undefined)).toBe('user');
    expect(channelFromPath('/api/v1/streaming/public/local', '1')).toBe('public:local:media');
    expect(channelFromPath('/api/v1/streaming/public/local', 'false')).toBe('public:local');
    expect(channelFromPath('/api/v1/streaming/user', 'true')).toBe('user');
    expect(channelFromPath('/api/v1/streaming/nope', undefined)).toBeUndefined();
  });
});

describe('messages', () => {
  it('accepts {event, payload} with an object or string payload, system events without one, and drops the rest', () => {
    expect(parseRedisMessage('{"event":"delete","payload":"12"}')).toEqual({ event: 'delete', payload: '12' });
    expect(parseRedisMessage('{"event":"update","payload":{"id":"1"}}')).toEqual({ event: 'update', payload: { id: '1' } });
    expect(parseRedisMessage('{"event":"kill"}')).toEqual({ event: 'kill', payload: undefined });
    for (const bad of ['nope', '{"payload":"1"}', '{"event":""}', '3', 'null']) expect(parseRedisMessage(bad)).toBeUndefined();
    // A stream forwards nothing without a payload.
    expect([undefined, null, '', '12', { id: '1' }].map(hasPayload)).toEqual([false, false, false, true, true]);
  });
  it('frames a WebSocket message with the payload as a JSON string, and an EventSource event', () => {
    const frame = JSON.parse(websocketFrame(['user'], 'update', '{"id":"1"}'));
    expect(frame).toEqual({ stream: ['user'], event: 'update', payload: '{"id":"1"}' });
    expect(eventSourceFrame('delete', '12')).toBe('event: delete\ndata: 12\n\n');
  });
  it('normalises hashtags case- and accent-insensitively', () => {
    expect(normalizeHashtag('ÉtéMastodon_2022!')).toBe('etemastodon_2022');
  });
});
