import { readFileSync } from 'node:fs';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** Finds `name` in passwd(5) text; no getpwnam in Node, and the format is stable. */
export function parsePasswd(text: string, name: string): SystemUser | undefined {
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

export function lookupSystemUser(name: string, passwdPath = '/etc/passwd'): SystemUser | undefined {
  try {
    return parsePasswd(readFileSync(passwdPath, 'utf8'), name);
  } catch {
    return undefined;
  }
}
