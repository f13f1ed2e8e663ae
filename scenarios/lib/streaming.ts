// A newcomer with the app open: the user stream held over the streaming API
// (k6/websockets, async), one post of their own a quarter of the way in, and
// the check that it arrives on the stream — the path a post takes through
// Sidekiq's fan-out and the streaming server to everyone reading live.
import { check } from 'k6';
import { WebSocket } from 'k6/websockets';
import type { Caller, Mastodon } from './mastodon.js';
import { streamingMessages, streamingUpdateLatency } from './metrics.js';
import { TARGET_MASTODON, TARGET_TAG } from './slo.js';

export interface StreamSessionOptions {
  /** The streaming API's WebSocket endpoint, e.g. ws://127.0.0.1:4000/api/v1/streaming. */
  url: string;
  holdMs: number;
  status: string;
  idempotencyKey: string;
}

export interface StreamSession {
  opened: boolean;
  /** Id of the session's own post, if the post succeeded. */
  posted: string | undefined;
  /** Post sent → its update on the stream (ms), if it arrived while the stream was open. */
  arrivedMs: number | undefined;
  frames: number;
}

interface Frame {
  event?: string;
  payload?: string;
}

function statusId(frame: Frame): string | undefined {
  if (frame.event !== 'update' || typeof frame.payload !== 'string') return undefined;
  try {
    return (JSON.parse(frame.payload) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

/** Holds `caller`'s user stream for `holdMs`, posts once, and resolves when the stream has closed. */
export function holdUserStream(api: Mastodon, caller: Caller, opts: StreamSessionOptions): Promise<StreamSession> {
  const session: StreamSession = { opened: false, posted: undefined, arrivedMs: undefined, frames: 0 };
  // Updates seen so far by status id: the post's update can beat its own HTTP answer.
  const seen = new Map<string, number>();
  let postStarted = 0;
  const settle = () => {
    if (session.posted !== undefined && session.arrivedMs === undefined && seen.has(session.posted)) {
      session.arrivedMs = Math.max(0, seen.get(session.posted)! - postStarted);
      streamingUpdateLatency.add(session.arrivedMs);
    }
  };
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${caller.token}` };
    if (caller.ip) headers['X-Forwarded-For'] = caller.ip;
    const ws = new WebSocket(`${opts.url}?stream=user`, null, {
      headers,
      tags: { name: 'WS /api/v1/streaming?stream=user', [TARGET_TAG]: TARGET_MASTODON },
    });
    const timers: number[] = [];
    ws.onopen = () => {
      session.opened = true;
      timers.push(
        setTimeout(() => {
          postStarted = Date.now();
          void api.postStatus(caller, { status: opts.status, idempotencyKey: opts.idempotencyKey }).then((r) => {
            if (r.ok && r.data?.id) session.posted = r.data.id;
            settle();
          });
        }, opts.holdMs / 4),
        setTimeout(() => ws.close(), opts.holdMs),
      );
    };
    ws.onmessage = (e) => {
      if (!e || typeof e.data !== 'string') return;
      session.frames++;
      let frame: Frame;
      try {
        frame = JSON.parse(e.data) as Frame;
      } catch {
        return;
      }
      streamingMessages.add(1, { event: frame.event ?? 'error' });
      const id = statusId(frame);
      if (id !== undefined && !seen.has(id)) seen.set(id, Date.now());
      settle();
    };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      check(session, {
        'user stream opens': (s) => s.opened,
        // A failed post is already an http_req_failed; only a post that went through must arrive.
        "user stream delivers the newcomer's own post": (s) => s.posted === undefined || s.arrivedMs !== undefined,
      });
      resolve(session);
    };
    ws.onclose = finish;
    // A refused upgrade (401) may end with an error and no close.
    ws.onerror = () => {
      if (!session.opened) finish();
    };
  });
}
