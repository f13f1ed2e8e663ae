import { stringify } from 'yaml';
import { REPORT_TREND_STATS } from '../../infra/engines/k6/engine.js';
import { JOBS } from '../../reports/collect/queries.js';

// A wave for k6-operator: a ConfigMap holding the bundled scenario and a
// TestRun (k6.io/v1alpha1) whose N runners each take one execution segment
// (the operator adds --execution-segment and --execution-segment-sequence),
// remote-write to the user's Prometheus and carry a testid tag, so the series
// of all runners can be found and summed as one run. Pure.

/** etcd's limit on one object; Kubernetes refuses a bigger ConfigMap. */
export const CONFIGMAP_LIMIT_BYTES = 1_048_576;
// Room for the object's metadata and keys beside the script.
const CONFIGMAP_OVERHEAD_BYTES = 4096;

export class K8sError extends Error {}

export interface K8sInput {
  /** TestRun name; the ConfigMap is `<name>-script`. */
  name: string;
  namespace?: string;
  scenario: string;
  /** The bundle's text (dist/k6/<scenario>.js). */
  bundle: string;
  parallelism: number;
  testid: string;
  /** The user's Prometheus; its /api/v1/write receives the runners' series. */
  prometheusUrl?: string;
  /** The scenario's __ENV (BASE_URL, WAVE, …), given to runners as environment variables. */
  env: Record<string, string>;
  image: string;
  /** One runner per node (pod anti-affinity); needs as many nodes as runners. */
  separate?: boolean;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkName(flag: string, value: string, max = 63): string {
  if (value.length > max || !DNS1123.test(value)) {
    throw new K8sError(`${flag} "${value}" is not a Kubernetes name: lowercase letters, digits and '-', at most ${max} characters, starting and ending alphanumeric`);
  }
  return value;
}

export function remoteWriteUrl(prometheusUrl: string): string {
  if (!/^https?:\/\/[^/\s]+/.test(prometheusUrl)) throw new K8sError(`--prometheus-url "${prometheusUrl}" is not an http(s) URL such as http://prometheus.monitoring:9090`);
  // testrun.yaml and surge-k8s.json are plain files people commit: no password in them.
  if (/^https?:\/\/[^/@\s]*@/.test(prometheusUrl)) {
    throw new K8sError('--prometheus-url must not carry a user or password (it would sit in plain text in testrun.yaml): give the runners K6_PROMETHEUS_RW_USERNAME and K6_PROMETHEUS_RW_PASSWORD from a Secret');
  }
  return `${prometheusUrl.replace(/\/+$/, '')}/api/v1/write`;
}

export function k8sManifests(i: K8sInput): { configMap: Record<string, unknown>; testRun: Record<string, unknown> } {
  checkName('--name', i.name, 52);
  if (i.namespace !== undefined) checkName('--namespace', i.namespace);
  if (!Number.isInteger(i.parallelism) || i.parallelism < 1) throw new K8sError(`--parallelism must be a whole number of runners from 1, got ${i.parallelism}`);
  const file = `${i.scenario}.js`;
  const bytes = Buffer.byteLength(i.bundle) + Buffer.byteLength(file);
  if (bytes + CONFIGMAP_OVERHEAD_BYTES > CONFIGMAP_LIMIT_BYTES) {
    throw new K8sError(
      `the ${i.scenario} bundle is ${(bytes / 1_048_576).toFixed(2)} MiB, over a ConfigMap's 1 MiB: put it on a volume and use the TestRun's script.volumeClaim instead`,
    );
  }
  const labels = { 'app.kubernetes.io/managed-by': 'mastodon-surge', 'mastodon-surge/testid': i.testid };
  const metadata = (name: string) => ({ name, ...(i.namespace ? { namespace: i.namespace } : {}), labels });
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(`${i.name}-script`), data: { [file]: i.bundle } };
  const env = Object.entries(i.env).map(([name, value]) => ({ name, value }));
  // job=runner: the runner series' name in the report's queries, as in a local rehearsal.
  const args = ['--tag', `testid=${i.testid}`, '--tag', `job=${JOBS.runner}`];
  if (i.prometheusUrl) {
    args.unshift('--out', 'experimental-prometheus-rw');
    env.push(
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: remoteWriteUrl(i.prometheusUrl) },
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: REPORT_TREND_STATS.join(',') },
      { name: 'K6_PROMETHEUS_RW_STALE_MARKERS', value: 'true' },
    );
  }
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: metadata(i.name),
    spec: {
      parallelism: i.parallelism,
      separate: i.separate ?? false,
      script: { configMap: { name: `${i.name}-script`, file } },
      arguments: args.join(' '),
      runner: { image: i.image, env },
    },
  };
  return { configMap, testRun };
}

export function toYaml(doc: Record<string, unknown>): string {
  // Long lines (the bundle) stay as they are: folding would be harmless but unreadable.
  return stringify(doc, { lineWidth: 0 });
}
