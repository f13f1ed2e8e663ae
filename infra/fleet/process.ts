// Starting the fleet as a process of its own (spawnService + the reaper, like
// every other service) and talking to it over its control endpoint.

import { fileURLToPath } from 'node:url';
import { describeExit, spawnService, stopService, type ServiceProcess } from '../services/child.js';
import type { Arrival, FleetSummary } from './arrivals.js';
import type { FleetOptions, FollowResult } from './fleet.js';
import type { FleetReady } from './main.js';

export interface FleetProcess extends FleetReady {
  metricsUrl: string;
  follow(from: { domain: number; actor: number }, target: string, timeoutMs?: number): Promise<FollowResult>;
  summary(): Promise<FleetSummary>;
  arrivals(): Promise<Arrival[]>;
  stop(): Promise<void>;
}

export async function startFleetProcess(opts: Omit<FleetOptions, 'log'> & { keyFile?: string; onLog?: (line: string) => void }): Promise<FleetProcess> {
  const { keyFile, onLog, ...fleetOptions } = opts;
  const proc: ServiceProcess = await spawnService(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./main.ts', import.meta.url))], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, NODE_ENV: 'production', FLEET_OPTIONS: JSON.stringify(fleetOptions), ...(keyFile ? { FLEET_KEY_FILE: keyFile } : {}) },
  });
  if (onLog) proc.child.stderr?.on('data', (d: string) => onLog(`fleet: ${d}`));
  const stop = async () => void (await stopService(proc, { signal: 'SIGTERM', timeoutMs: 10_000 }));
  let ready: FleetReady;
  try {
    ready = await firstLine(proc, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${ready.controlUrl}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const parsed = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`fleet ${path}: ${parsed.error ?? res.status}`);
    return parsed;
  };
  return {
    ...ready,
    metricsUrl: `${ready.controlUrl}/metrics`,
    follow: (from, target, timeoutMs) => call<FollowResult>('/follow', { ...from, target, timeoutMs }),
    summary: () => call<FleetSummary>('/summary'),
    arrivals: () => call<Arrival[]>('/arrivals'),
    stop,
  };
}

/** The fleet's ready line (its first line on stdout), or why it never came. */
export function firstLine(proc: ServiceProcess, timeoutMs: number): Promise<FleetReady> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`the fleet did not start within ${timeoutMs / 1000} s:\n${proc.log.text(15)}`)), timeoutMs);
    const onData = (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        done(undefined, JSON.parse(buf.slice(0, nl)) as FleetReady);
      } catch {
        done(new Error(`the fleet printed something other than its ready line: ${buf.slice(0, 200)}`));
      }
    };
    const onExit = () => done(new Error(`the fleet ${describeExit(proc.exit!)} before it was ready:\n${proc.log.text(15)}`));
    const done = (err?: Error, value?: FleetReady) => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', onData);
      proc.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value!);
    };
    proc.child.stdout?.on('data', onData);
    proc.child.once('exit', onExit);
  });
}
