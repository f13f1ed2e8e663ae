import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary } from '../services/binaries.js';
import { describeExit, spawnService, stopService, type ServiceProcess } from '../services/child.js';
import { pollUntil } from '../services/poll.js';
import { withFreePort } from '../services/ports.js';
import { makeOwnedTempDir, removeOwnedDir } from '../services/temp-dir.js';
import { checkRetention, prometheusArgs, prometheusConfig, type ScrapeTarget } from './prometheus-config.js';
import { prometheusApi, type PrometheusApi } from './query.js';

export interface PrometheusOptions {
  scrapeTargets: ScrapeTarget[];
  /** Default 1. */
  scrapeIntervalSec?: number;
  /** `--storage.tsdb.retention.time`, e.g. "2d"; Prometheus' default (15d) otherwise. */
  retention?: string;
  /** `--enable-feature=native-histograms` (default true): needed for k6's native-histogram trends. */
  nativeHistograms?: boolean;
  port?: number;
}

export interface PrometheusHandle {
  name: 'prometheus';
  /** http://127.0.0.1:<port> */
  url: string;
  /** The remote-write receiver, `<url>/api/v1/write`. */
  remoteWriteUrl: string;
  /** The TSDB folder (removed by stop(), snapshots included unless copied out). */
  dataDir: string;
  configFile: string;
  pid: number;
  api: PrometheusApi;
  /** The jobs currently configured. */
  scrapeTargets(): ScrapeTarget[];
  /** Rewrites prometheus.yml with these jobs and reloads; throws with Prometheus' reason if it refuses. */
  reload(targets: ScrapeTarget[]): Promise<void>;
  /**
   * A TSDB snapshot including the in-memory head; returns its folder, under
   * `<dataDir>/snapshots/` or, with `into`, copied there (stop() removes dataDir).
   * The folder opens with `prometheus --storage.tsdb.path=<it>`.
   */
  snapshot(opts?: { into?: string }): Promise<string>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

async function readJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/**
 * Ready, and ours: a Prometheus already on a clashing port would also say
 * ready, so its TSDB path must be the folder we gave.
 */
async function waitUntilReady(proc: ServiceProcess, url: string, dataDir: string): Promise<void> {
  try {
    await pollUntil(
      async () => {
        const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        await ready.arrayBuffer();
        if (ready.status !== 200) throw new Error(`/-/ready answered HTTP ${ready.status}`);
        const flags = await readJson(`${url}/api/v1/status/flags`);
        const path = (flags.body as { data?: Record<string, string> } | undefined)?.data?.['storage.tsdb.path'];
        if (path !== dataDir) throw new Error(`answered by another server (TSDB path ${path ?? 'unknown'})`);
      },
      {
        what: `prometheus on ${url} did not become ready`,
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 100,
        abort: () => (proc.exit ? describeExit(proc.exit) : undefined),
      },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- last lines of the prometheus log ---\n${proc.log.text(15)}`);
  }
}

async function launch(binary: string, dir: string, args: string[], url: string, dataDir: string): Promise<ServiceProcess> {
  const proc = await spawnService(binary, args, { cwd: dir });
  try {
    await waitUntilReady(proc, url, dataDir);
    return proc;
  } catch (err) {
    await stopService(proc, { signal: 'SIGKILL', timeoutMs: 5000 }).catch(() => {});
    throw err;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const intervalSec = opts.scrapeIntervalSec ?? 1;
  // Invalid jobs, interval or retention fail here, before anything starts.
  const config = prometheusConfig(opts.scrapeTargets, intervalSec);
  if (opts.retention !== undefined) checkRetention(opts.retention);
  const binary = findBinary('prometheus', { debianPackage: 'prometheus', candidates: ['/usr/bin', '/usr/local/bin'] });
  const dir = await makeOwnedTempDir('surge-prometheus-');
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  const argsFor = (port: number): string[] =>
    prometheusArgs({
      configFile,
      dataDir,
      host: HOST,
      port,
      ...(opts.retention !== undefined ? { retention: opts.retention } : {}),
      nativeHistograms: opts.nativeHistograms ?? true,
    });

  let proc: ServiceProcess;
  let port = 0;
  try {
    await mkdir(dataDir);
    await writeFile(configFile, config);
    proc = await withFreePort(
      opts.port,
      (candidate) => {
        port = candidate;
        return launch(binary, dir, argsFor(candidate), `http://${HOST}:${candidate}`, dataDir);
      },
      { host: HOST },
    );
  } catch (err) {
    await removeOwnedDir(dir).catch(() => {});
    throw err;
  }

  const running = proc;
  const url = `http://${HOST}:${port}`;
  const api = prometheusApi(url);
  let targets = opts.scrapeTargets.map((t) => ({ ...t, targets: [...t.targets] }));
  let stopping: Promise<void> | undefined;

  return {
    name: 'prometheus',
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    dataDir,
    configFile,
    pid: running.pid,
    api,
    scrapeTargets: () => targets.map((t) => ({ ...t, targets: [...t.targets] })),

    async reload(next) {
      const nextConfig = prometheusConfig(next, intervalSec);
      const previous = await readFile(configFile, 'utf8');
      await writeFile(configFile, nextConfig);
      const response = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      if (response.status !== 200) {
        // Prometheus keeps running the old config; the file should say so too.
        await writeFile(configFile, previous);
        throw new Error(oneLine(`prometheus reload failed (HTTP ${response.status}): ${text}`));
      }
      targets = next.map((t) => ({ ...t, targets: [...t.targets] }));
    },

    async snapshot(o = {}) {
      const { status, body, text } = await readJson(`${url}/api/v1/admin/tsdb/snapshot?skip_head=false`, { method: 'POST' });
      const name = (body as { data?: { name?: unknown } } | undefined)?.data?.name;
      if (status !== 200 || typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
        const error = (body as { error?: string } | undefined)?.error ?? text.slice(0, 200);
        throw new Error(oneLine(`prometheus snapshot failed (HTTP ${status}): ${error}`));
      }
      const path = join(dataDir, 'snapshots', name);
      if (!o.into) return path;
      await cp(path, o.into, { recursive: true, errorOnExist: true, force: false });
      await rm(path, { recursive: true, force: true });
      return o.into;
    },

    stop: () =>
      (stopping ??= (async () => {
        // SIGTERM: Prometheus stops scraping, closes the TSDB and exits.
        await stopService(running, { signal: 'SIGTERM', timeoutMs: STOP_TIMEOUT_MS });
        await removeOwnedDir(dir);
      })()),
  };
}
