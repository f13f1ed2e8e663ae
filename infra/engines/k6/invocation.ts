import { dirname, resolve } from 'node:path';
import type { RunOptions } from '../run-options.js';
import { k6Command } from './command.js';
import type { EngineChoice } from './engine.js';

// The exact process a k6 run starts: the binary with k6Command's argv, or
// `docker run` of the grafana/k6 image with the same argv. In the container
// the script's and the outputs' folders are mounted at the same absolute
// paths, so every path in the argv means the same file inside and out; host
// networking lets it reach the loopback target and Prometheus (Linux). The
// environment is passed by name only (`-e NAME`), so no value is on a command
// line.

export interface K6Invocation {
  file: string;
  args: string[];
  /** Added to the child's environment. */
  env: Record<string, string>;
}

export function k6Invocation(run: RunOptions, choice: Exclude<EngineChoice, { engine: 'node' }>, opts: { uid?: number; gid?: number } = {}): K6Invocation {
  if (choice.via === 'binary') {
    const cmd = k6Command(run);
    return { file: choice.path, args: cmd.args, env: cmd.env };
  }
  const abs = { ...run, script: resolve(run.script), summaryExport: run.summaryExport && resolve(run.summaryExport), outJson: run.outJson && resolve(run.outJson) };
  const cmd = k6Command(abs);
  const outputs = new Set([abs.summaryExport, abs.outJson].filter((f): f is string => f !== undefined).map(dirname));
  const args = ['run', '--rm', '-i', '--network', 'host'];
  // Files it writes belong to the user, not root.
  if (opts.uid !== undefined && opts.gid !== undefined) args.push('--user', `${opts.uid}:${opts.gid}`);
  for (const dir of [...new Set([dirname(abs.script), ...outputs])].sort()) args.push('-v', `${dir}:${dir}${outputs.has(dir) ? '' : ':ro'}`);
  for (const name of Object.keys(cmd.env).sort()) args.push('-e', name);
  args.push(choice.image, ...cmd.args);
  return { file: 'docker', args, env: cmd.env };
}
