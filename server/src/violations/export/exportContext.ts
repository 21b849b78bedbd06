/** What an export needs beyond the violations: the policies' metadata and the resources' source positions. */
import type { PolicyInfo, PolicyPackVersion, SourcePosition, Violation } from '../../shared/model';
import type { Store } from '../../store';

export interface ExportContext {
    /** The policy as published in `pack@tag` (undefined when that version was removed). */
    policyInfo(pack: string, tag: string, policy: string): PolicyInfo | undefined;
    /** Where the violating resource is declared, when known (Pulumi stacks). */
    sourcePosition(violation: Violation): SourcePosition | undefined;
    /** Policy Insights' version, written as the SARIF tool's version. */
    toolVersion?: string;
    /** Time suppressions are compared with and the JSON export's `generatedAt` (default now). */
    now?: Date;
    /** How many violations matched before a limit cut the rows (the JSON export's `total`; default: the rows). */
    total?: number;
}

/** An ExportContext over in-memory packs and source positions keyed by resource URN. */
export function exportContextOf(packs: readonly PolicyPackVersion[], positions: ReadonlyMap<string, SourcePosition>, extra: Pick<ExportContext, 'toolVersion' | 'now'> = {}): ExportContext {
    const policies = new Map<string, PolicyInfo>();
    const latest = new Map<string, PolicyPackVersion>();
    for (const pack of packs) {
        for (const policy of pack.policies) policies.set(`${pack.name}\0${pack.versionTag}\0${policy.name}`, policy);
        const seen = latest.get(pack.name);
        if (!seen || pack.version > seen.version) latest.set(pack.name, pack);
    }
    return {
        ...extra,
        // A removed version falls back to the newest published one: its policy text is the best left.
        policyInfo: (pack, tag, policy) => policies.get(`${pack}\0${tag}\0${policy}`) ?? latest.get(pack)?.policies.find((p) => p.name === policy),
        sourcePosition: (v) => positions.get(v.resourceURN),
    };
}

/**
 * The context for exporting `violations` from `store`: reads the catalog, and the shards of the
 * stacks they come from. Only a Pulumi stack's resources have a source position (it comes from
 * the stack's state, accounts/stacks/stackResources.ts): a cloud account's shard is not read, which
 * at 1,000,000 violations in 300 AWS shards was every shard's resources (~1.2 GB of JSON) for nothing.
 */
export async function exportContextFor(store: Store, violations: readonly Violation[], extra: Pick<ExportContext, 'toolVersion' | 'now'> = {}): Promise<ExportContext> {
    const catalog = await store.readCatalog();
    const positions = new Map<string, SourcePosition>();
    const fromStacks = violations.filter((v) => v.entityType === 'stack');
    const wanted = new Set(fromStacks.map((v) => v.resourceURN));
    const shardNames = new Set(await store.listShards());
    for (const entity of new Set(fromStacks.map((v) => v.entityId))) {
        if (!shardNames.has(entity)) continue;
        const shard = await store.readShard(entity);
        for (const r of shard.resources) if (r.sourcePosition && wanted.has(r.urn)) positions.set(r.urn, r.sourcePosition);
    }
    return exportContextOf(catalog.packs, positions, extra);
}
