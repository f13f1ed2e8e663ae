import bcrypt from 'bcrypt';
import { BCRYPT_COST, generateAccountKeys } from '../../infra/targets/standin/web/sign-up.js';
import { mean, percentile, relativeCi95 } from './stats.js';

// The CPU a Mastodon signup cannot avoid: Devise's bcrypt (cost 10) of the
// password and the account's RSA-2048 key pair, done exactly as the stand-in's
// POST /api/v1/accounts does them. `loops` concurrent loops each keep one
// signup's crypto in flight; with loops = cores this is the machine's bound.

export interface CryptoBound {
  loops: number;
  ops: number;
  seconds: number;
  /** Little's law: loops ÷ mean time per op (each loop always has one op in flight). */
  opsPerSec: number;
  /** 95% confidence half-width of opsPerSec, relative (RSA key generation time varies a lot). */
  ci95: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU time this process (all its threads) spent per op: the cost of one signup's crypto, whatever else the machine runs. */
  cpuMsPerOp: number;
}

export async function cryptoOp(password: string): Promise<void> {
  await bcrypt.hash(password, BCRYPT_COST);
  await generateAccountKeys();
}

export async function measureCryptoBound(loops: number, seconds: number, password: string): Promise<CryptoBound> {
  // Warm-up (thread pool start, first-use costs), not counted.
  await Promise.all(Array.from({ length: loops }, () => cryptoOp(password)));
  const durations: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let last = t0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await cryptoOp(password);
        const e = performance.now();
        durations.push(e - s);
        last = Math.max(last, e);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    loops,
    ops: durations.length,
    seconds: (last - t0) / 1000,
    opsPerSec: loops / (mean(durations) / 1000),
    ci95: relativeCi95(durations),
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    cpuMsPerOp: (cpu.user + cpu.system) / 1000 / durations.length,
  };
}
