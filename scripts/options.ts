import { InvalidArgumentError } from 'commander';
import { durationValueToNs } from '../infra/engines/node/duration.js';
import { parseTopLevelStage } from '../infra/engines/node/executors/shortcuts.js';
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

/** --duration, read as the runner reads it (k6's ParseExtendedDuration: 30s, 1h30m, 2d) and above zero, refused here rather than after start-up. */
export function k6Duration(raw: string): string {
  let ns = 0;
  try {
    ns = durationValueToNs(raw.trim());
  } catch {
    // refused below
  }
  if (!(ns > 0)) throw new InvalidArgumentError(`expected a k6 duration like 30s, 5m or 1h30m, got "${raw}".`);
  return raw;
}

/** --stage duration[:target], repeatable, read as the runner reads k6's CLI stages. */
export function k6Stage(raw: string, previous: string[]): string[] {
  try {
    parseTopLevelStage(raw);
  } catch {
    throw new InvalidArgumentError(`expected duration:target like 30s:10 (a Go duration, then a whole number of VUs), got "${raw}".`);
  }
  return [...previous, raw];
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
