// One place that turns Ctrl-C / SIGTERM / natural exit into orderly async
// cleanup. Listeners are installed only while handlers exist, so importing this
// module never changes how a process reacts to signals.
//
// After a signal the handlers run, then the process exits with the shell
// convention 128 + signal number (130 for SIGINT, 143 for SIGTERM) unless the
// caller already set process.exitCode. A second signal while handlers run
// exits at once, so a stuck cleanup never traps the user.
// On beforeExit the handlers run and the process ends normally afterwards.

type Handler = () => Promise<void>;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

const handlers = new Set<Handler>();
let signalled = false;
let installed = false;

async function runAll(): Promise<void> {
  // Last registered is cleaned first, like a stack of acquired resources.
  const batch = [...handlers].reverse();
  handlers.clear();
  await Promise.allSettled(batch.map((fn) => fn()));
}

function onSignal(signal: HandledSignal): void {
  const exit = (): never => process.exit(process.exitCode ?? SIGNAL_EXIT_CODES[signal]);
  if (signalled) exit();
  signalled = true;
  void runAll().finally(exit);
}

const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');
const onBeforeExit = (): void => {
  if (signalled) return;
  uninstall();
  void runAll();
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('beforeExit', onBeforeExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.off('beforeExit', onBeforeExit);
}

/** Runs `fn` once on SIGINT, SIGTERM or beforeExit; returns an unregister function. */
export function onShutdown(fn: () => Promise<void>): () => void {
  const entry: Handler = () => fn();
  handlers.add(entry);
  install();
  return () => {
    handlers.delete(entry);
    if (handlers.size === 0 && !signalled) uninstall();
  };
}
