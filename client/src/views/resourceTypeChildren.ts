/**
 * What the Accounts tree shows under an expanded resource type, and what the "find a resource"
 * picker lists as the user types. A type can hold 100,000 resources in one region at scale
 * (issue 14); sending them all to VS Code's tree took the server, the connection and the tree
 * with it. The tree lists the first TYPE_CHILDREN_SHOWN and a node that opens the picker, which
 * asks the server for the first matches of what is typed. No `vscode` here, so it is tested
 * with plain Node.
 */
import type { ListResourcesParams, ResourceSummary } from '../../../server/src/shared/protocol';

/** Resources listed under one type node, at most (as the Violations tree lists a group's first 200). */
export const TYPE_CHILDREN_SHOWN = 200;
/** Matches the picker lists for one search, at most: type more to narrow. */
export const FIND_RESULTS_SHOWN = 200;

export type ListResources = (params: ListResourcesParams) => Promise<ResourceSummary[]>;

export interface TypeChildren {
    /** The type's first resources, in the stored order. */
    resources: ResourceSummary[];
    /** The type's resources not listed. */
    more: number;
}

/**
 * The first `shown` resources of `type` in the child account and the count of the rest. One
 * more than shown is asked for: `count` comes from the type node, read earlier, and a scan
 * since may have grown a type that fitted; the extra one says there is more either way.
 */
export async function typeChildren(list: ListResources, account: string, type: string, count: number, shown = TYPE_CHILDREN_SHOWN): Promise<TypeChildren> {
    const listed = await list({ account, type, limit: shown + 1 });
    if (listed.length <= shown) return { resources: listed, more: 0 };
    return { resources: listed.slice(0, shown), more: Math.max(1, count - shown) };
}

/** The label of the node standing for the resources not listed. */
export function moreResourcesLabel(more: number): string {
    return `${more.toLocaleString('en-US')} more \u2014 find a resource\u2026`;
}

/** One picker row: what a resource node shows (name, and the id where it differs), with the URN below. */
export interface ResourcePickItem {
    label: string;
    description?: string;
    detail: string;
    resource: ResourceSummary;
}

export function resourcePickItem(resource: ResourceSummary): ResourcePickItem {
    return {
        label: resource.name,
        description: resource.id && resource.id !== resource.name ? resource.id : undefined,
        detail: resource.urn,
        resource,
    };
}

export interface FoundResources {
    /** The search these items answer. */
    search: string;
    items: ResourcePickItem[];
    /** What the picker's title bar says: how many are listed, and whether typing more would narrow. */
    status: string;
}

/**
 * Searches as the user types and hands on only the answer to the latest value: an answer to
 * an earlier value that arrives late (a slower search over more matches) is dropped, so the
 * list never shows matches for text no longer in the box.
 */
export class ResourceSearch {
    private latest = 0;

    constructor(
        private readonly list: ListResources,
        private readonly account: string,
        private readonly type: string,
        private readonly shown = FIND_RESULTS_SHOWN,
    ) {}

    /** The matches of `search`, or undefined when a later search began before this one was answered. */
    async find(search: string): Promise<FoundResources | undefined> {
        const ticket = ++this.latest;
        const trimmed = search.trim();
        const found = await this.list({ account: this.account, type: this.type, ...(trimmed ? { search: trimmed } : {}), limit: this.shown });
        if (ticket !== this.latest) return undefined;
        const what = trimmed ? `matching "${trimmed}"` : 'of the type';
        const status =
            found.length >= this.shown
                ? `the first ${found.length.toLocaleString('en-US')} resources ${what}: type more to narrow`
                : found.length
                  ? `${found.length.toLocaleString('en-US')} resource${found.length === 1 ? '' : 's'} ${what}`
                  : `no resource ${what}`;
        return { search, items: found.map(resourcePickItem), status };
    }
}
