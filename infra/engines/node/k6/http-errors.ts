// k6's HTTP error codes (lib/netext/httpext/error_codes.go), shared by the
// k6/http module and the helper thread that serves its blocking calls.

export class K6HttpError extends Error {
  constructor(
    readonly code: number,
    readonly short: string,
    message?: string,
  ) {
    super(message ?? short);
  }
}

export const TIMEOUT_CODE = 1050;

/** A transport error relayed from the helper thread, carrying the code errorCodeFor gave it there. */
export class RelayedError extends Error {
  constructor(
    readonly code: number,
    readonly short: string,
    message: string,
  ) {
    super(message);
  }
}

function nodeErrCode(e: unknown): string | undefined {
  let cur = e as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 5 && cur; i++) {
    if (typeof cur.code === 'string' && cur.code !== 'UND_ERR_SOCKET') return cur.code;
    cur = cur.cause as typeof cur;
  }
  return (e as { code?: string } | undefined)?.code;
}

/** errorCodeForError: (code, short message for the `error` tag and Response.error). */
export function errorCodeFor(err: unknown): [number, string] {
  if (err instanceof K6HttpError || err instanceof RelayedError) return [err.code, err.short];
  const code = nodeErrCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return [1212, 'dial: connection refused'];
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return [1211, 'dial: i/o timeout'];
    case 'ENOTFOUND':
      return [1101, 'lookup: no such host'];
    case 'EAI_AGAIN':
      return [1100, msg];
    case 'ECONNRESET':
      return [1220, 'read: connection reset by peer'];
    case 'EPIPE':
      return [1201, 'write: broken pipe'];
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return [1311, "x509: certificate doesn't match hostname"];
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return [1310, 'x509: certificate signed by unknown authority'];
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return [1301, msg];
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return [1210, msg];
    default:
      if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL')) return [1300, msg];
      if (/other side closed|socket hang up|EOF/i.test(msg)) return [1000, 'EOF'];
      return [1000, msg];
  }
}
