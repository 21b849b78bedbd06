import type { PackOverride, PolicyGroup, PolicyGroupView } from '../shared/model';
import type { Catalog } from '../store';
import { effectiveBindings, resolveAppliedVersion, resolvePolicies, type ResolvedPolicy } from './effectiveBindings';
import { memberEntityNames, tagMembers } from './groupMembership';
import { formatTagRule } from './tagRules';

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
    /**
     * Members on which another group's binding of this pack runs instead (Pulumi's rule: the newest
     * version; same version, the most recently modified config), with that group and why.
     */
    overriddenOn?: PackOverride[];
}

/** What each pack of `group` means now (for `policy group get` and the Policy Groups tree). */
export function resolvedGroupPacks(catalog: Catalog, group: PolicyGroup): ResolvedGroupPack[] {
    const members = memberEntityNames(catalog, group).map((member) => ({ member, bindings: effectiveBindings(catalog, member).bindings }));
    return group.appliedPolicyPacks.map((applied) => {
        const resolved = resolvedGroupPack(catalog, applied);
        const overriddenOn = members.flatMap(({ member, bindings }) => {
            const running = bindings.find((b) => b.pack.name === applied.name);
            if (!running || running.group === group.name) return [];
            const mine = running.overrides?.find((o) => o.group === group.name);
            return [{ member, by: running.group, version: running.pack.versionTag, reason: mine?.reason ?? `policy group "${running.group}" applies it` }];
        });
        return overriddenOn.length ? { ...resolved, overriddenOn } : resolved;
    });
}

function resolvedGroupPack(catalog: Catalog, applied: PolicyGroup['appliedPolicyPacks'][number]): ResolvedGroupPack {
    const version = resolveAppliedVersion(catalog, applied);
    if (!version) return { name: applied.name, follows: applied.versionTag, problem: `policy pack ${applied.name} has no version ${applied.versionTag}`, policies: [] };
    try {
        return { name: applied.name, follows: applied.versionTag, version: version.versionTag, policies: resolvePolicies(version, applied.config) };
    } catch (error) {
        return { name: applied.name, follows: applied.versionTag, version: version.versionTag, problem: (error as Error).message, policies: [] };
    }
}

/** Groups as the Policy Groups view shows them: each with where its packs are overridden by another group's binding. */
export function groupViews(catalog: Catalog, groups: readonly PolicyGroup[]): PolicyGroupView[] {
    return groups.map((group) => ({
        ...group,
        overriddenOn: Object.fromEntries(resolvedGroupPacks(catalog, group).flatMap((p) => (p.overriddenOn ? [[p.name, p.overriddenOn]] : []))),
        tagMembers: tagMembers(catalog, group).map((m) => ({ member: m.member, kind: m.kind, rule: formatTagRule(m.rule) })),
    }));
}
