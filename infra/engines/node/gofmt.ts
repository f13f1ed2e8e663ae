// Small Go-compatibility helpers so error texts and number renderings match
// what k6 (a Go program) prints: strconv.Quote, strconv.ParseFloat/ParseInt
// syntax and messages, and fmt's %g.

/** strconv.Quote for the strings k6 quotes in messages (names, expressions). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export class GoNumError extends Error {}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * strconv.ParseFloat(s, 64) for decimal input and Inf/NaN.
 * Hexadecimal floats and underscores (only legal with a 0x prefix in Go) are
 * rejected as invalid syntax.
 */
export function parseGoFloat(s: string): number {
  const sp = SPECIAL_RE.exec(s);
  if (sp) {
    if (sp[2]!.toLowerCase() === 'nan') return Number.NaN;
    return sp[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(s)) throw new GoNumError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
  const v = Number(s);
  if (!Number.isFinite(v)) throw new GoNumError(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** strconv.ParseInt(s, 10, 64). Results beyond 2^53 lose precision, like any JS number. */
export function parseGoInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new GoNumError(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const b = BigInt(s);
  if (b > 9223372036854775807n || b < -9223372036854775808n) {
    throw new GoNumError(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(b);
}

/**
 * fmt's %g with no precision: shortest round-trip digits, exponent form when
 * exp < -4 || exp >= 6 (JS's String() waits until 1e21). k6 builds threshold
 * sink keys such as `p(99.9)` with %g, so the keys must match exactly.
 */
export function formatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // Fixed notation with exactly the shortest digits.
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp >= 0) {
    const intLen = exp + 1;
    out = digits.length <= intLen ? digits.padEnd(intLen, '0') : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  } else {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return (neg ? '-' : '') + out;
}
