import { createHash, createSign, type KeyObject } from 'node:crypto';

// An RFC 9421 signer written from the RFC with node:crypto, independent of the
// stand-in's verifier, signing the way current fediverse servers do: the
// derived components and headers given (by default @method, @target-uri and,
// with a body, content-digest) with rsa-v1_5-sha256 under label sig1.

export interface Rfc9421Options {
  method: string;
  url: string;
  body?: string;
  keyId: string;
  privateKey: KeyObject;
  /** Unix seconds; defaults to now. */
  created?: number;
  expires?: number;
  components?: string[];
  alg?: string;
  omitCreated?: boolean;
}

export function signRfc9421(o: Rfc9421Options): Record<string, string> {
  const url = new URL(o.url);
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-digest'] = `sha-256=:${createHash('sha256').update(o.body).digest('base64')}:`;
  const components = o.components ?? (o.body !== undefined ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri']);
  const value = (c: string): string => {
    if (c === '@method') return o.method.toUpperCase();
    if (c === '@target-uri') return url.href;
    if (c === '@authority') return url.host;
    if (c === '@path') return url.pathname;
    const v = headers[c];
    if (v === undefined) throw new Error(`no value for ${c}`);
    return v;
  };
  let params = `(${components.map((c) => `"${c}"`).join(' ')})`;
  if (!o.omitCreated) params += `;created=${o.created ?? Math.floor(Date.now() / 1000)}`;
  if (o.expires !== undefined) params += `;expires=${o.expires}`;
  params += `;keyid="${o.keyId}"`;
  if (o.alg) params += `;alg="${o.alg}"`;
  const base = [...components.map((c) => `"${c}": ${value(c)}`), `"@signature-params": ${params}`].join('\n');
  const signature = createSign('sha256').update(base).sign(o.privateKey).toString('base64');
  return { ...headers, 'signature-input': `sig1=${params}`, signature: `sig1=:${signature}:` };
}
