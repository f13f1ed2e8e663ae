// A minimal well-formedness checker for the SVG the charts emit. No DOM or
// XML library is installed, and the subset the charts use is small: elements,
// quoted attributes, text with the five entities and numeric references.

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ATTR = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'y');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

function checkText(s: string, where: number, errors: string[]): void {
  for (let i = s.indexOf('&'); i !== -1; i = s.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(s)) errors.push(`bare & at ${where + i}`);
  }
}

/** Problems found; an empty list means well-formed with a single root element. */
export function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let pos = 0;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt === -1 ? xml.length : lt;
    const textPart = xml.slice(pos, textEnd);
    if (textPart.trim() && stack.length === 0) errors.push(`text outside the root at ${pos}`);
    checkText(textPart, pos, errors);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) return [...errors, 'unterminated comment'];
      pos = end + 3;
      continue;
    }
    if (xml.startsWith('</', lt)) {
      const m = new RegExp(`</(${NAME})\\s*>`, 'y');
      m.lastIndex = lt;
      const r = m.exec(xml);
      if (!r) return [...errors, `malformed end tag at ${lt}`];
      const open = stack.pop();
      if (open !== r[1]) errors.push(`</${r[1]}> closes <${open ?? 'nothing'}> at ${lt}`);
      pos = m.lastIndex;
      continue;
    }
    const start = new RegExp(`<(${NAME})`, 'y');
    start.lastIndex = lt;
    const s = start.exec(xml);
    if (!s) return [...errors, `malformed tag at ${lt}`];
    let p = start.lastIndex;
    const seen = new Set<string>();
    for (;;) {
      ATTR.lastIndex = p;
      const a = ATTR.exec(xml);
      if (!a) break;
      if (seen.has(a[1]!)) errors.push(`duplicate attribute ${a[1]} at ${p}`);
      seen.add(a[1]!);
      checkText(a[2] ?? a[3] ?? '', p, errors);
      p = ATTR.lastIndex;
    }
    const close = /\s*(\/?)>/y;
    close.lastIndex = p;
    const c = close.exec(xml);
    if (!c) return [...errors, `malformed attributes in <${s[1]}> at ${p}`];
    if (stack.length === 0) roots++;
    if (!c[1]) stack.push(s[1]!);
    pos = close.lastIndex;
  }
  if (stack.length) errors.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return errors;
}

/** Elements by name with their raw attribute strings, for assertions on structure. */
export function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(\\s[^>]*)?/?>`, 'g'))].map((m) => m[1] ?? '');
}

export function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
}
