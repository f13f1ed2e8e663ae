// Runs a scenario bundle on the k6 shim, in its own Node process:
//   node --import ./register.mjs run.mjs   with SHIM_SPEC='{"bundle":…,"env":{…},"mode":"options"|"run",…}'
// 'options': evaluates the init context once (as k6's options-extraction init,
// __VU = spec.vu ?? 0) and prints the exported options.
// 'run': setup() in a __VU=0 instance, then `vus` fresh module instances (one
// per VU, like k6's per-VU runtimes) run `iterations` iterations each,
// concurrently, then teardown(). Prints what the scenario did.
import { pathToFileURL } from 'node:url';
import { state } from './state.mjs';

const spec = JSON.parse(process.env.SHIM_SPEC ?? '{}');
const MARK = '__SHIM_RESULT__ ';
const out = (obj) => process.stdout.write(`\n${MARK}${JSON.stringify(obj)}\n`);

globalThis.__ENV = { ...(spec.env ?? {}) };
const href = pathToFileURL(spec.bundle).href;

async function instance(vu) {
  globalThis.__VU = vu;
  const started = performance.now();
  const mod = await import(`${href}?vu=${vu}&n=${Math.random()}`);
  return { mod, initMs: performance.now() - started };
}

function summarize() {
  const metrics = {};
  for (const [name, m] of Object.entries(state.metrics)) {
    const sum = m.values.reduce((a, b) => a + b, 0);
    metrics[name] = { type: m.type, count: m.values.length, sum, max: Math.max(...m.values, 0) };
  }
  const requests = {};
  for (const r of state.requests) {
    const key = `${r.name} ${r.status}`;
    requests[key] = (requests[key] ?? 0) + 1;
  }
  return { checks: state.checks, metrics, requests, aborted: state.aborted };
}

try {
  if (spec.mode === 'options') {
    const { mod, initMs } = await instance(spec.vu ?? 0);
    out({ ok: true, options: mod.options ?? null, exports: Object.keys(mod).sort(), initMs });
  } else {
    const { mod: first } = await instance(0);
    const options = first.options;
    let data;
    const errors = [];
    if (typeof first.setup === 'function') {
      try {
        data = JSON.parse(JSON.stringify((await first.setup()) ?? null));
      } catch (err) {
        out({ ok: false, phase: 'setup', error: String(err?.message ?? err), options, ...summarize() });
        process.exit(0);
      }
    }
    const vus = [];
    for (let v = 1; v <= (spec.vus ?? 1); v++) vus.push({ v, mod: (await instance(v)).mod });
    state.exec.scenario.startTime = Date.now();
    state.exec.scenario.name = Object.keys(options?.scenarios ?? { default: 1 })[0];
    let counter = 0;
    await Promise.all(
      vus.map(async ({ v, mod }) => {
        for (let i = 0; i < (spec.iterations ?? 1); i++) {
          state.exec.vu = { idInTest: v, idInInstance: v, iterationInInstance: i, iterationInScenario: i };
          state.exec.scenario.iterationInTest = counter;
          state.exec.scenario.iterationInInstance = counter;
          counter++;
          try {
            await mod.default(JSON.parse(JSON.stringify(data ?? null)));
          } catch (err) {
            errors.push(String(err?.stack ?? err));
          }
        }
      }),
    );
    if (typeof first.teardown === 'function') await first.teardown(data);
    out({ ok: true, options, iterations: counter, errors, setupData: spec.keepSetupData ? data : undefined, ...summarize() });
  }
} catch (err) {
  out({ ok: false, error: String(err?.stack ?? err) });
}
