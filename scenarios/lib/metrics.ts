// Custom metrics shared by the scenarios. k6 allows declaring metrics only in
// the init context: this module's top level runs there, once per VU.
import { Counter, Trend } from 'k6/metrics';

/** End to end, one newcomer: app registration → … → first verify_credentials (ms). */
export const signupDuration = new Trend('signup_duration', true);
/** Account created (signup response) → confirmation mail received by the mail API (ms). */
export const confirmationLatency = new Trend('confirmation_latency', true);
/** Newcomers who got through every step of the flow. */
export const signupsCompleted = new Counter('signups_completed');
/** Newcomers who did not, tagged `step` (app, token, account, mail, confirm, verify). */
export const signupsFailed = new Counter('signups_failed');
/** 429 answers, tagged with the request `name`: a throttle, not the server's capacity, said no. */
export const throttledRequests = new Counter('throttled_requests');
/** Statuses on each timeline page read (is the feed filling?). */
export const timelinePageSize = new Trend('timeline_page_size');
/** A newcomer sends a post → it arrives on their own open user stream (ms): fan-out plus the streaming server. */
export const streamingUpdateLatency = new Trend('streaming_update_latency', true);
/** Frames received on user streams, tagged `event` (update, notification, delete, …). */
export const streamingMessages = new Counter('streaming_messages');
