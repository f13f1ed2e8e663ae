import { createRestAPIClient, createStreamingAPIClient, type mastodon } from 'masto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startStandin, type StandinHandle } from '../../../infra/targets/standin/standin.js';
import { activeUser, appToken, call, registerApp, signUp } from '../support.js';
import { metric, metricReaches, refusedUpgrade, StreamClient, type Frame } from './support.js';

// The stand-in's streaming server as clients meet it: found through the
// instance API, authenticated like Mastodon's, carrying updates, notifications
// and deletes in Mastodon's frames, and counted under Mastodon's metric names.

let s: StandinHandle;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let writeOnly: string;
let appOnly: string;

const post = async (who: { token: string }, status: string) => {
  const r = await call(s.baseUrl, 'POST', '/api/v1/statuses', { token: who.token, json: { status } });
  expect(r.status).toBe(200);
  return r.body as { id: string };
};
const isUpdate = (id: string) => (f: Frame) => f.event === 'update' && JSON.parse(f.payload!).id === id;

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 1, maxThreads: 5, sidekiqConcurrency: 2 });
  const app = await appToken(s.baseUrl, '10.9.0.1');
  alice = await activeUser(s.baseUrl, s.mailApiUrl, app, 'alice_stream', '10.9.0.2');
  bob = await activeUser(s.baseUrl, s.mailApiUrl, app, 'bob_stream', '10.9.0.3');
  expect((await call(s.baseUrl, 'POST', `/api/v1/accounts/${alice.id}/follow`, { token: bob.token })).status).toBe(200);
  // A user whose app asked only for `write`: a valid token that may not read the user stream.
  const writeApp = await appToken(s.baseUrl, '10.9.0.4', 'write');
  const signed = await signUp(s.baseUrl, writeApp, 'carol_stream', '10.9.0.5');
  expect(signed.body.scope).toBe('write');
  writeOnly = signed.body.access_token;
  appOnly = app;
});
afterAll(async () => {
  await s?.stop();
});

describe('finding and checking the streaming server', () => {
  it('is named by the instance API, v2 and v1, and answers its health checks', async () => {
    const base = s.streamingUrl.replace(/\/api\/v1\/streaming$/, '');
    expect(base).not.toBe(s.baseUrl.replace(/^http/, 'ws'));
    const v2 = await call(s.baseUrl, 'GET', '/api/v2/instance');
    expect(v2.body.configuration.urls.streaming).toBe(base);
    const v1 = await call(s.baseUrl, 'GET', '/api/v1/instance');
    expect(v1.body.urls.streaming_api).toBe(base);
    for (const path of ['/api/v1/streaming/health', '/health']) {
      const res = await fetch(`${base.replace(/^ws/, 'http')}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('OK');
    }
  });
});

describe('the user stream', () => {
  it('brings a followed account’s post to masto.js’s streaming client', async () => {
    const rest = createRestAPIClient({ url: s.baseUrl, accessToken: bob.token });
    const instance = await rest.v2.instance.fetch();
    // masto.js sends the token as the WebSocket subprotocol and subscribes over the socket.
    const streaming = createStreamingAPIClient({ streamingApiUrl: instance.configuration.urls.streaming, accessToken: bob.token, implementation: WebSocket, retry: false });
    try {
      const subscription = streaming.user.subscribe();
      const events = subscription.values();
      const first = events.next();
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'user' }, 1);
      const status = await post(alice, 'streamed to bob via masto.js');
      const { value } = (await first) as IteratorResult<mastodon.streaming.Event>;
      expect(value.stream).toEqual(['user']);
      expect(value.event).toBe('update');
      const payload = value.payload as mastodon.v1.Status;
      expect(payload.id).toBe(status.id);
      expect(payload.account.id).toBe(alice.id);
      expect(payload.content).toContain('streamed to bob via masto.js');
      subscription.unsubscribe();
    } finally {
      streaming.close();
    }
    await metricReaches(s.streamingMetricsUrl, 'connected_clients', { type: 'websocket' }, 0);
  });

  it('sends update, notification and delete frames exactly as Mastodon does', async () => {
    const bobStream = await StreamClient.open(`${s.streamingUrl}?stream=user`, { headers: { authorization: `Bearer ${bob.token}` } });
    const aliceStream = await StreamClient.open(`${s.streamingUrl}?stream=user&access_token=${alice.token}`);
    try {
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'user' }, 2);
      const status = await post(alice, 'hello followers');
      const update = await bobStream.next(isUpdate(status.id));
      expect(Object.keys(update)).toEqual(['stream', 'event', 'payload']);
      expect(update.stream).toEqual(['user']);
      expect(typeof update.payload).toBe('string');
      expect(JSON.parse(update.payload!).account.acct).toBe('alice_stream');
      // The author sees her own post on her own user stream too.
      await aliceStream.next(isUpdate(status.id));

      // Bob favourites it: Alice is notified on her stream, with the rendered notification.
      expect((await call(s.baseUrl, 'POST', `/api/v1/statuses/${status.id}/favourite`, { token: bob.token })).status).toBe(200);
      const note = await aliceStream.next((f) => f.event === 'notification');
      expect(note.stream).toEqual(['user']);
      const notification = JSON.parse(note.payload!);
      expect(notification).toMatchObject({ type: 'favourite', account: { id: bob.id }, status: { id: status.id } });

      expect((await call(s.baseUrl, 'DELETE', `/api/v1/statuses/${status.id}`, { token: alice.token })).status).toBe(200);
      const deleted = await bobStream.next((f) => f.event === 'delete');
      expect(deleted).toEqual({ stream: ['user'], event: 'delete', payload: status.id });
    } finally {
      await Promise.all([bobStream.close(), aliceStream.close()]);
    }
  });
});

describe('public streams over one socket', () => {
  it('subscribes and unsubscribes with the multiplexed protocol', async () => {
    const client = await StreamClient.open(s.streamingUrl, { protocols: [bob.token] });
    try {
      client.send({ type: 'subscribe', stream: 'public' });
      client.send({ type: 'subscribe', stream: 'public:local' });
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'public:local' }, 1);
      const status = await post(alice, 'hello everyone');
      const onPublic = await client.next((f) => isUpdate(status.id)(f) && f.stream![0] === 'public');
      const onLocal = await client.next((f) => isUpdate(status.id)(f) && f.stream![0] === 'public:local');
      expect(JSON.parse(onPublic.payload!)).toEqual(JSON.parse(onLocal.payload!));

      client.send({ type: 'unsubscribe', stream: 'public' });
      client.send({ type: 'unsubscribe', stream: 'public:local' });
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'public' }, 0);
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'public:local' }, 0);
      const seen = client.frames.length;
      const quiet = await post(alice, 'nobody is listening publicly');
      // Bob follows Alice, so the post still reaches him — but only on the user stream he never opened here.
      await new Promise((r) => setTimeout(r, 1500));
      expect(client.frames.slice(seen).filter(isUpdate(quiet.id))).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('filtering public streams', () => {
  it('keeps a blocked author’s posts off the blocker’s public stream', async () => {
    // The stand-in has no block API yet; the row is what POST /api/v1/accounts/:id/block would write.
    const db = new pg.Pool({ connectionString: s.postgresUrl, max: 1 });
    await db.query('INSERT INTO blocks (account_id, target_account_id) VALUES ($1, $2)', [bob.id, alice.id]);
    const blocker = await StreamClient.open(`${s.streamingUrl}?stream=public`, { protocols: [bob.token] });
    const author = await StreamClient.open(`${s.streamingUrl}?stream=public`, { protocols: [alice.token] });
    try {
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'public' }, 2);
      const status = await post(alice, 'not for bob');
      await author.next(isUpdate(status.id));
      await new Promise((r) => setTimeout(r, 500));
      expect(blocker.frames.filter(isUpdate(status.id))).toEqual([]);
    } finally {
      await Promise.all([blocker.close(), author.close()]);
      await db.query('DELETE FROM blocks WHERE account_id = $1', [bob.id]);
      await db.end();
    }
  });
});

describe('refusals', () => {
  it('answers a bad or missing token with HTTP 401 on the upgrade, the reason in X-Error-Message', async () => {
    expect(await refusedUpgrade(`${s.streamingUrl}?stream=user`, { headers: { authorization: 'Bearer not-a-token' } })).toEqual({
      status: 401, message: 'Invalid access token', contentType: 'text/plain',
    });
    expect((await refusedUpgrade(`${s.streamingUrl}?stream=public`)).message).toBe('Missing access token');
    // An app's own client_credentials token has no account behind it.
    expect((await refusedUpgrade(`${s.streamingUrl}?stream=public`, { protocols: [appOnly] })).status).toBe(401);
  });

  it('lets a token without read scopes connect but not read the user stream', async () => {
    const client = await StreamClient.open(`${s.streamingUrl}?stream=user`, { protocols: [writeOnly] });
    try {
      expect(await client.next((f) => f.error !== undefined)).toEqual({ error: 'Access token does not have the required scopes', status: 401 });
      client.send({ type: 'subscribe', stream: 'public' });
      await metricReaches(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'public' }, 1);
      expect(await metric(s.streamingMetricsUrl, 'connected_channels', { type: 'websocket', channel: 'user' })).toBe(0);
      client.send({ type: 'subscribe', stream: 'hashtag' });
      expect(await client.next((f) => f.error === 'Missing tag name parameter')).toEqual({ error: 'Missing tag name parameter', status: 400 });
    } finally {
      await client.close();
    }
  });
});

describe('system channels', () => {
  it('closes a connection when its token is revoked, and refuses the token after', async () => {
    const app = await registerApp(s.baseUrl, '10.9.0.6');
    const dave = await activeUser(s.baseUrl, s.mailApiUrl, app.token, 'dave_stream', '10.9.0.7');
    const client = await StreamClient.open(`${s.streamingUrl}?stream=user`, { protocols: [dave.token] });
    await metricReaches(s.streamingMetricsUrl, 'connected_clients', { type: 'websocket' }, 1);
    const closed = new Promise((resolve) => client.ws.once('close', resolve));
    // Doorkeeper revokes an app's token only for that app's client credentials.
    expect((await call(s.baseUrl, 'POST', '/oauth/revoke', { json: { token: dave.token } })).status).toBe(403);
    const revoke = { token: dave.token, client_id: app.clientId, client_secret: app.clientSecret };
    expect((await call(s.baseUrl, 'POST', '/oauth/revoke', { json: revoke })).status).toBe(200);
    await closed;
    await metricReaches(s.streamingMetricsUrl, 'connected_clients', { type: 'websocket' }, 0);
    expect((await refusedUpgrade(`${s.streamingUrl}?stream=user`, { protocols: [dave.token] })).message).toBe('Invalid access token');
  });
});

describe('server-sent events', () => {
  it('streams the local timeline as text/event-stream after a ":)" line', async () => {
    const http = s.streamingUrl.replace(/^ws/, 'http');
    const abort = new AbortController();
    const res = await fetch(`${http}/public/local`, { headers: { authorization: `Bearer ${bob.token}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    try {
      text += (await reader.read()).value;
      expect(text).toBe(':)\n');
      await metricReaches(s.streamingMetricsUrl, 'connected_clients', { type: 'eventsource' }, 1);
      const status = await post(alice, 'for the event stream');
      while (!text.includes(`"id":"${status.id}"`)) text += (await reader.read()).value;
      expect(text).toMatch(new RegExp(`event: update\\ndata: \\{"id":"${status.id}".*\\}\\n\\n`));
    } finally {
      abort.abort();
    }
    await metricReaches(s.streamingMetricsUrl, 'connected_clients', { type: 'eventsource' }, 0);
  });

  it('answers HTTP errors as JSON', async () => {
    const http = s.streamingUrl.replace(/^ws/, 'http');
    const missing = await fetch(`${http}/user`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'Missing access token' });
    const unknown = await fetch(`${http}/everything`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'Unknown channel requested' });
  });
});

describe('metrics', () => {
  it('count clients while they are connected and every message sent', async () => {
    const m = s.streamingMetricsUrl;
    expect(await metric(m, 'connected_clients', { type: 'websocket' })).toBe(0);
    const sentBefore = await metric(m, 'messages_sent_total', { type: 'websocket' });
    const receivedBefore = await metric(m, 'redis_messages_received_total');
    const clients = await Promise.all([1, 2, 3].map(() => StreamClient.open(`${s.streamingUrl}?stream=public:local`, { protocols: [bob.token] })));
    await metricReaches(m, 'connected_clients', { type: 'websocket' }, 3);
    // Three sockets share one Redis subscription to the channel, plus two system channels each.
    expect(await metric(m, 'connected_channels', { type: 'websocket', channel: 'system' })).toBe(6);
    const status = await post(alice, 'counted three times');
    await Promise.all(clients.map((c) => c.next(isUpdate(status.id))));
    await Promise.all(clients.map((c) => c.close()));
    await metricReaches(m, 'connected_clients', { type: 'websocket' }, 0);
    expect(await metric(m, 'connected_channels', { type: 'websocket', channel: 'system' })).toBe(0);
    expect(await metric(m, 'messages_sent_total', { type: 'websocket' })).toBe(sentBefore + 3);
    expect(await metric(m, 'redis_messages_received_total')).toBeGreaterThan(receivedBefore);
    expect(await metric(m, 'redis_subscriptions')).toBe(0);
    for (const name of ['pg_pool_total_connections', 'pg_pool_idle_connections', 'pg_pool_waiting_queries', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(Number.isFinite(await metric(m, name)), name).toBe(true);
    }
  });
});
