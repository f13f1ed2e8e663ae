// Globals that k6 (≥ v0.54) provides in every context but @types/k6 does not
// declare: the console and the event-loop timers. Only what scenario code uses.
// This is a script (no import/export), so the declarations are global; it is
// seen only by scenarios/tsconfig.json, never together with @types/node.

interface K6Console {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

declare var console: K6Console;

declare function setTimeout(callback: () => void, delayMs?: number): number;
declare function clearTimeout(id: number): void;
