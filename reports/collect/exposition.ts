// Prometheus text exposition format (0.0.4) to samples: what a scrape of an
// exporter returns, for checks and for the collector when no Prometheus runs.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

export class ExpositionError extends Error {}

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const v = Number(raw);
  if (Number.isNaN(v)) throw new ExpositionError(`line ${line}: "${raw}" is not a sample value`);
  return v;
}

function parseLabels(raw: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let pos = 0;
  while (pos < raw.length) {
    LABEL.lastIndex = pos;
    const m = LABEL.exec(raw);
    if (!m) throw new ExpositionError(`line ${line}: malformed labels {${raw}}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    pos = LABEL.lastIndex;
  }
  return labels;
}

/** Families keyed by name; histogram and summary series (_bucket, _sum, _count) stay under their family. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'TYPE') f.type = meta[3]!;
      else f.help = meta[3]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new ExpositionError(`line ${i + 1}: cannot parse "${line}"`);
    const name = m[1]!;
    const base = name.replace(/_(bucket|sum|count|total|created)$/, '');
    const owner = families.get(name) ?? (families.has(base) ? families.get(base)! : family(name));
    owner.samples.push({ name, labels: m[2] ? parseLabels(m[2], i + 1) : {}, value: parseValue(m[3]!, i + 1) });
  }
  return families;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}
