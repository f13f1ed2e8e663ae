// Rails-style request parameters: query string and body (form or JSON) merged,
// with `a[]=x&a[]=y` arrays and `a[b]=c` hashes, as Mastodon's controllers see
// them. Clients such as Mastodon.py send forms; masto.js sends JSON.

export type Params = Record<string, unknown>;

export function parseFormEncoded(body: string): Params {
  const pairs: [string, string][] = [];
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawVal = eq === -1 ? '' : pair.slice(eq + 1);
    pairs.push([decode(rawKey), decode(rawVal)]);
  }
  return fromPairs(pairs);
}

/** Builds Rails params from decoded key/value pairs (form fields, multipart parts). */
export function fromPairs(pairs: Iterable<[string, string]>): Params {
  const out: Params = {};
  for (const [k, v] of pairs) assign(out, k, v);
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function assign(out: Params, key: string, value: string): void {
  const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
  if (!m) {
    setOwn(out, key, value);
    return;
  }
  const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
  let node: Record<string, unknown> = out;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const last = i === path.length - 1;
    const nextIsArray = path[i + 1] === '';
    if (part === '') {
      // `key[]` appends; deeper nesting under [] is not used by Mastodon's API.
      return;
    }
    if (last) {
      setOwn(node, part, value);
    } else if (nextIsArray && i + 1 === path.length - 1) {
      const cur = own(node, part);
      const arr = Array.isArray(cur) ? (cur as unknown[]) : [];
      arr.push(value);
      setOwn(node, part, arr);
      return;
    } else {
      const child = own(node, part);
      if (typeof child !== 'object' || child === null || Array.isArray(child)) setOwn(node, part, {});
      node = own(node, part) as Record<string, unknown>;
    }
  }
}

// Own properties only: `__proto__[x]=y` must name a parameter, as it does in
// Rack, not reach Object.prototype through the inherited accessor.
function own(node: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function setOwn(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A scalar parameter as a string; arrays and objects count as absent, as Rails' permit drops them. */
export function str(p: Params, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Rails' boolean casting: "1", "true", "on", "t" … are true; absent is undefined. */
export function bool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return !['0', 'f', 'false', 'off', 'F', 'FALSE', 'OFF'].includes(v);
  return undefined;
}

export function list(p: Params, key: string): string[] {
  const v = p[key] ?? p[`${key}[]`];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return [v];
  return [];
}

/**
 * Paging limit as Mastodon's limit_param computes it: the default when absent,
 * else [limit.to_i.abs, max].min, so "-5" means 5 and "abc" or "0" an empty page.
 */
export function limit(p: Params, fallback: number, max: number): number {
  const raw = str(p, 'limit');
  if (raw === undefined) return fallback;
  const n = Number.parseInt(raw.trim(), 10);
  return Math.min(Number.isFinite(n) ? Math.abs(n) : 0, max);
}
