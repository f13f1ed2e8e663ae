// Outlives its parent on purpose: it is started detached with a stdin pipe,
// and the pipe closing (parent exited, crashed or was SIGKILLed) is the only
// signal that the parent's children and temp dirs need reaping. Plain .mjs so
// it starts in ~40 ms without a TypeScript loader.
import { readFileSync, rmSync } from 'node:fs';

// pid -> the signal that asks it to stop (postgres wants SIGINT for a fast shutdown).
const pids = new Map();
const dirs = new Set();
const GRACE_MS = 5000;

// PID 1 in some containers never reaps orphans, so a dead process can linger
// as a zombie; kill(pid, 0) alone would call it alive forever.
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

// Services are started as process-group leaders, so signalling the group also
// reaches helpers they fork into it; fall back to the bare pid otherwise.
function signal(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

let reaping = false;
async function reap() {
  if (reaping) return;
  reaping = true;
  for (const [pid, sig] of pids) signal(pid, sig);
  const owned = [...pids.keys()];
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && owned.some(alive)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const pid of owned) if (alive(pid)) signal(pid, 'SIGKILL');
  // Give SIGKILLed processes a moment so they stop writing into dirs we delete.
  if (owned.some(alive)) await new Promise((r) => setTimeout(r, 200));
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // nothing more a watchdog can do
    }
  }
  process.exit(0);
}

function handle(line) {
  const space = line.indexOf(' ');
  if (space === -1) return;
  const verb = line.slice(0, space);
  const arg = line.slice(space + 1);
  if (verb === 'own' || verb === 'disown') {
    const [pidText, sig] = arg.split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 1) return;
    if (verb === 'own') pids.set(pid, /^SIG[A-Z0-9]+$/.test(sig ?? '') ? sig : 'SIGTERM');
    else pids.delete(pid);
  }
  else if (verb === 'dir' && arg.startsWith('/') && arg !== '/') dirs.add(arg);
  else if (verb === 'undir') dirs.delete(arg);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    handle(buffered.slice(0, newline));
    buffered = buffered.slice(newline + 1);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
// Being told to stop means the same as losing the parent: clean up first.
process.on('SIGTERM', reap);
process.on('SIGINT', reap);
process.on('SIGHUP', reap);
