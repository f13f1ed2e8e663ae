// Shared state of the k6 shim: what the scenario did (checks, metrics,
// requests, aborts) and the execution context the runner sets per iteration.
// A test double only: it implements the slice of k6's API the scenarios use,
// with k6's semantics where they matter to the assertions.
export const state = (globalThis.__k6shim ??= {
  checks: {},
  metrics: {},
  requests: [],
  aborted: undefined,
  exec: {
    vu: { idInTest: 0, idInInstance: 0, iterationInInstance: 0, iterationInScenario: 0 },
    scenario: { name: '', executor: '', startTime: Date.now(), iterationInTest: 0, iterationInInstance: 0, progress: 0 },
  },
  initMetricsAllowed: true,
});

export function addSample(name, type, value, tags) {
  const m = (state.metrics[name] ??= { type, values: [], tags: [] });
  m.values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  m.tags.push(tags ?? {});
}
