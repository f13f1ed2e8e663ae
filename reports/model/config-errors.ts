// Config files an admin edits (SLO overrides, price sheet) fail with one line
// that names the file, the field and what to write instead, because the
// message ends up verbatim on `surge report`'s stderr. Same conventions as
// the wave files (scenarios/waves/load.ts): unknown keys first, with a hint.
import type { z } from 'zod';

export class ReportConfigError extends Error {
  override readonly name = 'ReportConfigError';
}

/** Parse with `schema` or throw a one-line ReportConfigError labelled with `source`. */
export function parseConfig<S extends z.ZodType>(schema: S, data: unknown, source: string): z.output<S> {
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ReportConfigError(`${source}: must be a mapping of fields (got ${Array.isArray(data) ? 'a list' : `a ${typeof data}`})`);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  // An unknown key usually explains the rest (a misspelt field is also "missing").
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const [first, ...rest] = issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new ReportConfigError(`${source}: ${describe(first!, schema, data)}${more}`.replace(/\s*\n\s*/g, ' '));
}

function describe(issue: z.core.$ZodIssue, schema: z.ZodType, data: unknown): string {
  const path = issue.path.map(String);
  const where = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(schema, path);
    return issue.keys
      .map((key) => {
        const full = where ? `${where}.${key}` : key;
        const hint = allowed ? suggestion(key, allowed) : '';
        return `unknown key '${full}'${hint}${allowed ? `; allowed here: ${allowed.join(', ')}` : '; remove it'}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_key') {
    // A record key failed its own schema: its message says what keys look like.
    const inner = issue.issues[0]?.message ?? 'is not an allowed key';
    return `key '${where}' is not allowed: ${inner}`;
  }
  const value = valueAt(data, path);
  const got = issue.message.includes('(got') || value === undefined ? '' : ` (got ${show(value)})`;
  return `${where || 'the file'} ${issue.message}${got}`;
}

// Loosely typed schema introspection: only the keys of nested strict objects
// are needed, to list what would have been accepted.
interface Inspectable {
  shape?: Record<string, unknown>;
  def?: { innerType?: unknown; in?: unknown; schema?: unknown };
}

function keysAt(schema: z.ZodType, path: string[]): string[] | undefined {
  const unwrap = (s: unknown): Inspectable | undefined => {
    let cur = s as Inspectable | undefined;
    while (cur && !cur.shape && (cur.def?.innerType || cur.def?.in || cur.def?.schema)) {
      cur = (cur.def.innerType ?? cur.def.in ?? cur.def.schema) as Inspectable;
    }
    return cur;
  };
  let cur = unwrap(schema);
  for (const key of path) cur = unwrap(cur?.shape?.[key]);
  return cur?.shape ? Object.keys(cur.shape) : undefined;
}

function suggestion(key: string, allowed: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = distance(key.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
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
