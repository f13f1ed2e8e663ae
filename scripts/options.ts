import { InvalidArgumentError } from 'commander';
import { loadReportConfig } from '../reports/build.js';
import { UsageError } from './run/plan.js';

// Flag parsers shared by the CLI's commands: each rejects bad input with one
// line that names the flag's rule, before anything starts.

export function wholeNumber(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${raw}".`);
    }
    return n;
  };
}

export function oneOf<T extends string>(...choices: T[]) {
  return (raw: string): T => {
    if (!(choices as string[]).includes(raw)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${raw}".`);
    return raw as T;
  };
}

export function positiveNumber(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a number above 0, got "${raw}".`);
    return n;
  };
}

/** --slo and --prices, read and checked before anything starts (a rehearsal's report is written after its load). */
export async function reportConfigFlags(sloFile: string | undefined, priceSheetFile: string | undefined) {
  const check = async (flag: string, files: Parameters<typeof loadReportConfig>[0]) => {
    try {
      return await loadReportConfig(files);
    } catch (err) {
      throw new UsageError(`${flag} ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
    }
  };
  return { ...(await check('--slo', { sloFile })), ...(await check('--prices', { priceSheetFile })) };
}
