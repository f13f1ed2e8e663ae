// The only module that touches the file system: turns a built-in name or a
// .json/.yaml/.yml path into a validated Wave. Every failure is a WaveError
// whose message is one line naming the file, the field and what to write
// instead, because it ends up verbatim on a CLI's stderr.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { getWave, isBuiltinWave } from './builtin.js';
import { WaveError } from './errors.js';
import { waveObjectSchema, waveSchema, type Wave } from './model.js';

export { WaveError };

const EXTENSIONS = ['.json', '.yaml', '.yml'];

/** A built-in wave name, or a path to a .json/.yaml/.yml wave file. */
export async function loadWave(nameOrPath: string): Promise<Wave> {
  if (isBuiltinWave(nameOrPath)) return getWave(nameOrPath);
  const ext = extname(nameOrPath).toLowerCase();
  if (!EXTENSIONS.includes(ext)) {
    // A bare word is a mistyped built-in name; anything path-like is a file with the wrong extension.
    if (!/[\\/.]/.test(nameOrPath)) getWave(nameOrPath);
    throw new WaveError(`wave file ${nameOrPath}: unsupported extension '${ext || '(none)'}'; use .json, .yaml or .yml`);
  }
  const text = await read(nameOrPath);
  const data = ext === '.json' ? parseJson(nameOrPath, text) : parseYaml(nameOrPath, text);
  return validate(nameOrPath, data);
}

/** Validate already-parsed data; `file` only labels the messages. */
export function parseWave(file: string, data: unknown): Wave {
  return validate(file, data);
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : firstLine(err);
    throw new WaveError(`wave file ${file}: cannot read it (${why})`);
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WaveError(`wave file ${file}: invalid JSON: ${firstLine(err)}`);
  }
}

function parseYaml(file: string, text: string): unknown {
  const doc = parseDocument(text);
  const err = doc.errors[0];
  // yaml's message already says "at line L, column C:" followed by a multi-line excerpt.
  if (err) throw new WaveError(`wave file ${file}: invalid YAML: ${firstLine(err).replace(/:$/, '')}`);
  return doc.toJS();
}

function validate(file: string, data: unknown): Wave {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new WaveError(`wave file ${file}: must contain a mapping of wave fields such as name, duration and signups (got ${kind(data)})`);
  }
  // A file without a name is named after itself, made safe for k6 scenario names.
  const withName = 'name' in data ? data : { name: basename(file, extname(file)).replace(/[^0-9a-zA-Z_-]+/g, '-'), ...data };
  const result = waveSchema.safeParse(withName);
  if (result.success) return result.data;
  // An unknown key usually explains the other issues (a misspelt required
  // field is also "missing"), so it is the one worth the single line.
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const [first, ...rest] = issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new WaveError(`wave file ${file}: ${describeIssue(first!, withName)}${more}`);
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path.map(String);
  const where = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(path);
    return issue.keys
      .map((key) => {
        const full = where ? `${where}.${key}` : key;
        const hint = allowed ? suggestion(key, allowed) : '';
        return `unknown key '${full}'${hint}${allowed ? `; allowed here: ${allowed.join(', ')}` : '; remove it'}`;
      })
      .join('; ');
  }
  const value = valueAt(data, path);
  const got = issue.message.includes('(got') || value === undefined ? '' : ` (got ${show(value)})`;
  return `${where || 'the wave'} ${issue.message}${got}`;
}

// Schema introspection, loosely typed: only the keys of nested strict objects
// are needed, to tell the user which keys would have been accepted.
interface Inspectable {
  shape?: Record<string, unknown>;
  def?: { innerType?: unknown; in?: unknown };
}

function keysAt(path: string[]): string[] | undefined {
  const unwrap = (s: unknown): Inspectable | undefined => {
    let cur = s as Inspectable | undefined;
    while (cur && !cur.shape && (cur.def?.innerType || cur.def?.in)) cur = (cur.def.innerType ?? cur.def.in) as Inspectable;
    return cur;
  };
  let schema = unwrap(waveObjectSchema);
  for (const key of path) schema = unwrap(schema?.shape?.[key]);
  return schema?.shape ? Object.keys(schema.shape) : undefined;
}

function suggestion(key: string, allowed: string[]): string {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = a.toLowerCase() === lower ? 0 : distance(lower, a.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function valueAt(data: unknown, path: string[]): unknown {
  let cur = data;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kind(value: unknown): string {
  if (value === null) return 'an empty document';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}
