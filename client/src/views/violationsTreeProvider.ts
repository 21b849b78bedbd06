import * as vscode from 'vscode';
import type { Violation } from '../../../server/src/shared/model';
import type { ViolationGroup } from '../../../server/src/shared/protocol';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';
import { groupChildren, moreLabel } from './violationGroupChildren';

/** How the Violations tree groups open violations; switched from the view's title bar. */
export type ViolationGrouping = 'policy' | 'account' | 'severity';

/**
 * Violations view: open violations grouped by policy (default), account or severity,
 * with counts on the groups and the total as the view's badge. The server groups and
 * counts; a group's violations are fetched when it is expanded. Selecting a violation
 * opens it in the Policy Violations page.
 */
export class ViolationsTreeProvider extends ServerTreeProvider {
    private grouping: ViolationGrouping = 'policy';
    /** Set by extension.ts once the TreeView exists, for the badge. */
    view?: vscode.TreeView<TreeNode>;

    constructor(private readonly server: ServerApi) {
        super();
    }

    setGrouping(grouping: ViolationGrouping): void {
        this.grouping = grouping;
        void vscode.commands.executeCommand('setContext', 'policyInsights.violationGrouping', grouping);
        this.refresh();
    }

    protected async loadRoots(): Promise<TreeNode[]> {
        const { groups, total } = await this.server.violationGroups({ groupBy: this.grouping });
        if (this.view) this.view.badge = total ? { value: total, tooltip: `${total} open violation(s)` } : undefined;
        return groups.map((group) => new ViolationGroupNode(this.server, this.grouping, group));
    }
}

const GROUP_ICONS: Record<ViolationGrouping, string> = { policy: 'shield', account: 'cloud', severity: 'flame' };

export class ViolationGroupNode extends TreeNode {
    constructor(
        private readonly server: ServerApi,
        readonly grouping: ViolationGrouping,
        readonly group: ViolationGroup,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const { key, label, count, policyPack } = this.group;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `violations:${this.grouping}:${key}`;
        item.description = policyPack ? `${count} · ${policyPack}` : String(count);
        item.tooltip = `${count} open violation(s)`;
        item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[this.grouping]);
        item.contextValue = contextValue('violationGroup', this.grouping);
        return item;
    }
    override async getChildren(): Promise<TreeNode[]> {
        const { violations, more } = await groupChildren((params) => this.server.listViolations(params), this.grouping, this.group);
        const nodes: TreeNode[] = violations.map((v) => new ViolationNode(v, this.grouping));
        if (more > 0) nodes.push(new MoreViolationsNode(this.grouping, this.group, more));
        return nodes;
    }
}

/** The last child of a group too large to list: opens the Policy Violations panel on the group's filter. */
export class MoreViolationsNode extends TreeNode {
    constructor(
        private readonly grouping: ViolationGrouping,
        readonly group: ViolationGroup,
        readonly more: number,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(moreLabel(this.more), vscode.TreeItemCollapsibleState.None);
        item.id = `violations:${this.grouping}:${this.group.key}:more`;
        item.tooltip = `Only the first violations of this group are listed here; the Policy Violations panel pages through all ${this.group.count.toLocaleString('en-US')}.`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = contextValue('moreViolations');
        // showViolations takes a group node's `group` (filterFromArgument): the panel opens on the same filter
        item.command = { title: 'Show in Policy Violations', command: 'policyInsights.showViolations', arguments: [{ group: this.group }] };
        return item;
    }
}

const LEVEL_ICONS: Record<Violation['level'], string> = {
    mandatory: 'error',
    advisory: 'warning',
    remediate: 'info',
    disabled: 'circle-slash',
};

export class ViolationNode extends TreeNode {
    constructor(
        readonly violation: Violation,
        private readonly grouping: ViolationGrouping = 'policy',
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const v = this.violation;
        const item = new vscode.TreeItem(v.resourceName || v.entityId, vscode.TreeItemCollapsibleState.None);
        const where = this.grouping === 'account' ? v.policyName : v.entityId;
        // a remediation's message says what it would change ("Would change acl: public-read → private"): the level alone tells the reader nothing to act on
        const what = v.remediation ? v.message : `${v.level}${v.severity ? ` · ${v.severity}` : ''}`;
        item.description = `${where} · ${what}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${v.policyPack}/${v.policyName}\n${v.resourceType}\n${v.resourceURN}\n\n${v.message}`);
        item.iconPath = new vscode.ThemeIcon(v.remediation ? 'wand' : LEVEL_ICONS[v.level]);
        item.contextValue = contextValue('violation', v.status, v.remediation && 'remediation');
        item.command = { title: 'Show in Policy Violations', command: 'policyInsights.showViolations', arguments: [this] };
        return item;
    }
}
