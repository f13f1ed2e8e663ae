import { describe, expect, it } from 'vitest';
import {
  assembleStatus,
  decodePieces,
  encodePieces,
  escapeHtml,
  formatContent,
  renderAccount,
  renderStatus,
  statusPieces,
  type AccountRow,
  type StatusPieces,
  type StatusRow,
} from '../../../infra/targets/standin/web/render.js';

// Mastodon's REST entities as a client sees them: plain-text posts become
// escaped HTML paragraphs with links; ids are strings; counts are numbers.

const BASE = 'https://standin.test';

/** The links in a piece of HTML: [href, visible text]. */
function anchors(html: string): [string, string][] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/g)].map((m) => [
    m[1]!.replace(/&amp;/g, '&'),
    m[2]!.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&'),
  ]);
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});

describe('formatContent', () => {
  it('escapes HTML a user typed, so it shows as text', () => {
    const html = formatContent('<script>alert("x")</script> & <b>bold</b>');
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>');
  });

  it('makes paragraphs from blank lines and <br /> from single newlines', () => {
    expect(formatContent('Hello\nworld\n\nBye')).toBe('<p>Hello<br />world</p><p>Bye</p>');
    expect(formatContent('one')).toBe('<p>one</p>');
  });

  it('links http and https URLs', () => {
    const html = formatContent('docs at https://docs.joinmastodon.org/api/ and http://example.org/x?y=1&z=2 now');
    expect(anchors(html)).toEqual([
      ['https://docs.joinmastodon.org/api/', 'https://docs.joinmastodon.org/api/'],
      ['http://example.org/x?y=1&z=2', 'http://example.org/x?y=1&z=2'],
    ]);
    expect(html).toMatch(/^<p>docs at <a /);
    expect(html).toMatch(/<\/a> now<\/p>$/);
    expect(html).toMatch(/target="_blank"/);
    expect(html).toMatch(/rel="[^"]*nofollow[^"]*noopener/);
  });

  it('leaves sentence punctuation after a URL outside the link', () => {
    expect(anchors(formatContent('Read https://joinmastodon.org.'))).toEqual([['https://joinmastodon.org', 'https://joinmastodon.org']]);
    expect(anchors(formatContent('See https://example.org/a, then https://example.org/b!'))).toEqual([
      ['https://example.org/a', 'https://example.org/a'],
      ['https://example.org/b', 'https://example.org/b'],
    ]);
    expect(formatContent('Read https://joinmastodon.org.')).toMatch(/<\/a>\.<\/p>$/);
  });

  it('does not swallow quotes, brackets or parentheses around a URL', () => {
    expect(anchors(formatContent('"https://example.org/q"'))[0]![0]).toBe('https://example.org/q');
    expect(anchors(formatContent('<https://example.org/a>'))[0]![0]).toBe('https://example.org/a');
    expect(anchors(formatContent('(see https://example.org/p)'))[0]![0]).toBe('https://example.org/p');
    expect(anchors(formatContent('https://en.wikipedia.org/wiki/Mastodon_(software)'))[0]![0]).toBe(
      'https://en.wikipedia.org/wiki/Mastodon_(software)',
    );
  });

  it('does not link other schemes or bare words', () => {
    expect(anchors(formatContent('javascript:alert(1) ftp://x.org example.org'))).toEqual([]);
  });
});

const alice: AccountRow = {
  id: '109348923455730001',
  username: 'alice',
  domain: null,
  display_name: 'Alice',
  note: 'Hi <3\nhttps://alice.example',
  locked: false,
  bot: false,
  discoverable: true,
  created_at: new Date('2026-11-27T15:42:10.123Z'),
  statuses_count: '12',
  following_count: '3',
  followers_count: '1000',
  last_status_at: new Date('2026-11-28T09:00:00Z'),
};

const bob: AccountRow = { ...alice, id: '2', username: 'bob', domain: 'remote.example', note: '', last_status_at: null, statuses_count: null };

describe('renderAccount', () => {
  it('renders a local account as Mastodon does', () => {
    const a = renderAccount(alice, BASE);
    expect(a).toMatchObject({
      id: '109348923455730001',
      username: 'alice',
      acct: 'alice',
      display_name: 'Alice',
      created_at: '2026-11-27T00:00:00.000Z',
      url: `${BASE}/@alice`,
      uri: `${BASE}/users/alice`,
      statuses_count: 12,
      following_count: 3,
      followers_count: 1000,
      last_status_at: '2026-11-28',
      emojis: [],
      fields: [],
    });
    expect(a.note).toMatch(/^<p>Hi &lt;3<br \/><a [^>]+>.*<\/a><\/p>$/);
    expect(anchors(a.note as string)).toEqual([['https://alice.example', 'https://alice.example']]);
  });

  it('gives a remote account user@domain, an empty note and zero counts when unknown', () => {
    const b = renderAccount(bob, BASE);
    expect(b.acct).toBe('bob@remote.example');
    expect(b.note).toBe('');
    expect(b.statuses_count).toBe(0);
    expect(b.last_status_at).toBeNull();
  });
});

const aliceStatus: StatusRow = {
  id: '117685413762170883',
  account_id: alice.id,
  text: 'first <post>',
  spoiler_text: '',
  sensitive: false,
  visibility: 2,
  language: 'en',
  in_reply_to_id: null,
  in_reply_to_account_id: null,
  reblog_of_id: null,
  created_at: new Date('2026-11-27T15:42:10.123Z'),
  replies_count: '1',
  reblogs_count: null,
  favourites_count: '4',
  favourited: true,
};

describe('renderStatus', () => {
  const status = aliceStatus;
  const accounts = new Map([[alice.id, alice]]);

  it('renders the post with string id, escaped content and its author', () => {
    const s = renderStatus(status, accounts, BASE, null);
    expect(s).toMatchObject({
      id: '117685413762170883',
      created_at: '2026-11-27T15:42:10.123Z',
      visibility: 'private',
      content: '<p>first &lt;post&gt;</p>',
      uri: `${BASE}/users/alice/statuses/117685413762170883`,
      url: `${BASE}/@alice/117685413762170883`,
      replies_count: 1,
      reblogs_count: 0,
      favourites_count: 4,
      reblog: null,
    });
    expect((s.account as Record<string, unknown>).acct).toBe('alice');
  });

  it('maps Mastodon’s visibility numbers', () => {
    const v = (n: number) => renderStatus({ ...status, visibility: n }, accounts, BASE, null).visibility;
    expect([0, 1, 2, 3].map(v)).toEqual(['public', 'unlisted', 'private', 'direct']);
  });

  it('includes viewer-specific fields only when someone is viewing', () => {
    const anonymous = renderStatus(status, accounts, BASE, null);
    expect(anonymous).not.toHaveProperty('favourited');
    expect(anonymous).not.toHaveProperty('bookmarked');
    const viewed = renderStatus(status, accounts, BASE, null, '99');
    expect(viewed).toMatchObject({ favourited: true, reblogged: false, muted: false, bookmarked: false });
    expect(viewed).not.toHaveProperty('pinned');
    expect(renderStatus(status, accounts, BASE, null, alice.id)).toMatchObject({ pinned: false });
  });

  it('gives a reblog empty content and nests the original', () => {
    const original = renderStatus(status, accounts, BASE, null);
    const wrapper = renderStatus({ ...status, id: '117685413762170999', reblog_of_id: status.id, text: '' }, accounts, BASE, original);
    expect(wrapper.content).toBe('');
    expect((wrapper.reblog as Record<string, unknown>).id).toBe('117685413762170883');
  });
});

describe('statuses rendered once for every viewer (the cached form)', () => {
  const status: StatusRow = {
    ...aliceStatus,
    text: 'quotes " and \\ backslashes,\nnew lines and ünïcödé 🐘',
    visibility: 0,
    reblogs_count: '1',
    replies_count: '2',
    version: '1795794130123000',
  };
  const account = JSON.stringify(renderAccount(alice, BASE));
  const pieces = statusPieces(status, alice.username, BASE);

  it('keeps Mastodon’s field order, with viewer fields only for a viewer, pinned only for the author and application only on local posts', () => {
    const keys = (viewerId?: string, p = pieces) =>
      Object.keys(JSON.parse(assembleStatus(p, viewerId ? { accountId: viewerId, favourited: false, reblogged: false } : undefined, null, account)));
    const common = ['id', 'created_at', 'in_reply_to_id', 'in_reply_to_account_id', 'sensitive', 'spoiler_text', 'visibility', 'language', 'uri', 'url',
      'replies_count', 'reblogs_count', 'favourites_count', 'quotes_count', 'edited_at'];
    const rest = ['content', 'filtered', 'reblog', 'application'];
    const end = ['account', 'media_attachments', 'mentions', 'tags', 'emojis', 'quote', 'card', 'poll', 'quote_approval'];
    expect(keys()).toEqual([...common, ...rest, ...end]);
    expect(keys('99')).toEqual([...common, 'favourited', 'reblogged', 'muted', 'bookmarked', ...rest, ...end]);
    expect(keys(alice.id)).toEqual([...common, 'favourited', 'reblogged', 'muted', 'bookmarked', 'pinned', ...rest, ...end]);
    const remote = statusPieces({ ...status, uri: 'https://remote.example/notes/1' }, alice.username, BASE);
    expect(keys('99', remote)).not.toContain('application');
  });

  it('links the accounts a post mentions and lists them, leaving other @words as text', () => {
    const row = { ...status, text: '@Bob hi, mail bob@example.org or @nobody@elsewhere.example' };
    const p = JSON.parse(assembleStatus(statusPieces(row, alice.username, BASE, [{ id: '7', username: 'bob' }]), undefined, null, account));
    expect(p.mentions).toEqual([{ id: '7', username: 'bob', url: `${BASE}/@bob`, acct: 'bob' }]);
    expect(p.content).toBe(
      `<p><span class="h-card" translate="no"><a href="${BASE}/@bob" class="u-url mention">@<span>bob</span></a></span> hi, mail bob@example.org or @nobody@elsewhere.example</p>`,
    );
  });

  it('names the app a post was made with, and none for a boost', () => {
    const posted = statusPieces({ ...status, application_name: 'surge app', application_website: '' }, alice.username, BASE);
    expect(JSON.parse(assembleStatus(posted, undefined, null, account)).application).toEqual({ name: 'surge app', website: null });
    const boost = statusPieces({ ...status, id: '5', reblog_of_id: status.id }, alice.username, BASE);
    expect(JSON.parse(assembleStatus(boost, undefined, assembleStatus(posted, undefined, null, account), account, posted)).application).toBeNull();
  });

  it('is valid JSON with the viewer’s flags, the nested reblog and the author', () => {
    const original = assembleStatus(pieces, { accountId: '99', favourited: true, reblogged: true }, null, account);
    const wrapperRow = { ...status, id: '117685413762170999', reblog_of_id: status.id, text: '' };
    const wrapper = JSON.parse(assembleStatus(statusPieces(wrapperRow, alice.username, BASE), { accountId: '99', favourited: false, reblogged: false }, original, account));
    expect(wrapper).toMatchObject({ content: '', favourited: false, reblog: { id: status.id, favourited: true, reblogged: true, favourites_count: 4 } });
    expect(wrapper.reblog.content).toBe('<p>quotes &quot; and \\ backslashes,<br />new lines and ünïcödé 🐘</p>');
    expect(wrapper.account.acct).toBe('alice');
  });

  it('leaves pinned off boosts and direct posts, even for their author', () => {
    const asAuthor = { accountId: alice.id, favourited: false, reblogged: false };
    const boost = statusPieces({ ...status, id: '117685413762170999', reblog_of_id: status.id }, alice.username, BASE);
    expect(JSON.parse(assembleStatus(boost, asAuthor, assembleStatus(pieces, asAuthor, null, account), account, pieces))).not.toHaveProperty('pinned');
    const direct = statusPieces({ ...status, visibility: 3 }, alice.username, BASE);
    expect(JSON.parse(assembleStatus(direct, asAuthor, null, account))).not.toHaveProperty('pinned');
  });

  it('answers quote_approval as 4.5 does for the default policy: anyone signed in for public posts, the author alone for private ones', () => {
    const approval = (row: Partial<StatusRow>, viewerId?: string, original?: StatusPieces) => {
      const p = statusPieces({ ...status, ...row }, alice.username, BASE);
      const viewer = viewerId === undefined ? undefined : { accountId: viewerId, favourited: false, reblogged: false };
      return JSON.parse(assembleStatus(p, viewer, null, account, original)).quote_approval;
    };
    expect(approval({ visibility: 0 }, '99')).toEqual({ automatic: ['public'], manual: [], current_user: 'automatic' });
    expect(approval({ visibility: 1 })).toEqual({ automatic: ['public'], manual: [], current_user: 'denied' });
    expect(approval({ visibility: 2 }, '99')).toEqual({ automatic: [], manual: [], current_user: 'denied' });
    expect(approval({ visibility: 2 }, alice.id)).toEqual({ automatic: [], manual: [], current_user: 'automatic' });
    expect(approval({ visibility: 3 }, alice.id).current_user).toBe('denied');
    expect(approval({ visibility: 0, uri: 'https://remote.example/notes/1' }, '99')).toEqual({ automatic: [], manual: [], current_user: 'denied' });
    // A boost answers for the post it boosts.
    const privateOriginal = statusPieces({ ...status, visibility: 2 }, alice.username, BASE);
    expect(approval({ id: '117685413762170999', reblog_of_id: status.id, visibility: 0 }, '99', privateOriginal).automatic).toEqual([]);
  });

  it('survives the trip through the cache unchanged, and treats an entry of another shape as a miss', () => {
    expect(decodePieces(status.id, encodePieces(pieces))).toEqual(pieces);
    const wrapper = statusPieces({ ...status, id: '5', reblog_of_id: status.id }, alice.username, BASE);
    expect(decodePieces('5', encodePieces(wrapper))).toEqual(wrapper);
    expect(decodePieces(status.id, '{"id":"117685413762170883"}')).toBeUndefined();
  });
});
