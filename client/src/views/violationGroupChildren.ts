/**
 * What the Violations tree shows under an expanded group: its first GROUP_CHILDREN_SHOWN
 * violations, and how many more there are. A group can hold 500,000 violations at scale
 * (issue 14); sending them all to the tree took the server, the connection and VS Code's tree
 * with it. The rest is a click away in the Policy Violations panel, which pages through any
 * number. No `vscode` here, so it is tested with plain Node.
 */
import type { Violation } from '../../../server/src/shared/model';
import type { ListViolationsParams, ListViolationsResult, ViolationGroup, ViolationGrouping } from '../../../server/src/shared/protocol';

/** Violations listed under one group node, at most (as an issue tracker's tree lists the first page). */
export const GROUP_CHILDREN_SHOWN = 200;

export interface GroupChildren {
    /** The group's first violations, in the panel's default order (last seen newest first). */
    violations: Violation[];
    /** The group's violations not listed. */
    more: number;
}

/** The first `shown` violations of `group` and the count of the rest, from one ListViolationsRequest. */
export async function groupChildren(
    list: (params: ListViolationsParams) => Promise<ListViolationsResult>,
    grouping: ViolationGrouping,
    group: Pick<ViolationGroup, 'key'>,
    shown = GROUP_CHILDREN_SHOWN,
): Promise<GroupChildren> {
    const { violations, total } = await list({ group: { groupBy: grouping, key: group.key }, limit: shown });
    return { violations, more: Math.max(0, total - violations.length) };
}

/** The label of the node standing for the violations not listed. */
export function moreLabel(more: number): string {
    return `${more.toLocaleString('en-US')} more \u2014 open the Policy Violations panel`;
}
