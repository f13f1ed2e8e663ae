import { availableParallelism, cpus } from 'node:os';
import { onShutdown } from '../infra/services/shutdown.js';
import { startStandin, type StandinHandle } from '../infra/targets/standin/standin.js';
import { cpuSince, cpuSnapshot, OUTSIDE, type CpuShare } from './bench/cpu.js';
import { measureCryptoBound, type CryptoBound } from './bench/crypto-bound.js';
import { Api } from './bench/http.js';
import { readRun, type ReadRun } from './bench/reads.js';
import { confirmAuthors, followAndPost, insertReaders, readersFollow, waitForFeeds } from './bench/seed.js';
import { driveSignups, PASSWORD, registerApp, type SignupRun } from './bench/signups.js';
import { fmt, table } from './bench/stats.js';

// `npm run bench`: throughput of the stand-in against baselines measured in the
// same run on the same machine. It reports and never fails on numbers (exit 0
// unless the bench itself cannot run); each target is printed PASS or MISS.
//
//  1. Signups/s over HTTP ÷ the crypto bound (bcrypt cost 10 + RSA-2048 per
//     signup, all cores busy, measured before and after): target ≥ 0.85.
//  2. Home-timeline reads/s with autocannon, next to GET /health on the same
//     stand-in (the framework and cluster ceiling): target ≥ 3,000 reads/s
//     (set for 2 cores).
//
//  3. The Node runner: a one-GET scenario's requests/s ÷ autocannon's with the
//     same connections (target ≥ 0.8), start lag p99 at 1,000 arrivals/s
//     (≤ 5 ms), heap per idle VU (≤ 50 KB). `--only standin|runner` runs one part.
//
// Every phase also reports the CPU each process used per operation, from
// /proc, and how busy the rest of the machine was: on a shared machine
// throughput moves with the neighbours, CPU per operation much less.

const CORES = availableParallelism();
const CFG = {
  boundSecOne: 6,
  boundSecAll: 8,
  signupConcurrency: 12,
  signupWarmupSec: 3,
  signupSec: 20,
  authors: 20,
  postsEach: 20,
  // 5 tokens × 300 requests per 5 min each = one user's 1,500: 100 readers allow
  // 150,000 reads per window, 7,500/s over a 20 s run.
  readers: 100,
  tokensPerReader: 5,
  followsPerReader: 10,
  readConnections: 50,
  readWarmupSec: 3,
  readSec: 15,
  // Shorter: at several thousand requests/s it would eat the tokens' throttle
  // budget (above) that the home-timeline run needs after it.
  authSec: 10,
};
const SIGNUP_TARGET = 0.85;
const VERIFY = '/api/v1/accounts/verify_credentials';
const READ_TARGET = 3000;

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

interface Results {
  signups: SignupRun;
  signupCpu: CpuShare[];
  health: ReadRun;
  healthCpu: CpuShare[];
  auth: ReadRun;
  authCpu: CpuShare[];
  home: ReadRun;
  homeCpu: CpuShare[];
  seedSec: number;
  pageBytes: number;
  tokens: number;
}

async function main(): Promise<void> {
  const only = onlyFlag(process.argv.slice(2));
  log(`${CORES} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}${only ? ` (--only ${only})` : ''}`);
  if (only !== 'runner') await standinBench();
  if (only !== 'standin') {
    // Loaded only when needed: the runner's HTTP module subscribes to undici's diagnostics channel.
    const { runnerBench, runnerReport } = await import('./bench/runner.js');
    const r = await runnerBench(log);
    if (only !== 'runner') process.stdout.write('\n');
    process.stdout.write(`mastodon-surge bench (runner): ${CORES} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n${runnerReport(r)}\n`);
  }
}

/** `--only standin|runner` (or `--only=…`); undefined = both. */
function onlyFlag(args: string[]): 'standin' | 'runner' | undefined {
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--only') only = args[++i] ?? '';
    else if (a.startsWith('--only=')) only = a.slice('--only='.length);
    else throw new Error(`unknown argument "${a}" (the bench takes only --only standin|runner)`);
  }
  if (only !== undefined && only !== 'standin' && only !== 'runner') throw new Error(`--only takes standin or runner (got "${only}")`);
  return only;
}

async function standinBench(): Promise<void> {
  const t0 = performance.now();

  log(`crypto bound: 1 loop for ${CFG.boundSecOne} s, then ${CORES} loops for ${CFG.boundSecAll} s (again after the stand-in stops)`);
  const perCore = await measureCryptoBound(1, CFG.boundSecOne, PASSWORD);
  const boundBefore = await measureCryptoBound(CORES, CFG.boundSecAll, PASSWORD);

  const webConcurrency = Math.max(2, CORES);
  log(`starting the stand-in (${webConcurrency} web processes × 5 threads, worker × 5 threads)`);
  const logTail: string[] = [];
  const standin = await startStandin({
    webConcurrency,
    maxThreads: 5,
    sidekiqConcurrency: 5,
    onLog: (line) => {
      logTail.push(line.trimEnd());
      if (logTail.length > 40) logTail.shift();
    },
  });
  const unregister = onShutdown(() => standin.stop());
  let results: Results;
  try {
    results = await runAgainst(standin);
  } catch (err) {
    if (logTail.length > 0) log(`stand-in output (last lines):\n${logTail.join('\n')}`);
    throw err;
  } finally {
    log('stopping the stand-in');
    unregister();
    await standin.stop();
  }
  const boundAfter = await measureCryptoBound(CORES, CFG.boundSecAll, PASSWORD);
  report(perCore, boundBefore, boundAfter, results, webConcurrency, (performance.now() - t0) / 1000);
}

async function runAgainst(standin: StandinHandle): Promise<Results> {
  const api = new Api(standin.baseUrl, 64);
  try {
    const app = await registerApp(api);

    log(`signups: ${CFG.signupConcurrency} in flight, ${CFG.signupWarmupSec} s warm-up + ${CFG.signupSec} s measured`);
    let cpu = cpuSnapshot();
    const signups = await driveSignups(api, app, {
      concurrency: CFG.signupConcurrency,
      warmupSec: CFG.signupWarmupSec,
      durationSec: CFG.signupSec,
    });
    const signupCpu = cpuSince(cpu, CORES);
    if (signups.users.length < CFG.authors) throw new Error(`only ${signups.users.length} signups succeeded; cannot seed the read benchmark`);

    log(`seeding: ${CFG.authors} confirmed authors following one another, ${CFG.postsEach} posts each`);
    const seedStart = performance.now();
    const authors = await confirmAuthors(api, standin.mailApiUrl, signups.users.slice(0, CFG.authors));
    await followAndPost(api, authors, CFG.postsEach);
    log(`seeding: ${CFG.readers} readers × ${CFG.tokensPerReader} tokens in the database, ${CFG.followsPerReader} follows each through the API`);
    const readers = await insertReaders(standin.postgresUrl, app.appId, CFG.readers, CFG.tokensPerReader);
    await readersFollow(api, readers, authors, CFG.followsPerReader);
    await waitForFeeds(standin.redisUrl, [
      ...authors.map((a) => ({ accountId: a.accountId, size: CFG.postsEach * CFG.authors })),
      ...readers.map((r) => ({ accountId: r.accountId, size: CFG.postsEach * CFG.followsPerReader })),
    ]);
    const sample = await api.call('GET', '/api/v1/timelines/home', { token: readers[0]!.tokens[1] });
    if (sample.status !== 200 || !Array.isArray(sample.data) || sample.data.length !== 20) {
      throw new Error(`a reader's home timeline is not a full page: ${sample.status} ${JSON.stringify(sample.data).slice(0, 200)}`);
    }
    const pageBytes = JSON.stringify(sample.data).length;
    const seedSec = (performance.now() - seedStart) / 1000;
    log(`seeded in ${seedSec.toFixed(1)} s; a page of 20 statuses is ${pageBytes} bytes`);
    await api.close();

    // Tokens interleaved by user, so consecutive requests belong to different users.
    const tokens = Array.from({ length: CFG.tokensPerReader }, (_, k) => readers.map((r) => r.tokens[k]!)).flat();
    const dummies = tokens.map((_, i) => `bench-${String(i).padStart(37, '0')}`);
    const read = (label: string, path: string, seconds: number, header: 'authorization' | 'x-request-id', values: string[]) =>
      readRun(standin.baseUrl, { label, path, connections: CFG.readConnections, seconds, header, values });

    log(`GET /health baseline: ${CFG.readConnections} connections, 2 s warm-up + ${CFG.readSec} s`);
    await read('warm-up', '/health', 2, 'x-request-id', dummies);
    cpu = cpuSnapshot();
    const health = await read('GET /health (baseline)', '/health', CFG.readSec, 'x-request-id', dummies);
    const healthCpu = cpuSince(cpu, CORES);

    // Between the two: the per-request work of every API call (token lookup in
    // PostgreSQL, throttle counters in Redis) with a one-account answer, so the
    // report shows what a timeline page adds on top of it.
    log(`verify_credentials: ${CFG.readConnections} connections, ${tokens.length} tokens rotated, ${CFG.readWarmupSec} s warm-up + ${CFG.authSec} s`);
    await read('warm-up', VERIFY, CFG.readWarmupSec, 'authorization', tokens);
    cpu = cpuSnapshot();
    const auth = await read('GET verify_credentials', VERIFY, CFG.authSec, 'authorization', tokens);
    const authCpu = cpuSince(cpu, CORES);

    log(`home timeline: ${CFG.readConnections} connections, ${tokens.length} tokens rotated, ${CFG.readWarmupSec} s warm-up + ${CFG.readSec} s`);
    await read('warm-up', '/api/v1/timelines/home', CFG.readWarmupSec, 'authorization', tokens);
    cpu = cpuSnapshot();
    const home = await read('GET /api/v1/timelines/home', '/api/v1/timelines/home', CFG.readSec, 'authorization', tokens);
    const homeCpu = cpuSince(cpu, CORES);
    return { signups, signupCpu, health, healthCpu, auth, authCpu, home, homeCpu, seedSec, pageBytes, tokens: tokens.length };
  } finally {
    await api.close().catch(() => {});
  }
}

/** CPU ms per operation summed over this bench's own processes (the load generator included). */
function ownMsPerOp(shares: CpuShare[], ops: number): number {
  return shares.filter((s) => s.role !== OUTSIDE).reduce((a, s) => a + s.cpuSeconds, 0) * 1000 / ops;
}

function cpuTable(title: string, shares: CpuShare[], ops: number, unit: string): string {
  const outside = shares.find((s) => s.role === OUTSIDE);
  const rows = shares
    .filter((s) => s.cpuSeconds > 0 || s.role === OUTSIDE)
    .map((s) => [s.role, fmt.n(s.cpuSeconds), `${(s.ofMachine * 100).toFixed(0)}%`, s.role === OUTSIDE ? '' : fmt.n((s.cpuSeconds * 1000) / ops, 3)]);
  rows.push(['all of this bench', fmt.n(shares.filter((s) => s.role !== OUTSIDE).reduce((a, s) => a + s.cpuSeconds, 0)), '', fmt.n(ownMsPerOp(shares, ops), 3)]);
  const warn = outside && outside.ofMachine > 0.1 ? `\n  note: other processes kept ${(outside.ofMachine * 100).toFixed(0)}% of the machine busy; throughput above is depressed by that much or more` : '';
  return `${title}\n${table([['process', 'CPU s', 'of machine', `CPU ms/${unit}`], ...rows])}${warn}`;
}

function report(perCore: CryptoBound, before: CryptoBound, after: CryptoBound, r: Results, webConcurrency: number, totalSec: number): void {
  const out: string[] = [];
  const boundOps = (before.opsPerSec + after.opsPerSec) / 2;
  const ratio = r.signups.signupsPerSec / boundOps;
  const signupOps = r.signups.users.length + r.signups.failed;
  const cryptoCpuMs = (before.cpuMsPerOp * before.ops + after.cpuMsPerOp * after.ops) / (before.ops + after.ops);
  const signupCpuMs = ownMsPerOp(r.signupCpu, signupOps);
  const healthAlone = (CORES * 1000) / ownMsPerOp(r.healthCpu, r.health.total);
  const homeAlone = (CORES * 1000) / ownMsPerOp(r.homeCpu, r.home.total);
  const authAlone = (CORES * 1000) / ownMsPerOp(r.authCpu, r.auth.total);

  out.push(`mastodon-surge bench: ${CORES} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  out.push(`stand-in: ${webConcurrency} web processes × 5 threads, worker × 5 threads\n`);

  out.push('1. Signups vs the crypto bound (bcrypt cost 10 + RSA-2048 key pair per signup)');
  const boundRow = (label: string, b: CryptoBound, ratioCell: string) => [
    label, String(b.loops), fmt.int(b.ops), fmt.n(b.seconds), fmt.n(b.opsPerSec, 2), fmt.pct(b.ci95), fmt.ms(b.p50Ms), fmt.ms(b.p95Ms), ratioCell,
  ];
  out.push(table([
    ['measurement', 'in flight', 'ops', 'seconds', 'ops/s', '95% CI', 'p50', 'p95', 'ratio'],
    boundRow('crypto, one core', perCore, fmt.ratio(perCore.opsPerSec / boundOps)),
    boundRow(`crypto, all ${CORES} cores (before)`, before, fmt.ratio(before.opsPerSec / boundOps)),
    boundRow(`crypto, all ${CORES} cores (after)`, after, fmt.ratio(after.opsPerSec / boundOps)),
    ['crypto bound = mean of before/after', '', '', '', fmt.n(boundOps, 2), '', '', '', '1.00'],
    ['POST /api/v1/accounts over HTTP', String(r.signups.concurrency), fmt.int(r.signups.completed), fmt.n(r.signups.seconds), fmt.n(r.signups.signupsPerSec, 2), '', fmt.ms(r.signups.p50Ms), fmt.ms(r.signups.p95Ms), fmt.ratio(ratio)],
  ]));
  if (r.signups.failed > 0) out.push(`failed signups: ${r.signups.failed} ${JSON.stringify(r.signups.failures)}`);
  out.push(`\n${cpuTable(`CPU during the signup run (${signupOps} signups incl. warm-up)`, r.signupCpu, signupOps, 'signup')}`);
  out.push(`crypto alone: ${fmt.n(cryptoCpuMs, 1)} CPU ms per signup; the whole stand-in and load generator: ${fmt.n(signupCpuMs, 1)} → CPU efficiency ${fmt.ratio(cryptoCpuMs / signupCpuMs)} (the ratio the machine would allow if it were idle)\n`);

  out.push(`2. Home-timeline reads (autocannon, ${CFG.readConnections} connections, ${CFG.readSec} s; ${r.tokens} tokens of ${CFG.readers} users rotated; a page of 20 = ${fmt.int(r.pageBytes)} bytes)`);
  const row = (x: ReadRun, ratioCell: string, alone: number) => [
    x.label, fmt.int(x.reqPerSec), fmt.ms(x.p50Ms), fmt.ms(x.p99Ms), fmt.int(x.total), fmt.int(x.non2xx), fmt.int(x.errors), ratioCell, fmt.int(alone),
  ];
  out.push(table([
    ['endpoint', 'req/s', 'p50', 'p99', 'requests', 'non-2xx', 'errors', 'ratio', 'req/s by CPU*'],
    row(r.health, '1.00', healthAlone),
    row(r.auth, fmt.ratio(r.auth.reqPerSec / r.health.reqPerSec), authAlone),
    row(r.home, fmt.ratio(r.home.reqPerSec / r.health.reqPerSec), homeAlone),
  ]));
  out.push(`* ${CORES} cores ÷ CPU per request of all this bench's processes (stand-in, Postgres, Redis, autocannon): the rate an otherwise idle machine could sustain`);
  for (const x of [r.health, r.auth, r.home]) {
    if (Object.keys(x.statusCodes).some((c) => !c.startsWith('2'))) out.push(`${x.label}: status codes ${JSON.stringify(x.statusCodes)}`);
  }
  out.push(`\n${cpuTable('CPU during GET /health', r.healthCpu, r.health.total, 'req')}`);
  out.push(`\n${cpuTable('CPU during GET verify_credentials', r.authCpu, r.auth.total, 'req')}`);
  out.push(`\n${cpuTable('CPU during the home-timeline run', r.homeCpu, r.home.total, 'req')}\n`);

  out.push('Targets');
  const readsOk = r.home.reqPerSec >= READ_TARGET && r.home.non2xx === 0 && r.home.errors === 0;
  out.push(table([
    ['target', 'measured', 'goal', 'result', 'by CPU alone**'],
    ['1. signups/s ÷ crypto bound, no failures', fmt.ratio(ratio), `≥ ${SIGNUP_TARGET}`, verdict(ratio >= SIGNUP_TARGET && r.signups.failed === 0), fmt.ratio(cryptoCpuMs / signupCpuMs)],
    [`2. home reads/s, 0 non-2xx (goal set for 2 cores; ${CORES} here)`, fmt.int(r.home.reqPerSec), `≥ ${fmt.int(READ_TARGET)}`, verdict(readsOk), fmt.int(homeAlone)],
  ]));
  out.push('** what CPU per operation allows on an otherwise idle machine (informational; PASS/MISS uses the measured value)');
  out.push(`\n(seeding ${r.seedSec.toFixed(1)} s; whole bench ${totalSec.toFixed(0)} s)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
