import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSinkHandle } from '../../infra/services/mailsink.js';

function transport(sink: MailSinkHandle) {
  return nodemailer.createTransport({ host: sink.smtpHost, port: sink.smtpPort, secure: false });
}

async function api(sink: MailSinkHandle, path: string, init?: RequestInit) {
  return fetch(`${sink.apiUrl}${path}`, init);
}

async function json(sink: MailSinkHandle, path: string) {
  const res = await api(sink, path);
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

describe('mail sink (Mailpit API shape)', () => {
  let sink: MailSinkHandle;
  beforeAll(async () => {
    sink = await startMailSink();
    const mailer = transport(sink);
    await mailer.sendMail({
      from: 'Surge <notifications@surge.test>',
      to: 'alice@example.test',
      subject: 'Confirm your account',
      text: 'Hello Alice, confirm: https://surge.test/auth/confirmation?token=abc',
      html: '<p>Hello Alice, <a href="https://surge.test/auth/confirmation?token=abc">confirm</a></p>',
    });
    await mailer.sendMail({
      from: 'notifications@surge.test',
      to: 'Bob <bob@example.test>',
      bcc: 'audit@example.test',
      subject: 'Reset your password',
      text: 'Hello Bob',
    });
    mailer.close();
  });
  afterAll(async () => {
    await sink?.stop();
  });

  it('lists messages newest first with Mailpit summary fields', async () => {
    const list = await json(sink, '/api/v1/messages');
    expect(list).toMatchObject({ total: 2, unread: 2, count: 2, messages_count: 2, start: 0, tags: [] });
    expect(list.messages.map((m: any) => m.Subject)).toEqual(['Reset your password', 'Confirm your account']);
    const [bob, alice] = list.messages;
    expect(alice.ID).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(alice.From).toEqual({ Name: 'Surge', Address: 'notifications@surge.test' });
    expect(alice.To).toEqual([{ Name: '', Address: 'alice@example.test' }]);
    expect(alice).toMatchObject({ Read: false, Cc: [], ReplyTo: [], Tags: [], Attachments: 0 });
    expect(alice.Snippet).toContain('Hello Alice');
    expect(new Date(alice.Created).toISOString()).toBe(alice.Created);
    expect(bob.Bcc).toEqual([{ Name: '', Address: 'audit@example.test' }]);
    expect(sink.count()).toBe(2);

    const paged = await json(sink, '/api/v1/messages?start=1&limit=1');
    expect(paged).toMatchObject({ total: 2, count: 1, start: 1 });
    expect(paged.messages[0].Subject).toBe('Confirm your account');
  });

  it('searches with Mailpit terms', async () => {
    const byTo = await json(sink, `/api/v1/search?query=${encodeURIComponent('to:ALICE@example.test')}`);
    expect(byTo.messages_count).toBe(1);
    expect(byTo.messages.map((m: any) => m.Subject)).toEqual(['Confirm your account']);

    const bySubject = await json(sink, `/api/v1/search?query=${encodeURIComponent('subject:"reset your" from:surge.test')}`);
    expect(bySubject.messages.map((m: any) => m.Subject)).toEqual(['Reset your password']);

    const bare = await json(sink, '/api/v1/search?query=bob');
    expect(bare.messages.map((m: any) => m.Subject)).toEqual(['Reset your password']);
    expect((await json(sink, '/api/v1/search?query=nobody')).messages).toEqual([]);
  });

  it('returns message details with text and HTML, and 404 for unknown IDs', async () => {
    const latest = await json(sink, `/api/v1/search?query=${encodeURIComponent('to:alice@example.test')}`);
    const detail = await json(sink, `/api/v1/message/${latest.messages[0].ID}`);
    expect(detail.Text).toContain('https://surge.test/auth/confirmation?token=abc');
    expect(detail.HTML).toContain('href="https://surge.test/auth/confirmation?token=abc"');
    expect(detail).toMatchObject({ ReturnPath: 'notifications@surge.test', Tags: [], Inline: [], Attachments: [] });
    expect(detail.MessageID).not.toMatch(/[<>]/);
    expect((await json(sink, '/api/v1/messages')).unread).toBe(1);

    expect((await json(sink, '/api/v1/message/latest')).Subject).toBe('Reset your password');

    const missing = await api(sink, '/api/v1/message/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('message not found');
  });

  it('deletes chosen messages, then all', async () => {
    const list = await json(sink, '/api/v1/messages');
    const res = await api(sink, '/api/v1/messages', { method: 'DELETE', body: JSON.stringify({ IDs: [list.messages[0].ID] }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect((await json(sink, '/api/v1/messages')).messages.map((m: any) => m.Subject)).toEqual(['Confirm your account']);

    expect((await api(sink, '/api/v1/messages', { method: 'DELETE' })).status).toBe(200);
    expect((await json(sink, '/api/v1/messages')).total).toBe(0);
    expect(sink.count()).toBe(0);
    expect(sink.received()).toBe(2);
  });
});

describe('mail sink provider limits', () => {
  it('rejects mail beyond the daily quota with 550', async () => {
    const sink = await startMailSink({ dailyQuota: 1 });
    const mailer = transport(sink);
    try {
      await mailer.sendMail({ from: 'a@surge.test', to: 'x@example.test', subject: 'one', text: '1' });
      const second = mailer.sendMail({ from: 'a@surge.test', to: 'y@example.test', subject: 'two', text: '2' });
      await expect(second).rejects.toMatchObject({
        responseCode: 550,
        response: expect.stringContaining('5.7.1 Daily sending quota exceeded'),
      });
      expect(sink.count()).toBe(1);
      expect(sink.rejected()).toBe(1);
    } finally {
      mailer.close();
      await sink.stop();
    }
  });

  it('delays DATA acceptance by delayMs', async () => {
    const sink = await startMailSink({ delayMs: 300 });
    const mailer = transport(sink);
    try {
      const started = Date.now();
      await mailer.sendMail({ from: 'a@surge.test', to: 'x@example.test', subject: 'slow', text: '1' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      mailer.close();
      await sink.stop();
    }
  });
});
