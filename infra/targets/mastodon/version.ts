// Which Mastodon the containerised target runs. The tag decides more than the
// code: the separate streaming image exists from 4.3, and OTP_SECRET is read
// only by 4.2 and 4.3 (4.4 dropped it).

/** A current 4.5 release; `--tag` picks another. */
export const DEFAULT_MASTODON_TAG = 'v4.5.11';
export const MASTODON_IMAGE = 'ghcr.io/mastodon/mastodon';
export const STREAMING_IMAGE = 'ghcr.io/mastodon/mastodon-streaming';

export interface MastodonVersion {
  tag: string;
  major: number;
  minor: number;
  patch: number;
}

export class StackPlanError extends Error {}

const TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;

export function parseMastodonTag(tag: string): MastodonVersion {
  const m = TAG.exec(tag.trim());
  if (!m) throw new StackPlanError(`--tag "${tag}" is not a Mastodon release tag such as ${DEFAULT_MASTODON_TAG}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major < 4 || (major === 4 && minor < 3)) {
    throw new StackPlanError(`--tag ${tag}: Mastodon before 4.3 has no separate streaming image (and 4.2 is out of support); use 4.3 or newer, e.g. ${DEFAULT_MASTODON_TAG}`);
  }
  return { tag: tag.trim(), major, minor, patch };
}

export function atLeast(v: MastodonVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}
