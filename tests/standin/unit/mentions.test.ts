import { describe, expect, it } from 'vitest';
import { localMentions } from '../../../infra/targets/standin/web/mentions.js';

// Which local accounts a post names, as Mastodon's mention pattern finds them.

describe('localMentions', () => {
  it('finds @name and @name@this-instance once each, case-insensitively', () => {
    expect(localMentions('@Alice hi @bob@surge.test and @alice again', 'surge.test:3000')).toEqual(['alice', 'bob']);
  });

  it('leaves out other instances, e-mail addresses and URLs', () => {
    expect(localMentions('@carol@elsewhere.example mail dave@surge.test see https://x.test/@erin', 'surge.test')).toEqual([]);
  });
});
