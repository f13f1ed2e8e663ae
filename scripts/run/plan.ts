import { basename, extname } from 'node:path';
import { chooseEngine, EngineError, REPORT_TREND_STATS, type EngineChoice, type EngineFlag } from '../../infra/engines/k6/engine.js';
import type { RunOptions } from '../../infra/engines/run-options.js';
import { baseUrlOf, parseTarget, TargetError, type Target } from '../../infra/targets/target.js';

// `surge run`'s decisions, made before anything starts: which script, which
// engine, which target, and the exact options the engine gets. Pure, so a dry
// run prints precisely what a real run would do.

export class UsageError extends Error {}

export interface RunFlags {
  engine?: EngineFlag;
  target: string;
  iOwnThisInstance?: boolean;
  mailApiUrl?: string;
  env: string[];
  vus?: number;
  duration?: string;
  iterations?: number;
  stage?: string[];
  summaryTrendStats?: string;
  summaryExport?: string;
  out: string[];
  tag: string[];
  executionSegment?: string;
  executionSegmentSequence?: string;
  quiet?: boolean;
  thresholds: boolean;
  wave?: string;
  compress?: number;
  scale?: number;
  seed?: number;
  prometheusRw?: string;
  workers?: number;
}

export interface RunPlan {
  /** builtin: one of scenarios/*.ts (the Mastodon scenarios), not the user's own k6 script. */
  scenario: { name: string; source: string; bundled: boolean; builtin: boolean };
  engine: 'node' | 'k6';
  /** How k6 runs: the binary or the grafana/k6 image. */
  engineChoice: EngineChoice;
  target: Target;
  /** Env the script gets; BASE_URL/MAIL_API_URL are added once a stand-in is up. */
  run: RunOptions;
  workers: number;
}

function pairs(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${item}" must look like NAME=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * @param scenario a built-in name or a path
 * @param facts what the machine offers: built-in scenario sources, whether k6 is on PATH
 */
export function planRun(
  scenario: string,
  flags: RunFlags,
  facts: { builtins: Record<string, string>; k6Path: string | undefined; docker?: boolean; waveJson?: string },
): RunPlan {
  const source = facts.builtins[scenario];
  const ext = extname(scenario);
  if (!source && !['.ts', '.js', '.mjs'].includes(ext)) {
    throw new UsageError(`unknown scenario "${scenario}": use one of ${Object.keys(facts.builtins).join(', ')} or a .ts/.js k6 script`);
  }
  let target: Target;
  try {
    target = parseTarget(flags.target, { ownsInstance: flags.iOwnThisInstance });
  } catch (err) {
    throw err instanceof TargetError ? new UsageError(err.message) : err;
  }
  if (target.kind === 'mastodon' || target.kind === 'auto') {
    throw new UsageError(`--target ${target.kind} is for surge rehearse; surge run takes --target standin or a URL`);
  }
  if (flags.mailApiUrl) {
    try {
      parseTarget(flags.mailApiUrl, { ownsInstance: flags.iOwnThisInstance });
    } catch (err) {
      throw new UsageError(`--mail-api-url: ${(err as Error).message.replace(/^--target /, '')}`);
    }
  }
  let engineChoice: EngineChoice;
  try {
    engineChoice = chooseEngine(flags.engine, { k6Path: facts.k6Path, docker: facts.docker ?? false });
  } catch (err) {
    throw err instanceof EngineError ? new UsageError(err.message) : err;
  }
  const engine = engineChoice.engine;
  if (flags.prometheusRw && engine !== 'k6') {
    throw new UsageError(`--prometheus-rw is k6's remote write and the ${engine} engine cannot send it: use --engine k6 (k6 on PATH or Docker), or surge rehearse, which scrapes the Node runner into its own Prometheus`);
  }
  const workers = flags.workers ?? 1;
  if (workers > 1 && engine === 'k6') throw new UsageError('--workers splits the Node runner; k6 already uses every core');
  if (workers > 1 && (flags.executionSegment || flags.executionSegmentSequence)) {
    throw new UsageError('--workers picks the execution segments itself; do not combine it with --execution-segment');
  }

  const env: Record<string, string> = {};
  if (target.kind === 'url') env.BASE_URL = baseUrlOf(target);
  if (flags.mailApiUrl) env.MAIL_API_URL = flags.mailApiUrl.replace(/\/+$/, '');
  if (facts.waveJson) env.WAVE_JSON = facts.waveJson;
  else if (flags.wave) env.WAVE = flags.wave;
  if (flags.compress !== undefined) env.COMPRESS = String(flags.compress);
  if (flags.scale !== undefined) env.SCALE = String(flags.scale);
  if (flags.seed !== undefined) env.SEED = String(flags.seed);
  Object.assign(env, pairs(flags.env, '-e'));

  let outJson: string | undefined;
  for (const out of flags.out) {
    const m = /^json=(.+)$/.exec(out);
    if (!m) throw new UsageError(`--out "${out}" is not supported: use --out json=FILE (Prometheus remote write: --prometheus-rw URL)`);
    outJson = m[1];
  }

  return {
    scenario: { name: source ? scenario : basename(scenario, ext), source: source ?? scenario, bundled: ext === '.js' || ext === '.mjs', builtin: source !== undefined },
    engine,
    engineChoice,
    target,
    workers,
    run: {
      script: '',
      env,
      vus: flags.vus,
      duration: flags.duration,
      iterations: flags.iterations,
      stages: flags.stage?.length ? flags.stage : undefined,
      summaryTrendStats: flags.summaryTrendStats === undefined ? undefined : flags.summaryTrendStats.split(',').map((s) => s.trim()),
      summaryExport: flags.summaryExport,
      outJson,
      tags: pairs(flags.tag, '--tag'),
      executionSegment: flags.executionSegment,
      executionSegmentSequence: flags.executionSegmentSequence,
      quiet: flags.quiet,
      noThresholds: !flags.thresholds,
      prometheusRw: flags.prometheusRw ? { url: flags.prometheusRw, trendStats: REPORT_TREND_STATS } : undefined,
    },
  };
}
