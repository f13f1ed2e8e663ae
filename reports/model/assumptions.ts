// The projection's stated assumptions: every number the run cannot measure,
// with a default and the reason for it, printed in the report next to the
// result so an admin can challenge or replace each one.

export interface ProjectionAssumptions {
  /** Plan to run at this share of measured capacity (headroom for a bigger peak than planned). */
  utilisation: number;
  /** HTTP requests per signup: app, token, account, confirmation link. */
  requestsPerSignup: number;
  /** Confirmation and welcome mail. */
  mailsPerSignup: number;
  feedEntriesPerUser: number;
  bytesPerFeedEntry: number;
  /** Redis beyond home feeds: cache, Sidekiq queues, throttle counters. */
  redisBaseBytes: number;
  bytesPerStatus: number;
  bytesPerAccount: number;
  streamingConnectionsPerProcess: number;
  /** Mastodon's streaming server default DB_POOL. */
  streamingDbPool: number;
  /** Used for queues the run did not measure. */
  jobsPerRequest: Record<string, number>;
  jobSeconds: Record<string, number>;
  maxConnectionsMargin: number;
  postgresDefaultMaxConnections: number;
  vcpuPerWebProcess: number;
  ramGbPerWebProcess: number;
  vcpuPerSidekiqProcess: number;
  ramGbPerSidekiqProcess: number;
  vcpuPerStreamingProcess: number;
  ramGbPerStreamingProcess: number;
  postgresVcpuPerAppVcpu: number;
  postgresMinVcpu: number;
  postgresRamGbPerVcpu: number;
  redisVcpu: number;
}

export const DEFAULT_ASSUMPTIONS: ProjectionAssumptions = Object.freeze({
  utilisation: 0.7,
  requestsPerSignup: 4,
  mailsPerSignup: 2,
  feedEntriesPerUser: 800,
  bytesPerFeedEntry: 100,
  redisBaseBytes: 256 * 1024 ** 2,
  bytesPerStatus: 4096,
  bytesPerAccount: 8192,
  streamingConnectionsPerProcess: 2000,
  streamingDbPool: 10,
  jobsPerRequest: { default: 0.4, push: 0.15, pull: 0.05 },
  jobSeconds: { default: 0.05, push: 0.2, ingress: 0.1, mailers: 0.5, pull: 0.5 },
  maxConnectionsMargin: 0.1,
  postgresDefaultMaxConnections: 100,
  vcpuPerWebProcess: 1,
  ramGbPerWebProcess: 1,
  vcpuPerSidekiqProcess: 1,
  ramGbPerSidekiqProcess: 1,
  vcpuPerStreamingProcess: 0.5,
  ramGbPerStreamingProcess: 0.25,
  postgresVcpuPerAppVcpu: 0.25,
  postgresMinVcpu: 2,
  postgresRamGbPerVcpu: 4,
  redisVcpu: 1,
});

/** Why each assumption has its value; printed with the report so every number can be challenged. */
export const ASSUMPTION_BASIS: Record<keyof ProjectionAssumptions, string> = {
  utilisation: 'plan at 70 % of what held the objectives, so a peak 1.4× the estimate still holds',
  requestsPerSignup: 'POST /api/v1/apps, POST /oauth/token, POST /api/v1/accounts, GET /auth/confirmation',
  mailsPerSignup: 'the confirmation mail, and the welcome mail an hour after confirming',
  feedEntriesPerUser: "Mastodon's FeedManager MAX_ITEMS: home feeds are capped at 800 entries (an upper bound: new feeds fill as followed accounts post)",
  bytesPerFeedEntry:
    'a skiplist-encoded sorted set entry: an 18-digit status id as member, an 8-byte score, dict and skiplist node overhead; replace with MEMORY USAGE feed:home:<id> / ZCARD from your Redis',
  redisBaseBytes: 'cache, Sidekiq queues and throttle counters besides home feeds; replace with used_memory on a quiet day',
  bytesPerStatus:
    'a statuses row (~1 KB with text, uri and url) plus its indexes and related rows (status_stats, mentions, conversations); replace with pg_total_relation_size of those tables / statuses count',
  bytesPerAccount: 'users, accounts (with a 2048-bit RSA key pair in PEM), account_stats, an access token, and their indexes',
  streamingConnectionsPerProcess: 'a Node streaming process holds a few thousand idle WebSockets; Mastodon scales streaming by adding processes',
  streamingDbPool: "Mastodon's streaming server default DB_POOL (10)",
  jobsPerRequest:
    'used only for queues the run did not measure: kujoe.net ran 3–3.5 M Sidekiq jobs a day for ~10,000 newcomers, about 0.6 jobs per request at the default newcomer activity',
  jobSeconds: 'used only for queues the run did not measure: typical mean job times (fan-out inserts are fast, deliveries and mail wait on the network)',
  maxConnectionsMargin: 'room for tootctl, backups and an admin session on top of the pools',
  postgresDefaultMaxConnections: "PostgreSQL's default max_connections",
  vcpuPerWebProcess: 'a Puma process uses at most about one core (Ruby GVL)',
  ramGbPerWebProcess: 'Puma processes commonly settle at 0.5–1 GiB RSS; replace with your own',
  vcpuPerSidekiqProcess: 'a Sidekiq process uses at most about one core (Ruby GVL)',
  ramGbPerSidekiqProcess: 'a Sidekiq process with a few dozen threads commonly sits near 1 GiB RSS',
  vcpuPerStreamingProcess: 'streaming is mostly idle sockets and Redis pub/sub',
  ramGbPerStreamingProcess: 'a Node process with a few thousand WebSockets',
  postgresVcpuPerAppVcpu: 'rule of thumb: one database core per four application cores',
  postgresMinVcpu: 'one core for queries, one for autovacuum and checkpoints',
  postgresRamGbPerVcpu: 'enough for shared_buffers at 25 % and the OS page cache to hold the hot set',
  redisVcpu: 'Redis executes commands on one core',
};
