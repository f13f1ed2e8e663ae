import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FederationReport } from '../../reports/federation/model.js';
import { surge } from '../support/surge-cli.js';

// `surge federation` as a user runs it, kept short for CI: two stand-ins,
// six accounts, twenty seconds of posts; and the same run cut short by Ctrl-C.

const SHORT = ['federation', '--instances', '2', '--users', '6', '--duration', '20s'];

/** True when something still accepts connections at host:port. */
function listening(hostPort: string): Promise<boolean> {
  const [host, port] = [hostPort.replace(/:\d+$/, ''), Number(hostPort.replace(/^.*:/, ''))];
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function leftBehind(out: string): Promise<string[]> {
  const run = JSON.parse(readFileSync(join(out, 'federation-run.json'), 'utf8')) as { instances: { domain: string }[]; fleet: { domain: string }[] };
  const addresses = [...run.instances.map((i) => i.domain), ...run.fleet.map((f) => f.domain)];
  const open = await Promise.all(addresses.map(listening));
  return addresses.filter((_, i) => open[i]);
}

describe('surge federation', () => {
  it('federates two stand-ins with the fleet and reports fan-out and delivery latency', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-fed-')), 'run');
    const r = await surge([...SHORT, '--out', out, '--seed', '11']);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain(join(out, 'report.html'));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as FederationReport;
    expect(report.partial).toBe(false);
    expect(report.posts.published).toBeGreaterThanOrEqual(15);
    // Every post reached every fleet server following its author, and was timed there.
    expect(report.fleetCompleteness.arrived).toBe(report.fleetCompleteness.expected);
    expect(report.latency.count).toBe(report.fleetCompleteness.arrived);
    expect(report.latency.p50Ms).toBeGreaterThan(0);
    expect(report.latency.p99Ms).toBeLessThan(10_000);
    expect(report.fanOut.count).toBe(report.posts.published);
    // A post's fan-out ends with its last delivery, so the slowest fan-out is the slowest delivery.
    expect(report.fanOut.maxMs).toBeCloseTo(report.latency.maxMs, 6);
    // The graph's count of distinct other servers per post is what the instances enqueued.
    expect(report.deliveriesPerPost.planned.mean).toBeGreaterThan(1);
    expect(report.deliveriesPerPost.measured).toBeCloseTo(report.deliveriesPerPost.planned.mean, 1);
    expect(report.series).toHaveLength(2);
    expect(report.series[0]!.pushBacklog.some(([, v]) => v !== null)).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).not.toMatch(/<script/i);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/delivery latency p50 \/ p95 \/ p99/);
    expect(readFileSync(join(out, 'federation-run.json'), 'utf8')).not.toMatch(/token|password|PRIVATE KEY/i);
    expect(await leftBehind(out)).toEqual([]);
  }, 300_000);

  it('writes a partial report when interrupted with Ctrl-C and leaves no server running', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-fed-')), 'run');
    let sent = false;
    const r = await surge([...SHORT, '--out', out], {
      onStderr: (text, child) => {
        if (!sent && text.includes('posting ')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 5000);
        }
      },
    });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as FederationReport;
    expect(report.partial).toBe(true);
    expect(report.partialReason).toMatch(/SIGINT/);
    expect(report.posts.published).toBeGreaterThan(0);
    expect(report.posts.published).toBeLessThan(15);
    expect(await leftBehind(out)).toEqual([]);
  }, 300_000);

  it('refuses bad flags in one line before starting anything', async () => {
    const r = await surge(['federation', '--kill-instance', '2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--kill-instance and --at go together/);
  });
});
