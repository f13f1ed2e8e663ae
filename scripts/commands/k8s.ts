import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { K6_IMAGE } from '../../infra/engines/k6/engine.js';
import { checkName, K8sError, k8sManifests, toYaml } from '../k8s/manifests.js';
import { wholeNumber } from '../options.js';
import { bundleFor } from '../run/execute.js';
import { planRun, UsageError } from '../run/plan.js';
import { waveJsonOf, waveOptions } from '../run/wave.js';
import { builtinScenarios } from './run.js';

// `surge k8s`: hands a wave bigger than one load generator to k6-operator.
// Writes the manifests and a note of what they are; applies nothing.

const collect = (v: string, prev: string[]) => [...prev, v];

interface K8sFlags {
  parallelism: number;
  scenario: string;
  target?: string;
  iOwnThisInstance?: boolean;
  mailApiUrl?: string;
  wave?: string;
  compress?: number;
  scale?: number;
  seed?: number;
  env: string[];
  prometheusUrl?: string;
  testid?: string;
  name?: string;
  namespace?: string;
  k6Image: string;
  separate?: boolean;
  out: string;
}

export function k8sCommand(): Command {
  return waveOptions(new Command('k8s'), 'synthetic-user seed (default: from the clock)')
    .description('write a k6-operator TestRun and the ConfigMap with the bundled scenario (kubectl apply them yourself)')
    .requiredOption('--parallelism <n>', 'runners; each takes one execution segment', wholeNumber(1, 1000))
    .requiredOption('--scenario <name>', `built-in scenario: ${Object.keys(builtinScenarios()).join(', ')}`)
    .requiredOption('--out <dir>', 'where configmap.yaml, testrun.yaml and surge-k8s.json go')
    .option('--target <url>', 'the instance the runners load (reachable from the cluster)')
    .option('--i-own-this-instance', 'allow a target you run (required for any non-loopback target)')
    .option('--mail-api-url <url>', 'Mailpit API receiving the instance\'s mail (otherwise newcomers are not confirmed)')
    .option('-e, --env <NAME=value>', 'environment variable for the script (repeatable)', collect, [])
    .option('--prometheus-url <url>', 'your Prometheus (with --web.enable-remote-write-receiver), reachable from the cluster')
    .option('--testid <id>', 'the testid tag on every series (default <scenario>-<time>)')
    .option('--name <name>', 'TestRun name (default surge-<scenario>)')
    .option('--namespace <ns>', 'namespace of both objects')
    .option('--k6-image <image>', 'runner image', K6_IMAGE)
    .option('--separate', 'one runner per node (needs as many nodes as runners)')
    .action(async (o: K8sFlags) => {
      if (!o.target) throw new UsageError('surge k8s needs --target URL: the instance the cluster\'s runners load');
      const seed = o.seed ?? Math.floor(Date.now() / 1000) % 1_000_000;
      const waveJson = await waveJsonOf(o.wave);
      const plan = planRun(o.scenario, { ...o, seed, engine: 'node', target: o.target, out: [], tag: [], thresholds: true }, { builtins: builtinScenarios(), k6Path: undefined, waveJson });
      if (plan.target.kind !== 'url') throw new UsageError('surge k8s needs --target URL: the instance the cluster\'s runners load');
      if (plan.target.loopback) throw new UsageError(`--target ${plan.target.url.host} is loopback: inside a pod that is the pod itself; give the instance's address as the cluster sees it`);
      if (!builtinScenarios()[o.scenario]) throw new UsageError(`--scenario "${o.scenario}": use a built-in scenario (${Object.keys(builtinScenarios()).join(', ')})`);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').replace('T', '-').toLowerCase();
      try {
        const testid = checkName('--testid', o.testid ?? `${o.scenario}-${stamp}`);
        const script = await bundleFor(plan);
        const { configMap, testRun } = k8sManifests({
          name: o.name ?? `surge-${o.scenario}`,
          namespace: o.namespace,
          scenario: o.scenario,
          bundle: await readFile(script, 'utf8'),
          parallelism: o.parallelism,
          testid,
          prometheusUrl: o.prometheusUrl,
          env: plan.run.env,
          image: o.k6Image,
          separate: o.separate,
        });
        const out = resolve(o.out);
        await mkdir(out, { recursive: true });
        await writeFile(join(out, 'configmap.yaml'), toYaml(configMap));
        await writeFile(join(out, 'testrun.yaml'), toYaml(testRun));
        const note = { scenario: o.scenario, testid, parallelism: o.parallelism, target: plan.target.url.origin, wave: plan.run.env.WAVE ?? (waveJson ? JSON.parse(waveJson).name : undefined), compress: o.compress, scale: o.scale, seed, prometheusUrl: o.prometheusUrl };
        await writeFile(join(out, 'surge-k8s.json'), `${JSON.stringify(note, null, 2)}\n`);
        if (!o.prometheusUrl) process.stderr.write('no --prometheus-url: the runners write no series anywhere, so no report can be built from this run\n');
        process.stdout.write(`${join(out, 'configmap.yaml')}\n${join(out, 'testrun.yaml')}\n\napply: kubectl apply -f ${join(out, 'configmap.yaml')} -f ${join(out, 'testrun.yaml')}\n`);
      } catch (err) {
        throw err instanceof K8sError ? new UsageError(err.message) : err;
      }
    });
}
