import type { AddressObject, ParsedMail } from 'mailparser';

// Field names follow Mailpit's JSON (PascalCase) so scenario code can switch
// between this sink and a real Mailpit without changes.

export interface MailAddress {
  Name: string;
  Address: string;
}

export interface MailAttachment {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
}

export interface StoredMessage {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: MailAddress;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  ReturnPath: string;
  Subject: string;
  Date: string;
  Created: string;
  Text: string;
  HTML: string;
  Size: number;
  Inline: MailAttachment[];
  Attachments: MailAttachment[];
  Snippet: string;
}

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  // Group syntax ("team: a@x, b@x;") nests members; flatten them like Mailpit does.
  return objects
    .flatMap((o) => o.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((a) => ({ Name: a.name ?? '', Address: a.address ?? '' }));
}

const SNIPPET_LENGTH = 250;

export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}...` : flat;
}

/**
 * Converts a parsed mail into the stored shape. SMTP recipients that appear in
 * no header are reported as Bcc, which is how they were delivered.
 */
export function toStoredMessage(
  parsed: ParsedMail,
  meta: { id: string; size: number; envelope: Envelope; received: Date },
): StoredMessage {
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const headerBcc = addresses(parsed.bcc);
  const seen = new Set([...to, ...cc, ...headerBcc].map((a) => a.Address.toLowerCase()));
  const envelopeBcc = meta.envelope.rcptTo
    .filter((r) => !seen.has(r.toLowerCase()))
    .map((r) => ({ Name: '', Address: r }));
  const files = parsed.attachments.map((a, i) => ({
    attachment: {
      PartID: String(i + 1),
      FileName: a.filename ?? '',
      ContentType: a.contentType,
      ContentID: (a.contentId ?? '').replace(/^<|>$/g, ''),
      Size: a.size,
    },
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
  }));
  const text = parsed.text ?? '';
  return {
    ID: meta.id,
    MessageID: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
    Read: false,
    From: addresses(parsed.from)[0] ?? { Name: '', Address: meta.envelope.mailFrom },
    To: to,
    Cc: cc,
    Bcc: [...headerBcc, ...envelopeBcc],
    ReplyTo: addresses(parsed.replyTo),
    ReturnPath: meta.envelope.mailFrom,
    Subject: parsed.subject ?? '',
    Date: (parsed.date ?? meta.received).toISOString(),
    Created: meta.received.toISOString(),
    Text: text,
    HTML: parsed.html || '',
    Size: meta.size,
    Inline: files.filter((f) => f.inline).map((f) => f.attachment),
    Attachments: files.filter((f) => !f.inline).map((f) => f.attachment),
    Snippet: snippet(text),
  };
}

export function toSummary(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    Read: m.Read,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    Subject: m.Subject,
    Created: m.Created,
    Tags: [] as string[],
    Size: m.Size,
    Attachments: m.Attachments.length,
    Snippet: m.Snippet,
  };
}

export function toDetail(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    ReturnPath: m.ReturnPath,
    Subject: m.Subject,
    Date: m.Date,
    Tags: [] as string[],
    Text: m.Text,
    HTML: m.HTML,
    Size: m.Size,
    Inline: m.Inline,
    Attachments: m.Attachments,
  };
}
