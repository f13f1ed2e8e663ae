import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `surge` as a user runs it, as a child process: exit code and both streams.

export const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));

export function surgeProcess(args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string) {
  const child = spawn(process.execPath, [SURGE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, ...(cwd ? { cwd } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
