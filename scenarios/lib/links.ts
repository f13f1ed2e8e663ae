// Small pure helpers for URLs, headers and mail bodies. k6's runtime has no
// URL or URLSearchParams globals, so query strings are built by hand.

export type Query = Record<string, string | number | boolean | undefined>;

/** `?a=1&b=x` from the defined entries, or '' when there are none. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A response header by name, whatever its case (k6 canonicalises names, other runners lowercase them). */
export function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const v = headers[key];
    return Array.isArray(v) ? v.join(', ') : v;
  }
  return undefined;
}

/** The decoded query parameters of a URL (last value wins). */
export function queryParams(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  const q = url.indexOf('?');
  if (q === -1) return out;
  const end = url.indexOf('#', q);
  const text = url.slice(q + 1, end === -1 ? undefined : end);
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    try {
      out[decodeURIComponent(key.replace(/\+/g, ' '))] = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      out[key] = value;
    }
  }
  return out;
}

export interface PageCursor {
  max_id?: string;
  min_id?: string;
  since_id?: string;
}

/** Mastodon's `Link: <…?max_id=1>; rel="next", <…?min_id=9>; rel="prev"`, as cursors. */
export function parseLinkHeader(value: string | undefined): { next?: PageCursor; prev?: PageCursor } {
  const out: { next?: PageCursor; prev?: PageCursor } = {};
  if (!value) return out;
  const re = /<([^>]*)>\s*((?:;\s*[^,;]+)*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    const rel = /;\s*rel="?([^";]+)"?/i.exec(m[2] ?? '')?.[1]?.toLowerCase();
    if (rel !== 'next' && rel !== 'prev') continue;
    const params = queryParams(m[1] ?? '');
    const cursor: PageCursor = {};
    if (params.max_id) cursor.max_id = params.max_id;
    if (params.min_id) cursor.min_id = params.min_id;
    if (params.since_id) cursor.since_id = params.since_id;
    out[rel] = cursor;
  }
  return out;
}

const CONFIRMATION_LINK = /https?:\/\/[^\s"'<>]+?\/auth\/confirmation\?(?:[^\s"'<>]*&)?confirmation_token=[A-Za-z0-9_-]+/;

function decodeEntities(html: string): string {
  return html.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&#47;/g, '/').replace(/&quot;/g, '"');
}

/** Devise's confirmation link from a mail's text part, or else its HTML part. */
export function extractConfirmationLink(text: string | undefined, html?: string): string | undefined {
  const fromText = text ? CONFIRMATION_LINK.exec(text) : null;
  if (fromText) return fromText[0];
  const fromHtml = html ? CONFIRMATION_LINK.exec(decodeEntities(html)) : null;
  return fromHtml ? fromHtml[0] : undefined;
}

/**
 * The link re-rooted on the base URL the load generator uses: mail links carry
 * the instance's public origin (LOCAL_DOMAIN over https), which a generator in
 * front of the web processes may not resolve or may reach by another route.
 */
export function rebaseUrl(link: string, baseUrl: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(link);
  const rest = m ? m[1] ?? '' : link;
  return `${baseUrl.replace(/\/+$/, '')}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

/**
 * Account created → mail received. The mail API's own receive time is used
 * when it is plausible (clamped between the signup answer and first sight), so
 * the figure is not rounded up to the poll interval; else the first sight.
 */
export function confirmationLatencyMs(accountCreatedAt: number, r: { seenAt: number; receivedAt: number | undefined }): number {
  const at = r.receivedAt !== undefined ? Math.min(Math.max(r.receivedAt, accountCreatedAt), r.seenAt) : r.seenAt;
  return Math.max(0, at - accountCreatedAt);
}
