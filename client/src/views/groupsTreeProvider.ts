import * as vscode from 'vscode';
import type { AppliedPolicyPack, PackOverride, PolicyGroup, PolicyGroupView } from '../../../server/src/shared/model';
import { isChildName } from '../../../server/src/shared/names';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';

/** Policy Groups view: group -> applied packs (version, level) and accounts/stacks. */
export class GroupsTreeProvider extends ServerTreeProvider {
    constructor(private readonly server: ServerApi) {
        super();
    }
    protected async loadRoots(): Promise<TreeNode[]> {
        return (await this.server.listGroups()).map((g) => new GroupNode(g));
    }
}

export class GroupNode extends TreeNode {
    constructor(readonly group: PolicyGroupView) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const g = this.group;
        const item = new vscode.TreeItem(g.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `group:${g.name}`;
        item.description = `${g.mode} · ${g.appliedPolicyPacks.length} pack(s)`;
        item.tooltip = `${g.name}${g.isDefault ? ' (default: every account and stack not taken out of it)' : ''}\n` +
            `${g.entityType}, ${g.mode} mode`;
        item.iconPath = new vscode.ThemeIcon(g.isDefault ? 'star-full' : 'organization');
        item.contextValue = contextValue('group', g.isDefault && 'default', g.entityType);
        return item;
    }
    override getChildren(): TreeNode[] {
        const g = this.group;
        // The default group holds accounts and stacks alike; others hold their entity type.
        const accounts = g.isDefault || g.entityType === 'accounts' ? g.accounts.map((m) => new MemberNode(g, m, 'accounts')) : [];
        const stacks = g.isDefault || g.entityType === 'stacks' ? g.stacks.map((m) => new MemberNode(g, m, 'stacks')) : [];
        // members a tag rule admits (not listed by name): removed by changing their tags or the rule
        const listed = new Set([...accounts, ...stacks].map((m) => m.member));
        const byTag = g.tagMembers.filter((m) => !listed.has(m.member)).map((m) => new TagMemberNode(m.member, m.kind, m.rule));
        return [...g.appliedPolicyPacks.map((p) => new AppliedPackNode(g, p, g.overriddenOn[p.name] ?? [])), ...accounts, ...stacks, ...byTag];
    }
}

export class AppliedPackNode extends TreeNode {
    constructor(
        readonly group: PolicyGroup,
        readonly applied: AppliedPolicyPack,
        /** Members where another group's binding of this pack applies instead (one version of a pack runs per member). */
        readonly overrides: readonly PackOverride[] = [],
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.applied.name, vscode.TreeItemCollapsibleState.None);
        const all = this.applied.config?.all;
        const level = typeof all === 'string' ? all : all?.enforcementLevel;
        const overridden = this.overrides.length ? `overridden on ${this.overrides.map((o) => o.member).join(', ')}` : undefined;
        item.description = [this.applied.versionTag, level ?? "pack's levels", overridden].filter(Boolean).join(' · ');
        if (this.overrides.length) {
            item.tooltip = this.overrides.map((o) => `${o.member}: policy group ${o.by}'s binding (${o.version}) applies instead: ${o.reason}`).join('\n');
        }
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = contextValue('groupPack');
        return item;
    }
}

export class MemberNode extends TreeNode {
    constructor(
        readonly group: PolicyGroup,
        readonly member: string,
        readonly kind: 'accounts' | 'stacks',
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.member, vscode.TreeItemCollapsibleState.None);
        item.description = this.kind === 'stacks' ? 'stack' : isChildName(this.member) ? 'one region' : 'all regions';
        item.iconPath = new vscode.ThemeIcon(this.kind === 'stacks' ? 'layers' : 'cloud');
        item.contextValue = contextValue('groupMember', this.kind);
        return item;
    }
}

/** An account or stack in a group because its tags meet one of the group's tag rules. */
export class TagMemberNode extends TreeNode {
    constructor(
        readonly member: string,
        readonly kind: 'accounts' | 'stacks',
        readonly rule: string,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.member, vscode.TreeItemCollapsibleState.None);
        item.description = `by tags ${this.rule}`;
        item.tooltip = `${this.member} is in this group because its tags meet the rule ${this.rule}; it leaves when they no longer do.`;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = contextValue('groupTagMember', this.kind);
        return item;
    }
}
