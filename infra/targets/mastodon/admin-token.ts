import { readFile } from 'node:fs/promises';

// --admin-token names where the token is, never the token: a value on the
// command line would sit in shell history and in every `ps` listing.

export class AdminTokenError extends Error {}

export async function readAdminToken(source: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let token: string | undefined;
  if (source.startsWith('env:')) {
    const name = source.slice(4);
    token = env[name];
    if (!token) throw new AdminTokenError(`--admin-token env:${name}: that environment variable is empty or unset`);
  } else if (source.startsWith('file:')) {
    const file = source.slice(5);
    token = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new AdminTokenError(`--admin-token file:${file}: cannot read it (${err.code ?? err.message})`);
    });
  } else {
    throw new AdminTokenError('--admin-token takes env:NAME or file:PATH, never the token itself (it would land in shell history and ps)');
  }
  token = token.trim();
  if (!/^[A-Za-z0-9_-]{20,}$/.test(token)) throw new AdminTokenError(`--admin-token ${source.split(':')[0]}:…: that does not look like a Mastodon access token`);
  return token;
}
