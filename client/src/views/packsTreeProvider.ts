import * as vscode from 'vscode';
import type { PolicyInfo, PolicyPackVersion } from '../../../server/src/shared/model';
import type { ServerApi } from '../serverApi';
import { contextValue, ServerTreeProvider, TreeNode } from './treeNode';

/** The `policyInsights.packs.environmentGrants` setting: packs whose processes inherit the user's whole environment. */
export function environmentGrants(): string[] {
    const names = vscode.workspace.getConfiguration('policyInsights.packs').get<unknown>('environmentGrants');
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/** Policy Packs view: pack -> versions (tag, number, date) -> policies. */
export class PacksTreeProvider extends ServerTreeProvider {
    constructor(private readonly server: ServerApi) {
        super();
    }

    protected async loadRoots(): Promise<TreeNode[]> {
        const byName = new Map<string, PolicyPackVersion[]>();
        for (const version of await this.server.listPacks()) {
            const versions = byName.get(version.name) ?? [];
            versions.push(version);
            byName.set(version.name, versions);
        }
        const granted = new Set(environmentGrants());
        return [...byName].map(([name, versions]) => new PackNode(name, versions, granted.has(name)));
    }
}

export class PackNode extends TreeNode {
    constructor(
        readonly packName: string,
        readonly versions: PolicyPackVersion[],
        /** The user granted this pack their environment (credentials included): said on the item, as it is a privilege. */
        readonly environmentGranted = false,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.packName, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `pack:${this.packName}`;
        const latest = this.versions[0];
        item.description = [latest && `latest ${latest.versionTag}`, this.environmentGranted && 'has your environment'].filter(Boolean).join(' · ') || undefined;
        item.tooltip =
            `${this.packName}: ${this.versions.length} published version(s)` +
            (this.environmentGranted ? '\nHas your environment (policyInsights.packs.environmentGrants): its policies can read your credentials and tokens.' : '');
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = contextValue('pack');
        return item;
    }
    override getChildren(): TreeNode[] {
        return this.versions.map((v, index) => new PackVersionNode(v, index === 0));
    }
}

export class PackVersionNode extends TreeNode {
    constructor(
        readonly pack: PolicyPackVersion,
        private readonly isLatest: boolean,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.pack.versionTag, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `pack:${this.pack.name}@${this.pack.version}`;
        const published = new Date(this.pack.publishedAt);
        item.description = `#${this.pack.version} · ${published.toLocaleDateString()}${this.isLatest ? ' · latest' : ''}`;
        // pack names, descriptions and remediation text are the pack author's: plain text, never Markdown
        item.tooltip = `${this.pack.name}@${this.pack.versionTag} (version ${this.pack.version})\nPublished ${published.toLocaleString()}\n${this.pack.policies.length} policies\nsha256 ${this.pack.digest}`;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = contextValue('packVersion', this.isLatest && 'latest');
        return item;
    }
    override getChildren(): TreeNode[] {
        return this.pack.policies.map((p) => new PolicyNode(this.pack, p));
    }
}

export class PolicyNode extends TreeNode {
    constructor(
        readonly pack: PolicyPackVersion,
        readonly policy: PolicyInfo,
    ) {
        super();
    }
    getTreeItem(): vscode.TreeItem {
        const item = new vscode.TreeItem(this.policy.name, vscode.TreeItemCollapsibleState.None);
        item.id = `pack:${this.pack.name}@${this.pack.version}/${this.policy.name}`;
        item.description = [this.policy.enforcementLevel, this.policy.severity].filter(Boolean).join(' · ');
        item.tooltip = `${this.policy.displayName ?? this.policy.name}\n\n${this.policy.description}` + (this.policy.remediationSteps ? `\n\nRemediation: ${this.policy.remediationSteps}` : '');
        item.iconPath = new vscode.ThemeIcon(this.policy.policyType === 'stack' ? 'layers' : 'shield');
        item.contextValue = contextValue('policy', this.policy.policyType);
        return item;
    }
}
