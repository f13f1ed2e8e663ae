// Tiny SVG string builders. Every attribute value and text node goes through
// escapeXml, so names from scenarios or metrics can never inject markup.

export type AttrValue = string | number | undefined | null | false;

// XML 1.0 forbids most C0 control characters even when escaped; drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Path coordinates rounded to 0.1 px: smaller output, and identical strings for identical input. */
export function n(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
}

/** Attribute numbers keep two decimals so opacities like 0.15 survive. */
function a2(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** Attributes in the given order; undefined, null and false leave the attribute out. */
export function attrs(a: Record<string, AttrValue>): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${escapeXml(typeof v === 'number' ? a2(v) : v)}"`;
  }
  return out;
}

/** An element; `children` is trusted markup (already built with these helpers). */
export function el(name: string, a: Record<string, AttrValue>, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

/** A text element with escaped content. */
export function text(x: number, y: number, content: string, a: Record<string, AttrValue> = {}): string {
  return el('text', { x, y, ...a }, escapeXml(content));
}

/**
 * Rough width of a label in px. There is no font metrics library here, so
 * this overestimates (0.6 em per character) to keep labels from colliding.
 */
export function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.6;
}

/** Cuts a label to `maxWidth` px with an ellipsis. */
export function truncate(s: string, maxWidth: number, fontSize: number): string {
  const chars = [...s];
  const fit = Math.floor(maxWidth / (fontSize * 0.6));
  if (chars.length <= fit) return s;
  return chars.slice(0, Math.max(1, fit - 1)).join('') + '…';
}

/** FNV-1a, base 36: ids derived from content keep output deterministic yet distinct per chart on a page. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * Halo behind labels drawn over data so they stay legible. The colour comes
 * from the page (`--chart-bg`, set for dark mode) and falls back to white for
 * a standalone SVG.
 */
export const HALO = 'paint-order:stroke;stroke:var(--chart-bg,#fff);stroke-width:3px;stroke-linejoin:round';

/**
 * An id for a chart: the caller's, made safe, or a hash of its options so the
 * same input yields the same id while different charts on one page differ
 * (clip paths and ARIA references are looked up page-wide).
 */
export function chartId(options: unknown, given?: string): string {
  if (given) return given.replace(/[^A-Za-z0-9_-]/g, '_');
  const json = JSON.stringify(options, (_k, v: unknown) => (typeof v === 'function' ? String(v) : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return `chart-${hash(json ?? '')}`;
}

export interface DocumentParts {
  id: string;
  width: number;
  height: number;
  title: string;
  desc: string;
  body: string;
  className: string;
}

/** The root <svg> with <title>/<desc> and ARIA attributes so screen readers announce it as one image. */
export function svgDocument(p: DocumentParts): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      id: p.id,
      class: p.className,
      width: p.width,
      height: p.height,
      viewBox: `0 0 ${n(p.width)} ${n(p.height)}`,
      role: 'img',
      'aria-label': p.title,
      'aria-labelledby': `${p.id}-title`,
      'aria-describedby': `${p.id}-desc`,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      'font-size': 12,
      fill: 'currentColor',
    },
    el('title', { id: `${p.id}-title` }, escapeXml(p.title)) + el('desc', { id: `${p.id}-desc` }, escapeXml(p.desc)) + p.body,
  );
}
