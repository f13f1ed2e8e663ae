import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class MissingBinaryError extends Error {
  readonly binary: string;
  readonly debianPackage: string;

  constructor(binary: string, debianPackage: string) {
    // One line on purpose: it is shown as-is to someone who just has to install a package.
    super(`${binary} not found: install it with "apt-get install ${debianPackage}"`);
    this.name = 'MissingBinaryError';
    this.binary = binary;
    this.debianPackage = debianPackage;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Orders version-like names ("9.6", "15", "16") highest first, numerically. */
export function compareVersionsDesc(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pb[i] ?? -1) - (pa[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return b.localeCompare(a);
}

/**
 * Expands one `*` path segment (e.g. /usr/lib/postgresql/ * /bin) into existing
 * paths, highest version first, because Debian can carry several majors at once.
 */
export function expandCandidate(pattern: string): string[] {
  const star = pattern.split('/').indexOf('*');
  if (star === -1) return [pattern];
  const parts = pattern.split('/');
  const parent = parts.slice(0, star).join('/') || '/';
  const rest = parts.slice(star + 1).join('/');
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries
    .sort(compareVersionsDesc)
    .flatMap((entry) => expandCandidate(rest ? join(parent, entry, rest) : join(parent, entry)));
}

/**
 * PATH wins over candidates so a user can point at a specific build; each
 * candidate may be a directory holding `name` or a full path to the binary.
 */
export function findBinary(name: string, opts: { debianPackage: string; candidates?: string[] }): string {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = (opts.candidates ?? []).flatMap(expandCandidate);
  for (const dir of pathDirs) {
    const full = join(dir, name);
    if (isExecutableFile(full)) return full;
  }
  for (const candidate of candidates) {
    for (const full of [join(candidate, name), candidate]) {
      if (full.endsWith(`/${name}`) && isExecutableFile(full)) return full;
    }
  }
  throw new MissingBinaryError(name, opts.debianPackage);
}
