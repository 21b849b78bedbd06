import type { PolicyGroup } from '../model';
import type { Catalog } from '../store';
import { resolveAppliedVersion, resolvePolicies, type ResolvedPolicy } from './effectiveBindings';

/** A group's pack entry with the version it resolves to now and each policy's effective level and config. */
export interface ResolvedGroupPack {
    name: string;
    /** `latest` or the pinned tag. */
    follows: string;
    /** The version tag it resolves to now; absent when none does. */
    version?: string;
    /** Why it cannot apply now (no such version, config no longer valid). */
    problem?: string;
    policies: ResolvedPolicy[];
}

/** What each pack of `group` means now (for `policy group get` and the Policy Groups tree). */
export function resolvedGroupPacks(catalog: Catalog, group: PolicyGroup): ResolvedGroupPack[] {
    return group.appliedPolicyPacks.map((applied) => {
        const version = resolveAppliedVersion(catalog, applied);
        if (!version) return { name: applied.name, follows: applied.versionTag, problem: `policy pack ${applied.name} has no version ${applied.versionTag}`, policies: [] };
        try {
            return { name: applied.name, follows: applied.versionTag, version: version.versionTag, policies: resolvePolicies(version, applied.config) };
        } catch (error) {
            return { name: applied.name, follows: applied.versionTag, version: version.versionTag, problem: (error as Error).message, policies: [] };
        }
    });
}
