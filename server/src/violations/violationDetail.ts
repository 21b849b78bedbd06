/**
 * One violation with what explains it: the stored resource, the offending properties when
 * the message names them, the policy's metadata from the pack version that reported it.
 * Used by the Policy Violations page's detail pane and the resource documents.
 */
import { appliedBinding } from '../groups/effectiveBindings';
import type { Violation } from '../shared/model';
import type { ViolationDetail } from '../shared/panelProtocol';
import type { Store } from '../store';
import { isSuppressed } from './violationFilter';
import { TriageError } from './violationTriage';
import { inShardOf, type ViolationLocator } from './violationShards';

/** Top-level property names the message names as words: the offending ones, when a policy says so. */
export function propertiesNamedIn(message: string, properties: Record<string, unknown>): string[] {
    const lower = message.toLowerCase();
    return Object.keys(properties).filter((name) => {
        if (name.length < 2) return false;
        const at = lower.indexOf(name.toLowerCase());
        if (at < 0) return false;
        const before = lower[at - 1];
        const after = lower[at + name.length];
        const isWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9_]/.test(c);
        return !isWordChar(before) && !isWordChar(after);
    });
}

/**
 * The detail pane's content for violation `id`, read from the one shard that holds it: the
 * shard `locate` (the violation index) names, else found as violationShards.ts says.
 * @throws TriageError (not-found) when no shard holds it
 */
export async function violationDetail(store: Store, id: string, now: Date = new Date(), locate?: ViolationLocator): Promise<ViolationDetail> {
    const detail = await inShardOf(store, id, locate, async (shardName) => {
        const shard = await store.readShard(shardName);
        const violation = shard.violations.find((v: Violation) => v.id === id);
        if (!violation) return undefined;
        const resource = violation.resourceURN ? shard.resources.find((r) => r.urn === violation.resourceURN) : undefined;
        const catalog = await store.readCatalog();
        const versions = catalog.packs.filter((p) => p.name === violation.policyPack);
        const exact = versions.find((p) => p.versionTag === violation.policyPackTag);
        const newest = [...versions].sort((a, b) => b.version - a.version)[0];
        const policy = (exact ?? newest)?.policies.find((p) => p.name === violation.policyName);
        const binding = appliedBinding(catalog, shardName, violation.policyPack);
        const found: ViolationDetail = {
            violation: structuredClone(violation),
            resource: resource && {
                urn: resource.urn,
                type: resource.type,
                name: resource.name,
                id: resource.id,
                account: resource.account,
                region: resource.region,
                project: resource.project,
                stack: resource.stack,
                properties: resource.properties,
                sourcePosition: resource.sourcePosition,
            },
            highlightedProperties: resource ? propertiesNamedIn(violation.message, resource.properties) : [],
            policy,
            suppressed: isSuppressed(violation, now),
            ...(binding ? { binding } : {}),
        };
        return found;
    });
    if (detail) return detail;
    throw new TriageError('not-found', `No violation with id ${id}: it was removed since the panel loaded (the account was removed or rescanned). Refresh the panel.`);
}
