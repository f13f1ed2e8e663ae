import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWave } from '../../scenarios/waves/builtin.js';
import { cumulativeSignups } from '../../scenarios/waves/curve.js';
import { loadWave, WaveError } from '../../scenarios/waves/load.js';

let dir: string;
const file = (name: string) => join(dir, name);

async function failure(nameOrPath: string): Promise<string> {
  const err = await loadWave(nameOrPath).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WaveError);
  const message = (err as WaveError).message;
  expect(message).not.toContain('\n');
  return message;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waves-'));
  const files: Record<string, string> = {
    'city.yaml': [
      'name: city-wave',
      'description: a regional instance gets a wave',
      'duration: 12h',
      'signups:',
      '  total: 5000',
      '  peakAt: 1h',
      '  decay: 4h',
      'diurnal:',
      '  amplitude: 0.2',
      'newcomers:',
      '  posts: 1',
      'retention: 0.6',
      'baseline:',
      '  users: 2000',
    ].join('\n'),
    'tiny.json': JSON.stringify({ duration: 600, signups: { total: 100 } }),
    'negative.yaml': 'name: neg\nduration: 1h\nsignups:\n  total: -5\n',
    'half.yaml': 'name: half\nduration: 1h\nsignups:\n  total: 0.5\n',
    'unknown.yaml': 'name: typo\nduration: 1h\nsignups:\n  totl: 5\n',
    'extra.json': JSON.stringify({ name: 'x', duration: 60, signups: { total: 1 }, colour: 'blue' }),
    'bad.yaml': 'name: x\nduration: [\nsignups: 5\n',
    'bad.json': '{"name": "x",',
    'list.yaml': '- 1\n- 2\n',
    'late.yaml': 'name: late\nduration: 1h\nsignups: {total: 10, peakAt: 2h}\n',
    'numeric-string.yaml': 'name: s\nduration: "3600"\nsignups: {total: 10}\n',
    'wave.txt': 'name: x',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(file(name), text);
  await writeFile(file('locked.yaml'), 'name: x');
  await chmod(file('locked.yaml'), 0o000);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadWave', () => {
  it('returns built-ins by name', async () => {
    expect(await loadWave('peak-hour')).toBe(getWave('peak-hour'));
  });

  it('loads a YAML wave with durations, defaults and a baseline', async () => {
    const w = await loadWave(file('city.yaml'));
    expect(w.name).toBe('city-wave');
    expect(w.duration).toBe(43_200);
    expect(w.signups).toMatchObject({ total: 5000, peakAt: 3600, decay: 14_400, riseExponent: 2 });
    expect(w.diurnal).toEqual({ amplitude: 0.2, phase: 54_000, period: 86_400 });
    expect(w.newcomers.posts).toBe(1);
    expect(w.newcomers.homeTimeline).toBe(8);
    expect(w.baseline?.users).toBe(2000);
    expect(w.baseline?.activity.streamingShare).toBe(0.02);
    expect(w.retentionHorizon).toBe(43_200);
    expect(cumulativeSignups(w, w.duration)).toBe(5000);
  });

  it('loads a JSON wave, naming it after the file and filling shape defaults from the duration', async () => {
    const w = await loadWave(file('tiny.json'));
    expect(w.name).toBe('tiny');
    expect(w.signups.peakAt).toBe(50);
    expect(w.signups.decay).toBe(200);
    expect(w.retention).toBe(0.56);
  });

  it('names the file, field and fix for a negative or fractional total', async () => {
    expect(await failure(file('negative.yaml'))).toBe(`wave file ${file('negative.yaml')}: signups.total must be a whole number of signups, 1 or more (got -5)`);
    expect(await failure(file('half.yaml'))).toBe(`wave file ${file('half.yaml')}: signups.total must be a whole number of signups, 1 or more (got 0.5)`);
  });

  it('rejects unknown keys, naming them and suggesting the right one', async () => {
    const m = await failure(file('unknown.yaml'));
    expect(m).toContain(`wave file ${file('unknown.yaml')}: unknown key 'signups.totl' (did you mean 'total'?)`);
    expect(m).toContain('allowed here: total, peakAt, decay, riseExponent');
    expect(await failure(file('extra.json'))).toMatch(/: unknown key 'colour'; allowed here: name, description, .*baseline/);
  });

  it('reports bad YAML and bad JSON on one line with the position', async () => {
    expect(await failure(file('bad.yaml'))).toMatch(/^wave file .*bad\.yaml: invalid YAML: .* at line 3, column 1$/);
    expect(await failure(file('bad.json'))).toMatch(/^wave file .*bad\.json: invalid JSON: .*position 13/);
  });

  it('reports missing and unreadable files', async () => {
    expect(await failure(file('nope.yaml'))).toBe(`wave file ${file('nope.yaml')}: cannot read it (no such file)`);
    // root can read anything; only check the message when the chmod took effect.
    if (process.getuid?.() !== 0) expect(await failure(file('locked.yaml'))).toMatch(/cannot read it \(permission denied\)$/);
  });

  it('rejects files that are not a wave mapping, late peaks and ambiguous durations', async () => {
    expect(await failure(file('list.yaml'))).toMatch(/must contain a mapping of wave fields .*\(got a list\)$/);
    expect(await failure(file('late.yaml'))).toMatch(/signups\.peakAt must not be later than duration \(got 7200 s > 3600 s\)$/);
    expect(await failure(file('numeric-string.yaml'))).toMatch(/duration must be a positive number of seconds or a duration like '24h' \(got '3600'\)$/);
  });

  it('rejects unknown names and unsupported extensions', async () => {
    expect(await failure('exodus')).toMatch(/^unknown wave 'exodus': valid names are exodus-day-one, /);
    expect(await failure(file('wave.txt'))).toMatch(/unsupported extension '\.txt'; use \.json, \.yaml or \.yml$/);
  });
});
