/**
 * Which pack versions apply to an account (or child, or stack), with what enforcement and
 * config: the pack's own levels, overridden by the group's level for the whole pack
 * (`all`), overridden by the group's per-policy level; properties are the schema defaults
 * overridden by the group's. The resolution is the runner's (resolvePackConfig), so what is
 * shown here is what the pack is configured with when it runs.
 */
import type { AppliedPolicyPack, EnforcementLevel, GroupMode, PolicyPackVersion, PolicyType, Severity } from '../model';
import { resolvePackConfig } from '../packs/runner/policyConfig';
import type { PolicyPackConfig } from '../packs/runner/runnerTypes';
import type { Catalog } from '../store';
import { entityOf, groupsOf } from './groupMembership';

/** One policy as it applies through a binding. */
export interface ResolvedPolicy {
    name: string;
    policyType: PolicyType;
    level: EnforcementLevel;
    severity?: Severity;
    properties?: Record<string, unknown>;
}

/** A pack version bound to an entity through a group. */
export interface EffectiveBinding {
    group: string;
    mode: GroupMode;
    pack: PolicyPackVersion;
    /** `latest` or the pinned tag, as the group says. */
    versionTag: string;
    /** The group's config as written (what the runner is given). */
    config?: PolicyPackConfig;
    policies: ResolvedPolicy[];
}

/** A group's pack entry that cannot apply now (its pinned version was removed, its config no longer fits). */
export interface UnresolvedBinding {
    group: string;
    mode: GroupMode;
    packName: string;
    versionTag: string;
    problem: string;
}

export interface EntityBindings {
    bindings: EffectiveBinding[];
    unresolved: UnresolvedBinding[];
}

/** The stored version an applied pack means now: the newest for `latest`, else the pinned tag. */
export function resolveAppliedVersion(catalog: Catalog, applied: AppliedPolicyPack): PolicyPackVersion | undefined {
    const versions = catalog.packs.filter((p) => p.name === applied.name);
    if (applied.versionTag === 'latest') return versions.reduce<PolicyPackVersion | undefined>((best, p) => (!best || p.version > best.version ? p : best), undefined);
    return versions.find((p) => p.versionTag === applied.versionTag && (applied.version === undefined || p.version === applied.version));
}

/** The policies of `pack` as configured by `config` (levels and properties). Throws RunnerError 'invalid-config'. */
export function resolvePolicies(pack: PolicyPackVersion, config: PolicyPackConfig | undefined): ResolvedPolicy[] {
    const resolved = resolvePackConfig({ name: pack.name, version: pack.versionTag, policies: pack.policies, packDir: '', digest: pack.digest }, config);
    return pack.policies.map((policy) => {
        const entry = resolved[policy.name] ?? {};
        const out: ResolvedPolicy = { name: policy.name, policyType: policy.policyType, level: entry.enforcementLevel ?? policy.enforcementLevel };
        if (policy.severity) out.severity = policy.severity;
        if (entry.properties) out.properties = entry.properties;
        return out;
    });
}

/**
 * The bindings that apply to `entityName` (a shard: `name/region`, a global `name`, or a
 * stack account), in group order (default first, then by name). An unknown account has none.
 */
export function effectiveBindings(catalog: Catalog, entityName: string): EntityBindings {
    const result: EntityBindings = { bindings: [], unresolved: [] };
    const entity = entityOf(catalog, entityName);
    if (!entity) return result;
    for (const group of groupsOf(catalog, entity)) {
        for (const applied of group.appliedPolicyPacks) {
            const pack = resolveAppliedVersion(catalog, applied);
            const base = { group: group.name, mode: group.mode };
            if (!pack) {
                const what = applied.versionTag === 'latest' ? 'no published version' : `no version ${applied.versionTag} (it was removed)`;
                result.unresolved.push({ ...base, packName: applied.name, versionTag: applied.versionTag, problem: `Policy pack ${applied.name} has ${what}; policy group "${group.name}" cannot apply it. Publish it again or run \`policy-insights policy enable ${applied.name} latest --policy-group ${group.name}\`.` });
                continue;
            }
            try {
                const policies = resolvePolicies(pack, applied.config);
                result.bindings.push({ ...base, pack, versionTag: applied.versionTag, ...(applied.config ? { config: applied.config } : {}), policies });
            } catch (error) {
                result.unresolved.push({ ...base, packName: applied.name, versionTag: applied.versionTag, problem: `Policy group "${group.name}": ${(error as Error).message}. Fix it with \`policy-insights policy enable ${applied.name} ${applied.versionTag} --policy-group ${group.name} --config FILE\`.` });
            }
        }
    }
    return result;
}
