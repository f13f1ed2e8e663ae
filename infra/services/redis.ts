import { findBinary } from './binaries.js';
import { describeExit, spawnService, stopService, type ServiceProcess } from './child.js';
import { pollUntil } from './poll.js';
import { withFreePort } from './ports.js';
import { redisCommand } from './resp.js';
import { makeOwnedTempDir, removeOwnedDir } from './temp-dir.js';

export interface RedisHandle {
  name: 'redis';
  url: string;
  host: string;
  port: number;
  pid: number;
  /** Working dir given to redis (--dir); removed by stop(). */
  dataDir: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export function redisArgs(opts: { port: number; dir: string; maxMemory?: string }): string[] {
  return [
    '--bind', HOST,
    '--port', String(opts.port),
    // Pure cache/queue for one run: nothing is worth persisting.
    '--save', '',
    '--appendonly', 'no',
    '--dir', opts.dir,
    '--protected-mode', 'yes',
    '--daemonize', 'no',
    ...(opts.maxMemory ? ['--maxmemory', opts.maxMemory] : []),
  ];
}

async function waitForPong(proc: ServiceProcess, port: number): Promise<void> {
  try {
    await pollUntil(
      async () => {
        // Asking for the pid, not just PING: on a clashing port another redis
        // may answer while ours is still failing to bind.
        const info = await redisCommand(HOST, port, ['INFO', 'server']);
        const pid = /process_id:(\d+)/.exec(info)?.[1];
        if (pid !== String(proc.pid)) throw new Error(`answered by ${pid ? `another redis (pid ${pid})` : JSON.stringify(info.slice(0, 80))}`);
      },
      {
        what: `redis on ${HOST}:${port} did not become ready`,
        timeoutMs: 15_000,
        intervalMs: 50,
        abort: () => (proc.exit ? describeExit(proc.exit) : undefined),
      },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- last lines of the redis log ---\n${proc.log.text(15)}`);
  }
}

async function launch(binary: string, dir: string, port: number, maxMemory?: string): Promise<ServiceProcess> {
  const args = redisArgs({ port, dir, ...(maxMemory ? { maxMemory } : {}) });
  const proc = await spawnService(binary, args, { cwd: dir });
  try {
    await waitForPong(proc, port);
    return proc;
  } catch (err) {
    await stopService(proc, { signal: 'SIGKILL', timeoutMs: 5000 }).catch(() => {});
    throw err;
  }
}

export async function startRedis(opts: { port?: number; maxMemory?: string } = {}): Promise<RedisHandle> {
  const binary = findBinary('redis-server', { debianPackage: 'redis-server', candidates: ['/usr/bin', '/usr/local/bin'] });
  const dir = await makeOwnedTempDir('surge-redis-');
  let port = 0;
  let proc: ServiceProcess;
  try {
    proc = await withFreePort(opts.port, (candidate) => launch(binary, dir, (port = candidate), opts.maxMemory), {
      host: HOST,
    });
  } catch (err) {
    await removeOwnedDir(dir).catch(() => {});
    throw err;
  }

  const running = proc;
  let stopping: Promise<void> | undefined;
  return {
    name: 'redis',
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    pid: running.pid,
    dataDir: dir,
    stop: () =>
      (stopping ??= (async () => {
        // SHUTDOWN NOSAVE skips the final dump; SIGTERM is the fallback if the
        // server no longer answers.
        const asked = await redisCommand(HOST, port, ['SHUTDOWN', 'NOSAVE']).then(
          () => true,
          () => false,
        );
        await stopService(running, { signal: asked ? null : 'SIGTERM', timeoutMs: 10_000 });
        await removeOwnedDir(dir);
      })()),
  };
}
