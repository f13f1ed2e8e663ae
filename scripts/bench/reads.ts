import autocannon from 'autocannon';

// autocannon against one path with a header rotated per request: the Bearer
// token for the home timeline (spreading the per-token and per-user throttles
// over many tokens), a same-sized dummy header for the /health baseline so the
// load generator does the same work in both runs.

export interface ReadRun {
  label: string;
  path: string;
  connections: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export async function readRun(
  baseUrl: string,
  o: { label: string; path: string; connections: number; seconds: number; header: 'authorization' | 'x-request-id'; values: string[] },
): Promise<ReadRun> {
  let k = 0;
  const values = o.values.map((v) => (o.header === 'authorization' ? `Bearer ${v}` : v));
  const result = await autocannon({
    url: baseUrl,
    connections: o.connections,
    duration: o.seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: o.path,
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, accept: 'application/json', [o.header]: values[k++ % values.length]! } }),
      },
    ],
  });
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  return {
    label: o.label,
    path: o.path,
    connections: o.connections,
    seconds: o.seconds,
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes,
  };
}
