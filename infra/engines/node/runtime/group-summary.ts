// k6's internal GroupSummary output (lib/test_state.go): the root group tree
// of handleSummary's data is built from `group_duration` and `checks`
// samples by their `group` and `check` tags, so only groups that finished
// or ran checks appear, in first-seen order.

import { GROUP_SEPARATOR, Group } from '../groups.js';
import type { Sample } from './metrics.js';

export interface SerializedGroup {
  name: string;
  checks: { name: string; passes: number; fails: number }[];
  groups: SerializedGroup[];
}

export class GroupSummary {
  readonly root = Group.root();

  private build(path: string): Group {
    let g = this.root;
    for (const name of path.split(GROUP_SEPARATOR).slice(1)) g = g.group(name);
    return g;
  }

  readonly onSample = (s: Sample): void => {
    const name = s.metric.name;
    if (name !== 'group_duration' && name !== 'checks') return;
    const path = s.tags.group;
    if (path === undefined) return;
    const g = this.build(path);
    if (name !== 'checks') return;
    const check = s.tags.check;
    if (check === undefined) return;
    g.check(check).record(s.value !== 0);
  };

  serialize(g: Group = this.root): SerializedGroup {
    return {
      name: g.name,
      checks: [...g.checks.values()].map((c) => ({ name: c.name, passes: c.passes, fails: c.fails })),
      groups: [...g.groups.values()].map((sub) => this.serialize(sub)),
    };
  }

  merge(s: SerializedGroup, into: Group = this.root): void {
    for (const c of s.checks) {
      const check = into.check(c.name);
      check.passes += c.passes;
      check.fails += c.fails;
    }
    for (const sub of s.groups) this.merge(sub, into.group(sub.name));
  }
}
