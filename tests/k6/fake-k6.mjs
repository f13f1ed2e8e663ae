// A TEST DOUBLE of k6, not k6: put on PATH as `k6` (through a tiny shell
// wrapper) so `surge run|rehearse --engine k6` can be exercised where no k6
// exists. It records its argv and K6_* environment as one JSON line in
// $FAKE_K6_LOG, remote-writes a few k6-named series (counters rising like a
// real run's) to K6_PROMETHEUS_RW_SERVER_URL for $FAKE_K6_SECONDS seconds,
// writes a --summary-export file in k6's format and exits $FAKE_K6_EXIT or 0
// (105 on SIGINT).
// It sends no load to the target.
import { appendFileSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const k6Env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('K6_')));
if (process.env.FAKE_K6_LOG) appendFileSync(process.env.FAKE_K6_LOG, `${JSON.stringify({ argv, env: k6Env })}\n`);

const flag = (name) => argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []));
const tags = Object.fromEntries(flag('--tag').map((t) => t.split('=')));
const scriptEnv = Object.fromEntries(flag('-e').map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
const scenario = scriptEnv.BP_STEPS ? 'breakpoint' : 'signups';

// --- Prometheus remote write: protobuf WriteRequest, snappy block format (literals only).
const varint = (n) => { const out = []; let v = BigInt(n); do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b); } while (v); return Buffer.from(out); };
const field = (num, wire, body) => Buffer.concat([varint((num << 3) | wire), ...(wire === 2 ? [varint(body.length)] : []), body]);
const str = (num, s) => field(num, 2, Buffer.from(s));
const double = (v) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; };
function series(labels, value, ts) {
  const ls = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => field(1, 2, Buffer.concat([str(1, k), str(2, v)])));
  const sample = field(2, 2, Buffer.concat([field(1, 1, double(value)), field(2, 0, varint(ts))]));
  return field(1, 2, Buffer.concat([...ls, sample]));
}
function snappy(data) {
  const parts = [varint(data.length)];
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(chunk.length - 1);
    parts.push(Buffer.from([63 << 2]), len, chunk);
  }
  return Buffer.concat(parts);
}
async function push(iterations) {
  const url = process.env.K6_PROMETHEUS_RW_SERVER_URL;
  if (!argv.includes('experimental-prometheus-rw') || !url) return;
  const base = { ...tags, scenario };
  const ts = Date.now();
  const body = Buffer.concat([
    series({ __name__: 'k6_iterations_total', ...base }, iterations, ts),
    series({ __name__: 'k6_http_reqs_total', ...base }, iterations * 5, ts),
    series({ __name__: 'k6_vus', ...tags }, 3, ts),
  ]);
  const res = await fetch(url, { method: 'POST', body: snappy(body), headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' } });
  if (res.status >= 300) throw new Error(`remote write answered ${res.status}: ${await res.text()}`);
}

function finish(code) {
  const file = flag('--summary-export')[0];
  if (file) {
    writeFileSync(file, JSON.stringify({
      root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
      metrics: {
        iterations: { count: 40, rate: 4 },
        http_req_failed: { passes: 0, fails: 200, value: 0, thresholds: { 'rate<0.01': false } },
        signup_duration: { avg: 900, min: 400, med: 850, max: 2500, 'p(90)': 1500, 'p(95)': 1800, 'p(99)': 2400 },
        vus: { value: 3, min: 1, max: 3 },
      },
    }, null, 4));
  }
  process.exit(code);
}
process.on('SIGINT', () => finish(105));

const seconds = Number(process.env.FAKE_K6_SECONDS ?? 3);
for (let i = 1; i <= seconds * 2; i++) {
  await push(i * 2);
  await new Promise((r) => setTimeout(r, 500));
}
// k6's own exit codes (99: thresholds failed), as the test asks.
finish(Number(process.env.FAKE_K6_EXIT ?? 0));
