import { existsSync } from 'node:fs';
import { request, type RequestOptions } from 'node:http';

export const NO_DOCKER_MESSAGE =
  'Docker is not running, so PostgreSQL, Redis and the mail sink run as local processes instead of containers.';

const DEFAULT_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 1000;

/**
 * Where to reach the engine: DOCKER_HOST (unix:// or tcp://) or the default
 * socket. Other schemes (ssh://, npipe://) are reported as unavailable rather
 * than guessed at.
 */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): RequestOptions | undefined {
  const host = env.DOCKER_HOST;
  if (!host) return existsSync(DEFAULT_SOCKET) ? { socketPath: DEFAULT_SOCKET } : undefined;
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    return existsSync(socketPath) ? { socketPath } : undefined;
  }
  if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

/** True only if an engine answers /_ping within a second; the CLI alone is not enough. */
export async function dockerAvailable(): Promise<boolean> {
  const endpoint = dockerEndpoint();
  if (!endpoint) return false;
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
