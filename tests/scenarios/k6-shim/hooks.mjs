// Node module hooks: `k6` and `k6/*` resolve to the shim files beside this one.
const MAP = {
  k6: 'k6.mjs',
  'k6/http': 'k6-http.mjs',
  'k6/metrics': 'k6-metrics.mjs',
  'k6/execution': 'k6-execution.mjs',
  'k6/data': 'k6-data.mjs',
  'k6/timers': 'k6-timers.mjs',
  'k6/websockets': 'k6-websockets.mjs',
};

export async function resolve(specifier, context, next) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const file = MAP[specifier];
    if (!file) throw new Error(`k6 shim: module ${specifier} is not provided`);
    return { url: new URL(file, import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
