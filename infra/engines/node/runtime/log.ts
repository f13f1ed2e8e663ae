// A logrus-like logger: k6 writes `time=… level=warning msg="…" key=value`
// lines to stderr when it is not a terminal. The sink is replaceable so the
// CLI and tests can capture lines.

import { mapStack } from './sourcemap.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string, level: LogLevel, msg: string, fields: LogFields) => void;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

function quote(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return /^[A-Za-z0-9_./:@+-]+$/.test(s) ? s : JSON.stringify(s);
}

export function formatLogLine(level: LogLevel, msg: string, fields: LogFields, time = new Date()): string {
  let line = `time="${time.toISOString().replace(/\.\d+Z$/, 'Z')}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const k of Object.keys(fields).sort()) line += ` ${k}=${quote(fields[k])}`;
  return line;
}

export class Logger {
  constructor(
    private readonly sink: LogSink = (line) => process.stderr.write(`${line}\n`),
    readonly minLevel: LogLevel = 'info',
    private readonly base: LogFields = {},
  ) {}

  with(fields: LogFields): Logger {
    return new Logger(this.sink, this.minLevel, { ...this.base, ...fields });
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (ORDER[level] < ORDER[this.minLevel]) return;
    const all = { ...this.base, ...fields };
    this.sink(formatLogLine(level, msg, all), level, msg, all);
  }
  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warning', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
}

/** A script error as k6 prints it: the JS stack when there is one (in the script's own lines). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return mapStack(e.stack ?? `${e.name}: ${e.message}`);
  if (typeof e === 'string') return mapStack(e);
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}
