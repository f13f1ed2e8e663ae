import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIGMAP_LIMIT_BYTES, k8sManifests, toYaml } from '../../scripts/k8s/manifests.js';

// The k6-operator manifests, read back as YAML and checked field by field
// against the TestRun CRD (k6.io/v1alpha1) and the ConfigMap limits.

const input = {
  name: 'surge-signup-wave',
  namespace: 'load',
  scenario: 'signup-wave',
  bundle: 'export default async function () {}\nexport const options = { scenarios: {} };\n',
  parallelism: 4,
  testid: 'wave-1',
  prometheusUrl: 'http://prometheus.monitoring:9090/',
  env: { BASE_URL: 'https://social.example', WAVE: 'exodus-day-one', SEED: '7' },
  image: 'grafana/k6:2.2.0',
};

describe('k6-operator manifests', () => {
  const { configMap, testRun } = k8sManifests(input);
  const tr = parse(toYaml(testRun));
  const cm = parse(toYaml(configMap));

  it('a TestRun with N runners, the script from the ConfigMap, remote write and the testid tag', () => {
    expect(tr.apiVersion).toBe('k6.io/v1alpha1');
    expect(tr.kind).toBe('TestRun');
    expect(tr.metadata).toEqual({ name: 'surge-signup-wave', namespace: 'load', labels: { 'app.kubernetes.io/managed-by': 'mastodon-surge', 'mastodon-surge/testid': 'wave-1' } });
    expect(tr.spec.parallelism).toBe(4);
    expect(tr.spec.separate).toBe(false);
    expect(tr.spec.script).toEqual({ configMap: { name: 'surge-signup-wave-script', file: 'signup-wave.js' } });
    expect(tr.spec.arguments).toBe('--out experimental-prometheus-rw --tag testid=wave-1 --tag job=runner');
    expect(tr.spec.runner.image).toBe('grafana/k6:2.2.0');
    expect(tr.spec.runner.env).toEqual([
      { name: 'BASE_URL', value: 'https://social.example' },
      { name: 'WAVE', value: 'exodus-day-one' },
      { name: 'SEED', value: '7' },
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: 'http://prometheus.monitoring:9090/api/v1/write' },
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: 'p(50),p(90),p(95),p(99),max,avg,count' },
      { name: 'K6_PROMETHEUS_RW_STALE_MARKERS', value: 'true' },
    ]);
  });

  it('a ConfigMap holding the bundle byte for byte under the key the TestRun names', () => {
    expect(cm.apiVersion).toBe('v1');
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.name).toBe(tr.spec.script.configMap.name);
    expect(cm.metadata.namespace).toBe('load');
    expect(Object.keys(cm.data)).toEqual([tr.spec.script.configMap.file]);
    expect(cm.data['signup-wave.js']).toBe(input.bundle);
  });

  it('without a Prometheus, no remote write but still the testid tag', () => {
    const plain = parse(toYaml(k8sManifests({ ...input, prometheusUrl: undefined }).testRun));
    expect(plain.spec.arguments).toBe('--tag testid=wave-1 --tag job=runner');
    expect(plain.spec.runner.env.map((e: { name: string }) => e.name)).not.toContain('K6_PROMETHEUS_RW_SERVER_URL');
  });

  it('refuses a bundle over a ConfigMap\'s 1 MiB, bad names and no runners, naming the fix', () => {
    expect(() => k8sManifests({ ...input, bundle: 'x'.repeat(CONFIGMAP_LIMIT_BYTES) })).toThrow(/over a ConfigMap's 1 MiB.*volumeClaim/);
    expect(() => k8sManifests({ ...input, name: 'Surge_Wave' })).toThrow(/--name "Surge_Wave" is not a Kubernetes name/);
    expect(() => k8sManifests({ ...input, parallelism: 0 })).toThrow(/--parallelism/);
    expect(() => k8sManifests({ ...input, prometheusUrl: 'prometheus:9090' })).toThrow(/--prometheus-url/);
    expect(() => k8sManifests({ ...input, prometheusUrl: 'http://writer:hunter2@prom:9090' })).toThrow(/^--prometheus-url must not carry a user or password .*K6_PROMETHEUS_RW_PASSWORD from a Secret$/);
  });
});

describe('surge k8s', () => {
  const SURGE = fileURLToPath(new URL('../../scripts/bin/surge.js', import.meta.url));
  const surge = (args: string[]) => spawnSync(process.execPath, [SURGE, 'k8s', ...args], { encoding: 'utf8' });
  const base = ['--parallelism', '3', '--scenario', 'signup-wave', '--prometheus-url', 'http://prom:9090', '--testid', 'ci-wave'];

  it('writes both manifests with the real bundle, and a note for the report', () => {
    const out = mkdtempSync(join(tmpdir(), 'surge-k8s-'));
    const r = surge([...base, '--target', 'https://social.example', '--i-own-this-instance', '--compress', '144', '--scale', '0.1', '--seed', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kubectl apply -f ${join(out, 'configmap.yaml')} -f ${join(out, 'testrun.yaml')}`);
    const [cm] = parseAllDocuments(readFileSync(join(out, 'configmap.yaml'), 'utf8')).map((d) => d.toJS());
    const tr = parse(readFileSync(join(out, 'testrun.yaml'), 'utf8'));
    expect(cm.data['signup-wave.js']).toContain('mastodon-surge k6 scenario');
    expect(Buffer.byteLength(cm.data['signup-wave.js'])).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    expect(tr.spec.parallelism).toBe(3);
    expect(Object.fromEntries(tr.spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toMatchObject({ BASE_URL: 'https://social.example', COMPRESS: '144', SCALE: '0.1', SEED: '3' });
    expect(JSON.parse(readFileSync(join(out, 'surge-k8s.json'), 'utf8'))).toMatchObject({ scenario: 'signup-wave', testid: 'ci-wave', parallelism: 3 });
  });

  it('refuses targets the user has not claimed, the large public instances, and loopback, writing nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-k8s-')), 'none');
    const notOwned = surge([...base, '--target', 'https://social.example', '--out', out]);
    expect(notOwned.status).toBe(1);
    expect(notOwned.stderr).toMatch(/--i-own-this-instance/);
    expect(surge([...base, '--target', 'https://mastodon.social', '--i-own-this-instance', '--out', out]).stderr).toMatch(/large public instance/);
    expect(surge([...base, '--target', 'http://127.0.0.1:3000', '--out', out]).stderr).toMatch(/loopback: inside a pod/);
    expect(surge([...base, '--out', out]).stderr).toMatch(/needs --target URL/);
    expect(() => readFileSync(join(out, 'testrun.yaml'))).toThrow();
  });
});
