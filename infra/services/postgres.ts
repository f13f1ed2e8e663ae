import { existsSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { findBinary } from './binaries.js';
import { runCommand, spawnService, stopService, describeExit, type ServiceProcess } from './child.js';
import { pollUntil } from './poll.js';
import { withFreePort } from './ports.js';
import { initdbArgs, POSTGRES_CANDIDATES, POSTGRES_USER, postgresUrl, serverArgs } from './postgres-config.js';
import { lookupSystemUser, type SystemUser } from './system-user.js';
import { makeOwnedTempDir, removeOwnedDir } from './temp-dir.js';

export interface PostgresHandle {
  name: 'postgres';
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

function postgresBinaries(): { postgres: string; initdb: string } {
  const postgres = findBinary('postgres', { debianPackage: 'postgresql', candidates: POSTGRES_CANDIDATES });
  // initdb must match the server's major version, so prefer the one beside it.
  const sibling = join(dirname(postgres), 'initdb');
  const initdb = existsSync(sibling)
    ? sibling
    : findBinary('initdb', { debianPackage: 'postgresql', candidates: POSTGRES_CANDIDATES });
  return { postgres, initdb };
}

/** postgres and initdb refuse to run as root, so root hands them to the `postgres` system user. */
function runAsUser(): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupSystemUser('postgres');
  if (!user) {
    throw new Error(
      'postgres refuses to run as root and there is no "postgres" system user to run it as: run as a normal user or create one with "useradd --system postgres"',
    );
  }
  return user;
}

async function query(port: number, database: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: HOST, port, user: POSTGRES_USER, database, connectionTimeoutMillis: 2000 });
  // A refused connection also emits 'error'; connect() already rejects with it.
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitUntilReady(proc: ServiceProcess, port: number, dataDir: string): Promise<void> {
  // Checking the data directory, not just SELECT 1: on a clashing port another
  // server may answer while ours is still failing to bind.
  const ours = async (): Promise<void> => {
    const result = await query(port, 'postgres', 'SHOW data_directory');
    const answered = (result.rows[0] as { data_directory?: string } | undefined)?.data_directory;
    if (answered !== dataDir) throw new Error(`answered by another server (data directory ${answered})`);
  };
  try {
    await pollUntil(ours, {
      what: `postgres on ${HOST}:${port} did not accept connections`,
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      abort: () => (proc.exit ? describeExit(proc.exit) : undefined),
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- last lines of the postgres log ---\n${proc.log.text(15)}`);
  }
}

async function launch(
  bins: { postgres: string },
  spawnOpts: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
  settings: { dataDir: string; port: number; maxConnections: number },
): Promise<ServiceProcess> {
  // SIGINT is postgres' fast shutdown: it disconnects clients instead of
  // waiting for them, so the watchdog uses it too.
  const proc = await spawnService(bins.postgres, serverArgs(settings), { ...spawnOpts, reapSignal: 'SIGINT' });
  try {
    await waitUntilReady(proc, settings.port, settings.dataDir);
    return proc;
  } catch (err) {
    await stopService(proc, { signal: 'SIGKILL', timeoutMs: 5000 }).catch(() => {});
    throw err;
  }
}

export async function startPostgres(
  opts: { database?: string; maxConnections?: number; port?: number } = {},
): Promise<PostgresHandle> {
  const database = opts.database ?? 'mastodon_surge';
  const bins = postgresBinaries();
  const user = runAsUser();
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const dataDir = await makeOwnedTempDir('surge-pg-');
  const spawnOpts = { cwd: dataDir, env: { ...process.env, LC_ALL: 'C', LANG: 'C', PGDATA: dataDir }, ...ids };
  let proc: ServiceProcess | undefined;
  try {
    if (user) await chown(dataDir, user.uid, user.gid);
    await runCommand(bins.initdb, initdbArgs(dataDir), { ...spawnOpts, timeoutMs: 120_000 });
    const maxConnections = opts.maxConnections ?? 200;
    let port = 0;
    proc = await withFreePort(
      opts.port,
      (candidate) => launch(bins, spawnOpts, { dataDir, port: (port = candidate), maxConnections }),
      { host: HOST },
    );
    if (database !== 'postgres') {
      await query(port, 'postgres', `CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    }

    const running = proc;
    let stopping: Promise<void> | undefined;
    return {
      name: 'postgres',
      url: postgresUrl({ host: HOST, port, database }),
      host: HOST,
      port,
      database,
      user: POSTGRES_USER,
      dataDir,
      pid: running.pid,
      stop: () =>
        (stopping ??= (async () => {
          await stopService(running, { signal: 'SIGINT', timeoutMs: STOP_TIMEOUT_MS });
          await removeOwnedDir(dataDir);
        })()),
    };
  } catch (err) {
    if (proc) await stopService(proc, { signal: 'SIGKILL', timeoutMs: 5000 }).catch(() => {});
    await removeOwnedDir(dataDir).catch(() => {});
    throw err;
  }
}
