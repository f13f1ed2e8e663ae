// Stack traces in the scenario's own line numbers. The bundle is compiled
// from esbuild's CommonJS transform, whose lines differ from the file on disk;
// the transform's source map is decoded once and frames that point into a
// loaded bundle are rewritten (runner-internal frames are dropped).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Per generated line: sorted [generatedColumn, originalLine, originalColumn] (0-based). */
type LineMap = [number, number, number][];

export function decodeMappings(mappings: string): LineMap[] {
  const lines: LineMap[] = [];
  let srcLine = 0;
  let srcCol = 0;
  let srcIdx = 0;
  for (const lineStr of mappings.split(';')) {
    const line: LineMap = [];
    let genCol = 0;
    if (lineStr !== '') {
      for (const seg of lineStr.split(',')) {
        const vals: number[] = [];
        let value = 0;
        let shift = 0;
        for (const ch of seg) {
          const d = B64_INDEX.get(ch);
          if (d === undefined) break;
          value += (d & 31) << shift;
          if (d & 32) shift += 5;
          else {
            vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        genCol += vals[0] ?? 0;
        if (vals.length >= 4) {
          srcIdx += vals[1]!;
          srcLine += vals[2]!;
          srcCol += vals[3]!;
          line.push([genCol, srcLine, srcCol]);
        }
      }
    }
    void srcIdx;
    lines.push(line);
  }
  return lines;
}

const maps = new Map<string, LineMap[]>();

/** Register the inline source map of compiled code for `filename`. */
export function registerSourceMap(filename: string, code: string): void {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m) return;
  try {
    const map = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { mappings: string };
    maps.set(filename, decodeMappings(map.mappings));
  } catch {
    // no mapping then
  }
}

/** 1-based generated position → 1-based original position. */
export function mapPosition(filename: string, line: number, col: number): { line: number; col: number } | undefined {
  const lines = maps.get(filename);
  const segs = lines?.[line - 1];
  if (!segs || segs.length === 0) return undefined;
  let best = segs[0]!;
  for (const s of segs) {
    if (s[0] <= col - 1) best = s;
    else break;
  }
  return { line: best[1] + 1, col: best[2] + 1 };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrite a stack: script frames mapped to original lines, runner frames dropped. */
export function mapStack(stack: string): string {
  if (maps.size === 0) return stack;
  const files = [...maps.keys()];
  const re = new RegExp(`(${files.map(escapeRe).join('|')}):(\\d+):(\\d+)`, 'g');
  const lines = stack.split('\n');
  const out: string[] = [];
  let sawFrame = false;
  let sawScriptFrame = false;
  for (const l of lines) {
    const isFrame = /^\s+at /.test(l);
    if (!isFrame) {
      out.push(l);
      continue;
    }
    sawFrame = true;
    let mapped = false;
    const replaced = l.replace(re, (all, file: string, ln: string, col: string) => {
      mapped = true;
      const p = mapPosition(file, Number(ln), Number(col));
      return p ? `${file}:${p.line}:${p.col}` : all;
    });
    if (mapped) {
      sawScriptFrame = true;
      out.push(replaced);
    }
  }
  if (sawFrame && !sawScriptFrame) return stack; // nothing of the script: keep everything
  return out.join('\n');
}
