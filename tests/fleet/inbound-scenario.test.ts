import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../infra/fleet/fleet.js';
import { runTest } from '../../infra/engines/node/runtime/run.js';
import { buildScenarios } from '../../scripts/build-scenarios.js';

// The federation-inbound bundle on the Node runner, signing with the keys one
// fleet handed over, against another fleet's inbox, which (like Mastodon)
// fetches each sender's key and answers 202 only to valid signatures.

let senders: Fleet;
let target: Fleet;
let dir: string;
let bundle: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'surge-inbound-'));
  [senders, target] = await Promise.all([startFleet({ domains: [{ actors: 2 }, { actors: 1 }] }), startFleet({ domains: [{ actors: 1 }] })]);
  await senders.writeKeyFile(join(dir, 'keys.json'));
  bundle = (await buildScenarios({ entries: ['federation-inbound'], outDir: join(dir, 'k6') }))[0]?.file;
}, 120_000);

afterAll(async () => {
  await Promise.all([senders?.stop(), target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('federation-inbound scenario', () => {
  it('sends every activity type signed by the fleet\'s accounts; each is accepted with 202 and tagged by type', async () => {
    const t = target.domains[0]!;
    const out = join(dir, 'out.jsonl');
    const r = await runTest({
      script: bundle!,
      env: {
        BASE_URL: t.base,
        FLEET_KEYS: join(dir, 'keys.json'),
        RATE: '20',
        DURATION: '3s',
        FOLLOW_TARGETS: `${t.base}/users/fleet_0`,
        OBJECTS: `${t.base}/users/fleet_0/statuses/1`,
        MIX: 'create=1,like=1,announce=1,follow=1',
      },
      outJson: out,
      quiet: true,
      stdout: { write: () => true },
      stderr: { write: () => true },
    });
    expect(r.error).toBeUndefined();
    // What arrived, as the target counted it: every type, each answered 202, none refused.
    const arrived = await target.metrics.inbox.get();
    const byType = Object.fromEntries(arrived.values.map((v) => [`${v.labels.type} ${v.labels.status}`, v.value]));
    for (const type of ['Create', 'Like', 'Announce', 'Follow']) expect(byType[`${type} 202`]).toBeGreaterThan(0);
    expect(Object.keys(byType).filter((k) => !k.endsWith(' 202'))).toEqual([]);
    const s = target.summary();
    expect(s.arrivals).toBe(byType['Create 202']);
    expect(s.bySource[senders.domains[0]!.domain]!.count + (s.bySource[senders.domains[1]!.domain]?.count ?? 0)).toBe(s.arrivals);
    expect(s.rejected).toEqual({ unsigned: 0, badSignature: 0 });
    // Every request the runner recorded carries its activity's name tag. (The Node
    // runner, at the time of writing, drops requests made after a WebCrypto await
    // from its metrics (k6 does not), so which requests are recorded varies and
    // only their tags are checked.)
    const names = new Set<string>();
    for (const line of (await readFile(out, 'utf8')).split('\n')) {
      if (!line) continue;
      const p = JSON.parse(line);
      if (p.type === 'Point' && p.metric === 'http_reqs') names.add(`${p.data.tags.name}|${p.data.tags.activity}`);
    }
    for (const n of names) expect(n).toMatch(/^inbox (Create|Like|Announce|Follow)\|(Create|Like|Announce|Follow)$/);
    for (const n of names) expect(n.split('|')[0]).toBe(`inbox ${n.split('|')[1]}`);
  });

  it('refuses to start without the fleet\'s key file, naming the variable', async () => {
    let stderr = '';
    const r = await runTest({ script: bundle!, env: { BASE_URL: target.domains[0]!.base, MIX: 'create=1' }, quiet: true, stdout: { write: () => true }, stderr: { write: (c) => void (stderr += String(c)) }, logSink: (l) => void (stderr += l) });
    expect(r.exitCode).not.toBe(0);
    expect(`${r.error ?? ''}${stderr}`).toMatch(/FLEET_KEYS is required/);
  });
});
