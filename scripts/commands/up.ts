import { Command } from 'commander';
import { onShutdown } from '../../infra/services/shutdown.js';
import { startStandin } from '../../infra/targets/standin/standin.js';
import { oneOf, wholeNumber } from '../options.js';

// `surge up standin`: a stand-in instance in the foreground, announced by one
// JSON line on stdout (for scripts and other tools), stopped by Ctrl-C/SIGTERM.

export function upCommand(): Command {
  return new Command('up')
    .description('start a target in the foreground and print one JSON line once it is ready')
    .argument('<target>', 'what to start (only "standin" runs without Docker)', oneOf('standin'))
    .option('--web-concurrency <n>', 'web processes (WEB_CONCURRENCY)', wholeNumber(1, 64), 2)
    .option('--max-threads <n>', 'threads per web process (MAX_THREADS)', wholeNumber(1, 256), 5)
    .option('--sidekiq-concurrency <n>', 'worker threads (SIDEKIQ_CONCURRENCY)', wholeNumber(1, 256), 5)
    .option('--db-pool <n>', 'database connections per process (DB_POOL; default: threads per process)', wholeNumber(1, 256))
    .option('--registrations <mode>', 'registrations mode', oneOf('open', 'approved', 'none'), 'open')
    .option('--port <n>', 'web port on 127.0.0.1 (default: a free one)', wholeNumber(1, 65535))
    .action(async (_target: 'standin', o) => {
      const standin = await startStandin({
        webConcurrency: o.webConcurrency,
        maxThreads: o.maxThreads,
        sidekiqConcurrency: o.sidekiqConcurrency,
        dbPool: o.dbPool,
        registrationsMode: o.registrations,
        port: o.port,
      });
      onShutdown(() => standin.stop());
      process.stdout.write(
        `${JSON.stringify({
          target: standin.target,
          baseUrl: standin.baseUrl,
          streamingUrl: standin.streamingUrl,
          metricsUrls: standin.metricsUrls,
          mailApiUrl: standin.mailApiUrl,
          postgresUrl: standin.postgresUrl,
          redisUrl: standin.redisUrl,
        })}\n`,
      );
      // Stay in the foreground until a signal; onShutdown stops everything.
      setInterval(() => {}, 1 << 30);
    });
}
