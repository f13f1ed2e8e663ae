import { connect } from 'node:net';

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Extracts a complete simple reply ("+PONG", "-ERR ...") or bulk string body
 * from `data`; undefined while more bytes are needed.
 */
export function parseReply(data: Buffer): string | undefined {
  const end = data.indexOf('\r\n');
  if (end === -1) return undefined;
  const head = data.subarray(0, end).toString('utf8');
  if (!head.startsWith('$')) return head;
  const length = Number(head.slice(1));
  if (length < 0) return head;
  const body = data.subarray(end + 2);
  return body.length >= length + 2 ? body.subarray(0, length).toString('utf8') : undefined;
}

/**
 * Sends one command on a fresh connection and returns its reply: simple
 * replies with their +/- marker, bulk strings as their body. Enough for
 * readiness and shutdown, without a client library's reconnect logic while the
 * server is still starting. SHUTDOWN replies nothing, so a close resolves "".
 */
export async function redisCommand(host: string, port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(encodeCommand(args)));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const reply = parseReply(data);
      if (reply !== undefined) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(data.toString('utf8')));
  });
}
