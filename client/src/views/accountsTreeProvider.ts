import * as vscode from 'vscode';
import { parseAccountRef } from '../../../server/src/shared/names';
import type { TypeCoverage } from '../../../server/src/shared/model';
import type { AccountSummary, ResourceSummary } from '../../../server/src/shared/protocol';
import { resourceUri } from '../resourceDocuments';
import type { ServerApi } from '../serverApi';
import { moreResourcesLabel, typeChildren } from './resourceTypeChildren';
import { contextValue, MessageNode, ServerTreeProvider, TreeNode } from './treeNode';

/** Accounts view: account -> regions (or global / the stack) -> resource types (counts) -> resources. */
export class AccountsTreeProvider extends ServerTreeProvider {
    constructor(private readonly server: ServerApi) {
        super();
    }
    protected async loadRoots(): Promise<TreeNode[]> {
        return (await this.server.listAccounts()).map((a) => new AccountNode(this.server, a));
    }
}

function scanTooltip(account: AccountSummary): vscode.MarkdownString {
    const md = new vscode.MarkdownString();
    // names and errors come from stack exports and cloud APIs: appended as text, never as Markdown
    md.appendMarkdown('**').appendText(account.name).appendMarkdown('**').appendText(account.provider === 'aws' ? ' (AWS' : account.provider === 'kubernetes' ? ` (Kubernetes ${account.settings.server ?? ''}` : ' (Pulumi stack');
    if (account.awsAccountId) md.appendText(` ${account.awsAccountId}`);
    if (account.project) md.appendText(` ${account.project}/${account.stack}`);
    md.appendText(`)\nScan schedule: ${account.scanSchedule}\n`);
    const s = account.scanStatus;
    if (!s) return md.appendText('Never scanned');
    md.appendText(`Last scan: ${s.status}, ${new Date(s.finishedAt ?? s.startedAt).toLocaleString()}, ${s.resourceCount} resources`);
    for (const e of s.errors) md.appendText(`\n${e.service}${e.region ? ` (${e.region})` : ''}: ${e.code}: ${e.message}`);
    return md;
}

const STATUS_ICONS: Record<string, string> = { running: 'sync~spin', failed: 'error', partial: 'warning', succeeded: 'cloud' };

export class AccountNode extends TreeNode {
    constructor(
        private readonly server: ServerApi,
        readonly account: AccountSummary,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const a = this.account;
        const total = Object.values(a.resourceCounts).reduce((n, c) => n + c, 0);
        const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `account:${a.name}`;
        const failed = a.scanStatus?.errors.length ?? 0;
        const errors = !failed ? '' : a.scanStatus?.status === 'partial' ? ` · partial: ${failed} service(s) failed` : ` · ${failed} service error(s)`;
        item.description = `${a.provider === 'aws' ? 'AWS' : a.provider === 'kubernetes' ? 'Kubernetes' : 'stack'} · ${total} resources${a.scanStatus ? '' : ' · not scanned'}${errors}`;
        item.tooltip = scanTooltip(a);
        item.iconPath =
            a.provider === 'pulumi-stack' ? new vscode.ThemeIcon('layers') : new vscode.ThemeIcon(STATUS_ICONS[a.scanStatus?.status ?? 'succeeded'] ?? 'cloud');
        item.contextValue = contextValue('account', a.provider, a.scanStatus?.status);
        return item;
    }
    override getChildren(): TreeNode[] {
        const a = this.account;
        const coverage = a.coverage ? [new CoverageNode(a.name, a.coverage)] : [];
        if (a.provider === 'pulumi-stack') return [new ChildAccountNode(this.server, a.name, a.resourceCounts[a.name] ?? 0, 'stack'), ...coverage];
        const nodes: TreeNode[] = a.children.map((child) => new ChildAccountNode(this.server, child, a.resourceCounts[child] ?? 0, 'region'));
        if (a.resourceCounts[a.name] !== undefined) nodes.unshift(new ChildAccountNode(this.server, a.name, a.resourceCounts[a.name], a.provider === 'kubernetes' ? 'cluster' : 'global'));
        return [...nodes, ...coverage];
    }
}

/** A child account: a region (or a cluster's namespace), the account's global services (a cluster's cluster-scoped kinds), or a stack's resources. */
export class ChildAccountNode extends TreeNode {
    constructor(
        private readonly server: ServerApi,
        readonly childName: string,
        readonly resourceCount: number,
        private readonly kind: 'region' | 'global' | 'cluster' | 'stack',
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const label = this.kind === 'global' || this.kind === 'cluster' ? this.kind : this.kind === 'stack' ? 'resources' : parseAccountRef(this.childName).region ?? this.childName;
        const item = new vscode.TreeItem(label, this.resourceCount ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `account:${this.childName}:${this.kind}`;
        item.description = `${this.resourceCount} resources`;
        item.tooltip = this.kind === 'global' ? `${this.childName}: global services (IAM)` : this.kind === 'cluster' ? `${this.childName}: cluster-scoped kinds (Namespaces, ClusterRoles, PersistentVolumes...)` : this.childName;
        item.iconPath = new vscode.ThemeIcon(this.kind === 'global' ? 'globe' : this.kind === 'cluster' ? 'server-environment' : this.kind === 'stack' ? 'layers' : 'location');
        item.contextValue = contextValue('childAccount', this.kind);
        return item;
    }
    override async getChildren(): Promise<TreeNode[]> {
        const types = await this.server.listResourceTypes(this.childName);
        if (!types.length) return [new MessageNode('No resources stored: scan the account.')];
        return types.map((t) => new ResourceTypeNode(this.server, this.childName, t.type, t.count));
    }
}

const COVERAGE_ICONS: Record<string, string> = { denied: 'lock', failed: 'error', skipped: 'circle-slash' };

/** What the last scan covered: the count of types read, and each type it did not read with why (as `account coverage`). */
export class CoverageNode extends TreeNode {
    constructor(
        private readonly account: string,
        private readonly coverage: NonNullable<AccountSummary['coverage']>,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const { scanned, notScanned } = this.coverage;
        const item = new vscode.TreeItem('coverage', notScanned.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `account:${this.account}:coverage`;
        const counts = new Map<string, number>();
        for (const t of notScanned) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
        item.description = [`${scanned} types scanned`, ...[...counts].map(([state, n]) => `${n} ${state}`)].join(' · ');
        item.tooltip = `${this.account}: the types its last scan read, and the ones it could not (policy-insights account coverage ${this.account})`;
        item.iconPath = new vscode.ThemeIcon(notScanned.length ? 'warning' : 'pass');
        item.contextValue = contextValue('coverage');
        return item;
    }
    override getChildren(): TreeNode[] {
        return this.coverage.notScanned.map((t) => new CoverageEntryNode(this.account, t));
    }
}

export class CoverageEntryNode extends TreeNode {
    constructor(
        private readonly account: string,
        readonly entry: TypeCoverage,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const t = this.entry;
        const item = new vscode.TreeItem(t.type, vscode.TreeItemCollapsibleState.None);
        item.id = `account:${this.account}:coverage:${t.type}`;
        item.description = `${t.state}${t.regions?.length ? ` · ${t.regions.join(', ')}` : ''}`;
        // codes and messages come from cloud APIs: text, never Markdown
        item.tooltip = new vscode.MarkdownString().appendText(`${t.type} (${t.service}): ${t.state}${t.code ? `\n${t.code}: ${t.message ?? ''}` : ''}`);
        item.iconPath = new vscode.ThemeIcon(COVERAGE_ICONS[t.state] ?? 'info');
        item.contextValue = contextValue('coverageEntry', t.state);
        return item;
    }
}

export class ResourceTypeNode extends TreeNode {
    constructor(
        private readonly server: ServerApi,
        readonly childName: string,
        readonly type: string,
        readonly count: number,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.type, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `account:${this.childName}:type:${this.type}`;
        item.description = String(this.count);
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.contextValue = contextValue('resourceType');
        return item;
    }
    override async getChildren(): Promise<TreeNode[]> {
        const { resources, more } = await typeChildren((params) => this.server.listResources(params), this.childName, this.type, this.count);
        const nodes: TreeNode[] = resources.map((r) => new ResourceNode(this.childName, r));
        if (more > 0) nodes.push(new MoreResourcesNode(this.childName, this.type, this.count, more));
        return nodes;
    }
}

/** The last child of a type too large to list: opens a picker that searches all of the type's resources. */
export class MoreResourcesNode extends TreeNode {
    constructor(
        readonly childName: string,
        readonly type: string,
        readonly count: number,
        readonly more: number,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(moreResourcesLabel(this.more), vscode.TreeItemCollapsibleState.None);
        item.id = `account:${this.childName}:type:${this.type}:more`;
        item.tooltip = `Only the first resources of this type are listed here; Find Resource… searches all ${this.count.toLocaleString('en-US')} by name, id or URN.`;
        item.iconPath = new vscode.ThemeIcon('search');
        item.contextValue = contextValue('moreResources');
        item.command = { title: 'Find Resource…', command: 'policyInsights.findResource', arguments: [{ account: this.childName, type: this.type }] };
        return item;
    }
}

export class ResourceNode extends TreeNode {
    constructor(
        readonly childName: string,
        readonly resource: ResourceSummary,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.resource.name, vscode.TreeItemCollapsibleState.None);
        item.description = this.resource.id && this.resource.id !== this.resource.name ? this.resource.id : undefined;
        item.tooltip = this.resource.urn;
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        item.contextValue = contextValue('resource');
        item.command = { title: 'Open Resource', command: 'policyInsights.openResource', arguments: [this] };
        return item;
    }
    get uri(): vscode.Uri {
        return resourceUri(this.childName, this.resource.urn);
    }
}
