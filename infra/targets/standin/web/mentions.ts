// Account::MENTION_RE in JavaScript's terms: `@name` or `@name@domain`, not
// preceded by a word character, `=` or `/` (so e-mail addresses and URLs are not mentions).
const WORD = '[\\p{L}\\p{N}_]+(?:[.-]+[\\p{L}\\p{N}_]+)*';
export const MENTION = new RegExp(`(?<![=/\\p{L}\\p{N}_])@(${WORD})(?:@(${WORD}))?`, 'gu');

/** Lower-cased usernames of the local accounts a text mentions (no domain, or this instance's). */
export function localMentions(text: string, localDomain: string): string[] {
  const host = localDomain.replace(/:\d+$/, '').toLowerCase();
  const names = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    if (m[2] === undefined || m[2].toLowerCase() === host) names.add(m[1]!.toLowerCase());
  }
  return [...names];
}
