import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FederationReport } from '../../reports/federation/model.js';
import { surge } from '../support/surge-cli.js';

// One instance crashes mid-run and comes back: the others' deliveries to it
// fail and are scheduled for retry (or skipped by the open circuit), its host
// gets a failing day, its own posts are refused while it is down, and the
// report says so.

describe('surge federation --kill-instance', () => {
  it('reports the outage: retries by the others, the failing host, refused posts, and the instance back', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-fed-out-')), 'run');
    const r = await surge(['federation', '--instances', '2', '--users', '6', '--duration', '30s', '--post-rate', '2', '--kill-instance', '2', '--at', '8s', '--down-for', '12s', '--seed', '5', '--out', out]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/instance 2 \(127\.0\.0\.3:\d+\) is down at/);
    expect(r.stderr).toMatch(/instance 2 is back at/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as FederationReport;
    const o = report.outage!;
    expect(o.domain).toMatch(/^127\.0\.0\.3:\d+$/);
    expect(o.upAtS).toBeGreaterThan(o.downAtS);
    // With seed 5 instance 1's accounts have followers on instance 2, so its deliveries there fail while it is down.
    expect(o.retriesByOthers + o.circuitOpenByOthers).toBeGreaterThan(0);
    expect(o.failingHosts).toContain(o.domain);
    expect(o.unavailableDomains).toEqual([]);
    expect(o.postsRefused).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`## Outage of ${o.domain}`);
  }, 300_000);
});
