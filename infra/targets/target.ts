import { isIP } from 'node:net';

// Which instance a run may load. Load goes only to targets the user named and
// owns: loopback freely, anything else only with --i-own-this-instance, and
// the large public instances never. Decided from the URL's text alone, so a
// refusal (and a dry run) sends nothing, not even a DNS query.

export type Target =
  | { kind: 'standin' }
  | { kind: 'mastodon' }
  | { kind: 'auto' }
  | { kind: 'url'; url: URL; loopback: boolean };

export class TargetError extends Error {}

/** Flagship servers of the fediverse: rehearsing against them would be an attack on volunteers' infrastructure. */
export const PROTECTED_INSTANCES = [
  'mastodon.social', 'mastodon.online', 'mastodon.world', 'mas.to', 'mstdn.social', 'hachyderm.io',
  'fosstodon.org', 'infosec.exchange', 'techhub.social', 'universeodon.com', 'mastodon.cloud', 'mstdn.jp',
  'pawoo.net', 'mastodon.art', 'mastodon.lol', 'mastodonapp.uk', 'toot.community', 'troet.cafe',
  'chaos.social', 'mastodon.green', 'mstdn.party', 'social.vivaldi.net', 'mastodon.xyz', 'kolektiva.social',
  'sfba.social', 'journa.host', 'masto.ai', 'mastodon.scot', 'aus.social', 'mindly.social', 'indieweb.social',
  'threads.net', 'bsky.social', 'flipboard.com', 'mozilla.social', 'newsie.social', 'sigmoid.social',
];

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

function isProtected(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return PROTECTED_INSTANCES.some((p) => h === p || h.endsWith(`.${p}`));
}

export function parseTarget(raw: string, opts: { ownsInstance?: boolean } = {}): Target {
  const value = raw.trim();
  if (value === 'standin' || value === 'mastodon' || value === 'auto') return { kind: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TargetError(`--target "${raw}" is neither auto, standin, mastodon nor a URL: give e.g. --target http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetError(`--target ${url.protocol}// is not supported: use an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new TargetError('--target must not carry credentials in the URL: pass tokens with --admin-token instead');
  }
  if (isProtected(url.hostname)) {
    throw new TargetError(`--target ${url.hostname} is a large public instance; mastodon-surge never sends load to it, whatever the flags`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback && !opts.ownsInstance) {
    throw new TargetError(
      `--target ${url.host} is not on this machine: pass --i-own-this-instance if you run it and may load it (nothing was sent)`,
    );
  }
  return { kind: 'url', url, loopback };
}

/** The base URL as scenarios get it: no trailing slash, no query. */
export function baseUrlOf(t: Extract<Target, { kind: 'url' }>): string {
  return `${t.url.origin}${t.url.pathname.replace(/\/+$/, '')}`;
}
