// Groups and checks as k6 records them (lib/models.go): nested by name, with
// `::`-joined paths and md5(path) ids, kept in first-use order.

import { createHash } from 'node:crypto';

export const GROUP_SEPARATOR = '::';
export const ROOT_GROUP_PATH = '';

export class GroupNameError extends Error {
  constructor() {
    super(`group and check names may not contain '${GROUP_SEPARATOR}'`);
  }
}

/** Hex md5 of a group or check path (k6's correlation ids). */
export function pathId(path: string): string {
  return createHash('md5').update(path, 'utf8').digest('hex');
}

/** NewGroupPath: root + "" stays root; otherwise parent + "::" + name. */
export function groupPath(parentPath: string, name: string): string {
  if (name.includes(GROUP_SEPARATOR)) throw new GroupNameError();
  if (parentPath === ROOT_GROUP_PATH && name === ROOT_GROUP_PATH) return ROOT_GROUP_PATH;
  return parentPath + GROUP_SEPARATOR + name;
}

export class Check {
  passes = 0;
  fails = 0;
  readonly path: string;
  readonly id: string;

  constructor(
    readonly name: string,
    readonly group: Group,
  ) {
    if (name.includes(GROUP_SEPARATOR)) throw new GroupNameError();
    this.path = group.path + GROUP_SEPARATOR + name;
    this.id = pathId(this.path);
  }

  /** A non-zero / true result is a pass. */
  record(ok: boolean): void {
    if (ok) this.passes++;
    else this.fails++;
  }
}

export class Group {
  readonly path: string;
  readonly id: string;
  readonly groups = new Map<string, Group>();
  readonly checks = new Map<string, Check>();

  constructor(
    readonly name: string,
    readonly parent?: Group,
  ) {
    this.path = groupPath(parent?.path ?? ROOT_GROUP_PATH, name);
    this.id = pathId(this.path);
  }

  static root(): Group {
    return new Group('');
  }

  /** The child group `name`, created on first use (Map keeps first-use order). */
  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = new Group(name, this);
      this.groups.set(name, g);
    }
    return g;
  }

  /** The check `name` in this group, created on first use. */
  check(name: string): Check {
    let c = this.checks.get(name);
    if (!c) {
      c = new Check(name, this);
      this.checks.set(name, c);
    }
    return c;
  }

  /** Value of the `group` tag for samples inside this group ("" at root). */
  get tag(): string {
    return this.path;
  }
}
