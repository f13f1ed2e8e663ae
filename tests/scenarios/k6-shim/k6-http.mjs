// k6/http over fetch: async requests only (sync ones throw, as our Node runner
// will), k6's Response shape (status, body, canonical header names, json()),
// and k6's bookkeeping of name/url tags and the expected-response callback.
import { addSample, state } from './state.mjs';

const canonical = (h) => h.toLowerCase().replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase());

function expected(status, callback) {
  if (!callback) return status >= 200 && status < 400;
  return callback.__statuses.some((s) => (typeof s === 'number' ? s === status : status >= s.min && status <= s.max));
}

function formEncode(obj) {
  return Object.entries(obj)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

export async function asyncRequest(method, url, body, params = {}) {
  const target = typeof url === 'object' && url !== null ? url.url : url;
  const headers = { ...(params?.headers ?? {}) };
  let payload;
  if (body !== null && body !== undefined) {
    if (typeof body === 'string') payload = body;
    else {
      payload = formEncode(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
  }
  const started = performance.now();
  let status = 0;
  let text = '';
  const resHeaders = {};
  let error;
  try {
    const res = await fetch(target, {
      method,
      headers,
      body: payload,
      redirect: params?.redirects === 0 ? 'manual' : 'follow',
      signal: AbortSignal.timeout(60_000),
    });
    status = res.status;
    res.headers.forEach((v, k) => {
      resHeaders[canonical(k)] = v;
    });
    text = await res.text();
  } catch (err) {
    error = String(err?.cause?.message ?? err?.message ?? err);
  }
  const duration = performance.now() - started;
  const tags = { method, status: String(status), name: params?.tags?.name ?? target, ...(params?.tags ?? {}) };
  const ok = expected(status, params?.responseCallback ?? state.responseCallback);
  addSample('http_reqs', 'counter', 1, tags);
  addSample('http_req_duration', 'trend', duration, { ...tags, expected_response: String(ok) });
  addSample('http_req_failed', 'rate', !ok, tags);
  state.requests.push({ method, url: target, name: tags.name, status, target: tags.target, error });
  return {
    status,
    body: text,
    headers: resHeaders,
    url: target,
    error: error ?? '',
    timings: { duration },
    json(selector) {
      if (selector) throw new Error('k6 shim: json(selector) is not supported');
      return JSON.parse(text);
    },
  };
}

function syncUnsupported() {
  throw new Error('k6 shim: synchronous HTTP is not supported; use http.asyncRequest');
}

export function expectedStatuses(...statuses) {
  return { __statuses: statuses };
}

export function setResponseCallback(cb) {
  state.responseCallback = cb;
}

export function url(strings, ...args) {
  let name = '';
  let u = '';
  strings.forEach((s, i) => {
    name += s;
    u += s;
    if (i < args.length) {
      name += '${}';
      u += String(args[i]);
    }
  });
  return { url: u, name };
}

const http = {
  asyncRequest,
  expectedStatuses,
  setResponseCallback,
  url,
  request: syncUnsupported,
  get: syncUnsupported,
  post: syncUnsupported,
  put: syncUnsupported,
  del: syncUnsupported,
  patch: syncUnsupported,
  head: syncUnsupported,
  options: syncUnsupported,
  batch: syncUnsupported,
};
export default http;
