import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../infra/services/mailsink-message.js';
import { compileQuery, tokenize } from '../../infra/services/mailsink-search.js';
import { DailyQuota, MessageStore } from '../../infra/services/mailsink-store.js';

function message(id: string, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    ID: id, MessageID: `${id}@surge.test`, Read: false,
    From: { Name: 'Surge', Address: 'notifications@surge.test' },
    To: [{ Name: '', Address: `${id}@example.test` }], Cc: [], Bcc: [], ReplyTo: [],
    ReturnPath: 'notifications@surge.test', Subject: `Subject ${id}`,
    Date: '2024-01-01T00:00:00.000Z', Created: '2024-01-01T00:00:00.000Z',
    Text: '', HTML: '', Size: 1, Inline: [], Attachments: [], Snippet: '',
    ...overrides,
  };
}

describe('search syntax', () => {
  it('keeps quoted phrases together and drops the quotes', () => {
    expect(tokenize('subject:"new follower" to:a@b  bare')).toEqual(['subject:new follower', 'to:a@b', 'bare']);
  });

  it('ANDs terms, ignores case, and negates with - or !', () => {
    const m = message('alice', { Subject: 'New Follower', Text: 'someone followed you' });
    expect(compileQuery('to:ALICE subject:"new follower"')(m)).toBe(true);
    expect(compileQuery('to:alice subject:digest')(m)).toBe(false);
    expect(compileQuery('followed')(m)).toBe(true);
    expect(compileQuery('-followed')(m)).toBe(false);
    expect(compileQuery('!to:bob is:unread')(m)).toBe(true);
    expect(compileQuery('')(m)).toBe(true);
  });
});

describe('message store', () => {
  it('drops the oldest messages beyond its cap', () => {
    const store = new MessageStore(2);
    for (const id of ['a', 'b', 'c']) store.add(message(id));
    expect(store.page({ start: 0, limit: 10 }).messages.map((m) => m.ID)).toEqual(['c', 'b']);
    expect(store.get('latest')?.ID).toBe('c');
  });
});

describe('daily quota', () => {
  it('resets at UTC midnight', () => {
    const quota = new DailyQuota(2);
    const day1 = new Date('2022-11-20T23:59:00Z');
    expect([quota.tryTake(day1), quota.tryTake(day1), quota.tryTake(day1)]).toEqual([true, true, false]);
    expect(quota.tryTake(new Date('2022-11-21T00:00:01Z'))).toBe(true);
  });
});
