// Test-side helpers for the k6 scenarios: build the bundles once per test
// file, evaluate a bundle's init on the Node runner, and check exported
// options the way k6 validates them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptExports } from '../../infra/engines/node/runtime/inspect.js';
import { buildScenarios, type BuiltScenario } from '../../scripts/build-scenarios.js';
import { parseK6Duration } from '../../scenarios/waves/duration.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let built: { dir: string; bundles: Map<string, BuiltScenario> } | undefined;

/** Builds every scenario into a fresh temp dir (once per test file). */
export async function bundles(): Promise<Map<string, BuiltScenario>> {
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'surge-k6-'));
    const list = await buildScenarios({ outDir: dir });
    built = { dir, bundles: new Map(list.map((b) => [b.name, b])) };
  }
  return built.bundles;
}

export function cleanBundles(): void {
  if (built) rmSync(built.dir, { recursive: true, force: true });
  built = undefined;
}

export async function bundleFile(name: string): Promise<string> {
  const b = (await bundles()).get(name);
  if (!b) throw new Error(`no bundle ${name}`);
  return b.file;
}

export interface EvaluatedOptions {
  ok: boolean;
  error?: string;
  options?: any;
  /** The init's exported names, sorted. */
  exports?: string[];
}

/** A bundle's exported options as the init of VU `vu` builds them, on the Node runner's own init (__ENV = env only). */
export async function evaluateOptions(bundle: string, env: Record<string, string>, vu = 0): Promise<EvaluatedOptions> {
  try {
    const r = scriptExports({ script: bundle, env, vu });
    return { ok: true, options: r.options, exports: r.names };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// ---------------------------------------------------------------------------
// k6's option validation (lib/executor/*.go, DisallowUnknownFields), as much as
// the scenarios use, so a bundle that passes here is accepted by `k6 run`.

const COMMON = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];
const EXECUTORS: Record<string, { keys: string[]; required: string[] }> = {
  'shared-iterations': { keys: ['vus', 'iterations', 'maxDuration'], required: [] },
  'per-vu-iterations': { keys: ['vus', 'iterations', 'maxDuration'], required: [] },
  'constant-vus': { keys: ['vus', 'duration'], required: ['duration'] },
  'ramping-vus': { keys: ['startVUs', 'stages', 'gracefulRampDown'], required: ['stages'] },
  'constant-arrival-rate': { keys: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'], required: ['rate', 'duration', 'preAllocatedVUs'] },
  'ramping-arrival-rate': { keys: ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'], required: ['stages', 'preAllocatedVUs'] },
};
const TOP_LEVEL = ['scenarios', 'thresholds', 'summaryTrendStats', 'userAgent', 'setupTimeout', 'teardownTimeout'];
const METRIC_TYPES: Record<string, 'trend' | 'rate' | 'counter' | 'gauge'> = {
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  iteration_duration: 'trend',
  dropped_iterations: 'counter',
  signup_duration: 'trend',
  confirmation_latency: 'trend',
  signups_completed: 'counter',
  signups_failed: 'counter',
  throttled_requests: 'counter',
  timeline_page_size: 'trend',
};
const AGGREGATIONS: Record<string, RegExp> = {
  trend: /^(avg|min|max|med|p\((\d+(\.\d+)?)\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
  gauge: /^value$/,
};

function duration(v: unknown, where: string, problems: string[], min = 0): number {
  const s = typeof v === 'string' || typeof v === 'number' ? parseK6Duration(v) : NaN;
  if (!Number.isFinite(s) || s < min) problems.push(`${where}: bad duration ${JSON.stringify(v)}${min ? ` (min ${min}s)` : ''}`);
  return s;
}

/** What Go's JSON decoder accepts for an int64 field (within JS's exact integers). */
function isInt64(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Problems k6 would report for these options; [] when valid. */
export function k6OptionProblems(options: any): string[] {
  const p: string[] = [];
  if (!options || typeof options !== 'object') return ['options is not an object'];
  const shortcuts = ['vus', 'duration', 'iterations', 'stages'];
  for (const k of Object.keys(options)) {
    if (shortcuts.includes(k)) p.push(`${k} next to scenarios`);
    else if (!TOP_LEVEL.includes(k)) p.push(`unexpected top-level option ${k}`);
  }
  for (const k of ['setupTimeout', 'teardownTimeout']) if (k in options) duration(options[k], k, p, 1);
  const scenarios = options.scenarios ?? {};
  if (Object.keys(scenarios).length === 0) p.push('no scenarios');
  for (const [name, sc] of Object.entries<any>(scenarios)) {
    const at = `scenarios.${name}`;
    if (!/^[0-9a-zA-Z_-]+$/.test(name)) p.push(`${at}: bad scenario name`);
    const ex = EXECUTORS[sc.executor];
    if (!ex) {
      p.push(`${at}: unknown executor ${sc.executor}`);
      continue;
    }
    for (const k of Object.keys(sc)) if (!COMMON.includes(k) && !ex.keys.includes(k)) p.push(`${at}: unknown field ${k}`);
    for (const k of ex.required) if (sc[k] === undefined) p.push(`${at}: ${k} is required`);
    if (sc.gracefulStop !== undefined) duration(sc.gracefulStop, `${at}.gracefulStop`, p);
    if (sc.maxDuration !== undefined) duration(sc.maxDuration, `${at}.maxDuration`, p, 1);
    if (sc.duration !== undefined) duration(sc.duration, `${at}.duration`, p, 1);
    if (sc.timeUnit !== undefined && !(duration(sc.timeUnit, `${at}.timeUnit`, p) > 0)) p.push(`${at}: timeUnit must be > 0`);
    // k6 decodes these as int64 (null.Int / int64): a fraction such as 0.03816 is a
    // JSON unmarshal error and `k6 run` exits 104 before validating anything.
    for (const k of ['vus', 'iterations', 'preAllocatedVUs', 'maxVUs']) {
      if (sc[k] !== undefined && !(isInt64(sc[k]) && sc[k] >= (k === 'preAllocatedVUs' ? 0 : 1))) p.push(`${at}: ${k} must be a whole number (int64; got ${sc[k]})`);
    }
    if (sc.maxVUs !== undefined && sc.maxVUs < sc.preAllocatedVUs) p.push(`${at}: maxVUs < preAllocatedVUs`);
    if (sc.rate !== undefined && !(isInt64(sc.rate) && sc.rate > 0)) p.push(`${at}: rate must be a whole number > 0 (int64; got ${sc.rate})`);
    if (sc.startRate !== undefined && !(isInt64(sc.startRate) && sc.startRate >= 0)) p.push(`${at}: startRate must be a whole number >= 0 (int64; got ${sc.startRate})`);
    if (sc.startVUs !== undefined && !(isInt64(sc.startVUs) && sc.startVUs >= 0)) p.push(`${at}: startVUs must be a whole number >= 0 (int64; got ${sc.startVUs})`);
    if (sc.stages !== undefined) {
      if (!Array.isArray(sc.stages) || sc.stages.length === 0) p.push(`${at}: stages must be a non-empty array`);
      else
        sc.stages.forEach((s: any, i: number) => {
          const keys = Object.keys(s).sort().join(',');
          if (keys !== 'duration,target') p.push(`${at}.stages[${i}]: fields ${keys}`);
          duration(s.duration, `${at}.stages[${i}].duration`, p);
          if (!(isInt64(s.target) && s.target >= 0)) p.push(`${at}.stages[${i}]: target must be a whole number >= 0 (int64; got ${s.target})`);
        });
    }
    if (sc.tags !== undefined) for (const [k, v] of Object.entries(sc.tags)) if (typeof v !== 'string') p.push(`${at}.tags.${k} must be a string`);
  }
  for (const [key, list] of Object.entries<any>(options.thresholds ?? {})) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(\{([^}]*)\})?$/.exec(key);
    if (!m) {
      p.push(`threshold key ${key} is malformed`);
      continue;
    }
    const type = METRIC_TYPES[m[1]!];
    if (!type) p.push(`threshold on unknown metric ${m[1]}`);
    if (m[3] !== undefined) for (const tag of m[3].split(',')) if (!/^\s*[\w-]+\s*:\s*[^,]+$/.test(tag)) p.push(`threshold ${key}: bad tag filter ${tag}`);
    if (!Array.isArray(list)) {
      p.push(`thresholds.${key} must be an array`);
      continue;
    }
    for (const expr of list) {
      const e = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|<|>=|>|===|==|!=)\s*(-?\d+(\.\d+)?)\s*$/.exec(String(expr));
      if (!e) p.push(`threshold ${key}: bad expression ${expr}`);
      else if (type && !AGGREGATIONS[type]!.test(e[1]!)) p.push(`threshold ${key}: ${e[1]} does not apply to a ${type}`);
    }
  }
  return p;
}
