import { describe, expect, it } from 'vitest';
import { baseUrlOf, isLoopbackHost, parseTarget, TargetError } from '../../infra/targets/target.js';

describe('which targets a run may load', () => {
  it('accepts loopback URLs without any confirmation', () => {
    for (const u of ['http://127.0.0.1:3000', 'http://127.3.4.5/', 'http://localhost:8080', 'http://[::1]:3000']) {
      const t = parseTarget(u);
      expect(t.kind).toBe('url');
      expect(t.kind === 'url' && t.loopback).toBe(true);
    }
  });

  it('refuses a remote instance unless the user says they own it, and names the flag', () => {
    expect(() => parseTarget('https://my-instance.example')).toThrow(TargetError);
    expect(() => parseTarget('https://my-instance.example')).toThrow(/--i-own-this-instance/);
    expect(() => parseTarget('http://10.0.0.5:3000')).toThrow(/--i-own-this-instance/);
    const owned = parseTarget('https://my-instance.example/', { ownsInstance: true });
    expect(owned.kind === 'url' && baseUrlOf(owned)).toBe('https://my-instance.example');
  });

  it('always refuses the large public instances, even when claimed', () => {
    for (const u of ['https://mastodon.social', 'https://MAS.TO/', 'https://files.mastodon.social', 'https://hachyderm.io.']) {
      expect(() => parseTarget(u, { ownsInstance: true }), u).toThrow(/large public instance/);
    }
  });

  it('gives one-line errors for things that are not targets', () => {
    for (const [input, msg] of [
      ['mastodon.example', /neither auto, standin, mastodon nor a URL/],
      ['ftp://127.0.0.1', /http:\/\/ or https:\/\//],
      ['http://admin:secret@127.0.0.1', /credentials/],
    ] as const) {
      let err: Error | undefined;
      try {
        parseTarget(input);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(msg);
      expect(err?.message).not.toContain('\n');
      expect(err?.message).not.toContain('secret');
    }
  });

  it('knows the named targets and what loopback means', () => {
    expect(parseTarget('standin')).toEqual({ kind: 'standin' });
    expect(parseTarget('auto')).toEqual({ kind: 'auto' });
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.example.com')).toBe(false);
  });
});
