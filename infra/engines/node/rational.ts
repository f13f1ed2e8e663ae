// Exact rationals on BigInt, standing in for Go's math/big.Rat. Execution
// segments must never lose a VU or an iteration to float rounding, so every
// segment boundary and length is kept as a reduced fraction.

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Rat {
  /** Always reduced; `den` is always positive. */
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint | number, den: bigint | number = 1n) {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n, d) || 1n;
    this.num = n / g;
    this.den = d / g;
  }

  static readonly ZERO = new Rat(0n);
  static readonly ONE = new Rat(1n);

  add(o: Rat): Rat {
    return new Rat(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rat): Rat {
    return new Rat(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rat): Rat {
    return new Rat(this.num * o.num, this.den * o.den);
  }
  inv(): Rat {
    return new Rat(this.den, this.num);
  }
  cmp(o: Rat): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  eq(o: Rat): boolean {
    return this.num === o.num && this.den === o.den;
  }
  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  /** Like big.Rat.RatString: "a" when integral, "a/b" otherwise. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }

  /** Nearest float64; exact for the small fractions segments use. */
  toNumber(): number {
    if (this.num <= BigInt(Number.MAX_SAFE_INTEGER) && this.den <= BigInt(Number.MAX_SAFE_INTEGER)) {
      return Number(this.num) / Number(this.den); // both exact, one correctly-rounded division
    }
    const scale = 10n ** 20n;
    return Number((this.num * scale) / this.den) / 1e20;
  }

  /** Like big.Rat.FloatString: `prec` decimals, halves rounded away from zero. */
  toFixed(prec: number): string {
    const neg = this.num < 0n;
    const abs = neg ? -this.num : this.num;
    const p = 10n ** BigInt(prec);
    let q = (abs * p) / this.den;
    const r = (abs * p) % this.den;
    if (r * 2n >= this.den) q += 1n;
    let s = q.toString().padStart(prec + 1, '0');
    if (prec > 0) s = `${s.slice(0, -prec)}.${s.slice(-prec)}`;
    return (neg && q !== 0n ? '-' : '') + s;
  }
}

/** Round-half-up to an integer, as k6's roundUp helper (used by Scale). */
export function roundHalfUp(r: Rat): bigint {
  const q = r.num / r.den; // truncating, like big.Int.QuoRem
  const rem = r.num % r.den;
  return rem * 2n >= r.den ? q + 1n : q;
}

// Base-0 integer syntax of big.Int.SetString(s, 0): optional sign, then
// 0x/0o/0b prefixes or a leading 0 for octal. Underscores are not accepted
// (Go only allows them together with a prefix; nobody writes those here).
function parseIntBase0(s: string, allowSign: boolean): bigint | undefined {
  let sign = 1n;
  if (allowSign && (s[0] === '+' || s[0] === '-')) {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(s))) return sign * BigInt(`0x${m[1]}`);
  if ((m = /^0[oO]([0-7]+)$/.exec(s))) return sign * BigInt(`0o${m[1]}`);
  if ((m = /^0[bB]([01]+)$/.exec(s))) return sign * BigInt(`0b${m[1]}`);
  if ((m = /^0([0-7]+)$/.exec(s))) return sign * BigInt(`0o${m[1]}`);
  if (/^[0-9]+$/.test(s)) return sign * BigInt(s);
  return undefined;
}

/**
 * big.Rat.SetString: "a/b" or a decimal float with optional exponent.
 * Returns undefined where Go would report !ok.
 */
export function parseRat(s: string): Rat | undefined {
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const n = parseIntBase0(s.slice(0, slash), true);
    const d = parseIntBase0(s.slice(slash + 1), false);
    if (n === undefined || d === undefined || d === 0n) return undefined;
    return new Rat(n, d);
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return undefined;
  const [, sign = '', int = '', frac = '', exp] = m;
  if (int === '' && frac === '') return undefined;
  const e = exp === undefined ? 0 : Number(exp);
  if (!Number.isSafeInteger(e) || Math.abs(e) > 10_000) return undefined; // refuse absurd exponents
  let num = BigInt(int + frac || '0');
  let den = 10n ** BigInt(frac.length);
  if (e > 0) num *= 10n ** BigInt(e);
  else if (e < 0) den *= 10n ** BigInt(-e);
  if (sign === '-') num = -num;
  return new Rat(num, den);
}
