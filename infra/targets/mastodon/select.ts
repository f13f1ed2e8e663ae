import { TargetError } from '../target.js';
import { DEFAULT_MASTODON_TAG, parseMastodonTag, StackPlanError } from './version.js';

// Where `--target mastodon` and `--target auto` land, given whether a Docker
// engine answers. Decided before anything starts, in one line a user can act on.

export const NO_DOCKER_FOR_MASTODON =
  '--target mastodon needs a running Docker engine (none found): use --target standin, or the URL of an instance you run with --i-own-this-instance';

export type ContainerChoice = { target: { kind: 'standin' } | { kind: 'mastodon'; tag: string }; note?: string };

export function chooseContainerTarget(kind: 'mastodon' | 'auto', docker: boolean, tag: string = DEFAULT_MASTODON_TAG): ContainerChoice {
  if (!docker) {
    if (kind === 'mastodon') throw new TargetError(NO_DOCKER_FOR_MASTODON);
    return { target: { kind: 'standin' }, note: 'target auto: no Docker engine here, so the stand-in is used' };
  }
  try {
    parseMastodonTag(tag);
  } catch (err) {
    throw err instanceof StackPlanError ? new TargetError(err.message) : err;
  }
  return { target: { kind: 'mastodon', tag }, ...(kind === 'auto' ? { note: `target auto: Docker answers, so a containerised Mastodon ${tag} is used` } : {}) };
}
