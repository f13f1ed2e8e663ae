import type { MailAddress, StoredMessage } from './mailsink-message.js';

// A subset of Mailpit's search syntax, with its semantics: terms are ANDed,
// matching is case-insensitive substring, "quoted phrases" stay one term, and
// a leading - or ! negates. Supported prefixes: to: from: cc: bcc: reply-to:
// subject: message-id: is:read is:unread has:attachment; other words search
// subject, addresses and text.

export type Predicate = (m: StoredMessage) => boolean;

/** Splits on whitespace outside double quotes and drops the quotes, like Mailpit's ArgsParser. */
export function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of query) {
    if (ch === '"') quoted = !quoted;
    else if (/\s/.test(ch) && !quoted) {
      if (current) tokens.push(current);
      current = '';
    } else current += ch;
  }
  if (current) tokens.push(current);
  return tokens;
}

function addressText(list: MailAddress[]): string {
  return list.map((a) => `${a.Name} <${a.Address}>`).join(', ').toLowerCase();
}

function has(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

const FIELDS: Record<string, (m: StoredMessage) => string> = {
  'to:': (m) => addressText(m.To),
  'from:': (m) => addressText([m.From]),
  'cc:': (m) => addressText(m.Cc),
  'bcc:': (m) => addressText(m.Bcc),
  'reply-to:': (m) => addressText(m.ReplyTo),
  'subject:': (m) => m.Subject,
  'message-id:': (m) => m.MessageID,
};

const FLAGS: Record<string, Predicate> = {
  'is:read': (m) => m.Read,
  'is:unread': (m) => !m.Read,
  'has:attachment': (m) => m.Attachments.length > 0,
  'has:attachments': (m) => m.Attachments.length > 0,
};

function everywhere(m: StoredMessage): string {
  return [m.Subject, addressText([m.From]), addressText(m.To), addressText(m.Cc), addressText(m.Bcc), m.Text].join('\n');
}

function termPredicate(term: string): Predicate | undefined {
  const lower = term.toLowerCase();
  const flag = FLAGS[lower];
  if (flag) return flag;
  for (const [prefix, field] of Object.entries(FIELDS)) {
    if (lower.startsWith(prefix)) {
      const value = term.slice(prefix.length);
      return value ? (m) => has(field(m), value) : undefined;
    }
  }
  return (m) => has(everywhere(m), term);
}

export function compileQuery(query: string): Predicate {
  const predicates: Predicate[] = [];
  for (let token of tokenize(query)) {
    const negate = token.length > 1 && (token.startsWith('-') || token.startsWith('!'));
    if (negate) token = token.slice(1);
    const predicate = termPredicate(token);
    if (predicate) predicates.push(negate ? (m) => !predicate(m) : predicate);
  }
  return (m) => predicates.every((p) => p(m));
}
