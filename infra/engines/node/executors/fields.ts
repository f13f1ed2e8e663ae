// Field codecs for executor configs. k6 decodes scenarios with Go's
// encoding/json + DisallowUnknownFields into null.Int / types.NullDuration /
// null.String fields; these zod types accept exactly what those accept and
// produce "not set" (undefined) where Go would leave Valid=false.

import { z } from 'zod';
import { durationValueToNs, nsToMs } from '../duration.js';
import { GoNumError, parseGoInt } from '../gofmt.js';

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // number, string, object
}

/** null.Int: integer numbers, numeric strings ("" = unset), null = unset. */
export const nullInt = z.unknown().transform((v, ctx): number | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      ctx.addIssue({ code: 'custom', message: `json: cannot unmarshal number ${v} into Go value of type int64` });
      return z.NEVER;
    }
    return v;
  }
  if (typeof v === 'string') {
    if (v === '') return undefined;
    try {
      return parseGoInt(v);
    } catch (e) {
      if (!(e instanceof GoNumError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
  }
  ctx.addIssue({ code: 'custom', message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type null.Int` });
  return z.NEVER;
});

/** types.NullDuration → milliseconds; strings use k6 duration syntax, numbers are ms. */
export const nullDuration = z.unknown().transform((v, ctx): number | undefined => {
  if (v === null || v === undefined) return undefined;
  try {
    return nsToMs(durationValueToNs(v));
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/** null.String. */
export const nullString = z.unknown().transform((v, ctx): string | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  ctx.addIssue({ code: 'custom', message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type null.String` });
  return z.NEVER;
});

/** map[string]string (env, tags). */
export const stringMap = z.unknown().transform((v, ctx): Record<string, string> | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]string`,
    });
    return z.NEVER;
  }
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      ctx.addIssue({
        code: 'custom',
        message: `json: cannot unmarshal ${jsonKind(val)} into Go value of type string (key ${JSON.stringify(k)})`,
      });
      return z.NEVER;
    }
  }
  return { ...(v as Record<string, string>) };
});

/** Anything (browser `options` are validated by the browser module, not here). */
export const anyValue = z.unknown();

export interface Stage {
  /** ms; undefined = missing (a validation error). */
  duration: number | undefined;
  /** undefined = missing (a validation error). */
  target: number | undefined;
}

const stageSchema = z.strictObject({ duration: nullDuration.optional(), target: nullInt.optional() });

/** []Stage; each stage is decoded strictly as well. */
export const stages = z.unknown().transform((v, ctx): Stage[] | undefined => {
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type []executor.Stage` });
    return z.NEVER;
  }
  const out: Stage[] = [];
  for (const raw of v) {
    const decoded = decodeStrict(stageSchema, raw);
    if (!decoded.ok) {
      ctx.addIssue({ code: 'custom', message: decoded.error });
      return z.NEVER;
    }
    out.push({ duration: decoded.value.duration, target: decoded.value.target });
  }
  return out;
});

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Decode `raw` with a strict object schema, reporting only the first problem
 * in input key order, the way Go's streaming JSON decoder fails on the first
 * bad or unknown field.
 */
export function decodeStrict<S extends z.ZodType>(schema: S, raw: unknown): DecodeResult<z.output<S>> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: `json: cannot unmarshal ${jsonKind(raw)} into Go value of type object` };
  }
  const res = schema.safeParse(raw);
  if (res.success) return { ok: true, value: res.data };
  const order = Object.keys(raw);
  let best: { pos: number; msg: string } | undefined;
  for (const issue of res.error.issues) {
    let key: string | undefined;
    let msg = issue.message;
    if (issue.code === 'unrecognized_keys') {
      key = issue.keys.map(String).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
      msg = `json: unknown field ${JSON.stringify(key)}`;
    } else {
      key = issue.path[0] === undefined ? undefined : String(issue.path[0]);
    }
    const pos = key === undefined ? -1 : order.indexOf(key);
    if (!best || pos < best.pos) best = { pos, msg };
  }
  return { ok: false, error: best?.msg ?? 'invalid config' };
}
