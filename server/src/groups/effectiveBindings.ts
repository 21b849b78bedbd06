/**
 * Which pack versions apply to an account (or child, or stack), with what enforcement and
 * config: the pack's own levels, overridden by the group's level for the whole pack
 * (`all`), overridden by the group's per-policy level; properties are the schema defaults
 * overridden by the group's. The resolution is the one the runner configures packs with
 * (packConfigResolution.ts), so what is shown here is what the pack is configured with when it runs.
 *
 * An entity in several groups gets Pulumi's rule (CrossGuard FAQ, "What happens if a stack
 * belongs to multiple Policy Groups?"): the packs of all its groups are aggregated and one
 * version of each pack runs, the newest; for the same version bound with different
 * configuration, the most recently modified configuration is enforced. The binding that
 * applied carries the ones it took precedence over and why, for the group and violation views.
 */
import type { AppliedBindingInfo, AppliedPolicyPack, EnforcementLevel, GroupMode, PolicyGroup, PolicyPackVersion, PolicyType, Severity } from '../shared/model';
import type { PolicyPackConfig } from '../runner/runnerTypes';
import { resolvePackConfig } from './packConfigResolution';
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
    /** When the group's binding was last set (absent for bindings older than the record). */
    configModifiedAt?: string;
    policies: ResolvedPolicy[];
    /** Other groups' bindings of the same pack to this entity that this one took precedence over. */
    overrides?: OverriddenBinding[];
}

/** A group's binding of a pack that does not run on an entity because another group's binding applies. */
export interface OverriddenBinding {
    group: string;
    mode: GroupMode;
    /** `latest` or the pinned tag, as that group says. */
    versionTag: string;
    /** The version tag it resolves to now, when it does. */
    version?: string;
    configModifiedAt?: string;
    /** Why the applied binding won, in words: "newer version 2.0.0", "configuration modified more recently". */
    reason: string;
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
 * Orders two groups' bindings of the same pack: negative when `a` applies rather than `b`.
 * Newest version first; same version: the most recently modified config (a binding without
 * the record counts as older than any with it); still tied: group order (default first, then by name),
 * which the callers' input order already is.
 */
export function comparePrecedence(a: Pick<EffectiveBinding, 'pack' | 'configModifiedAt'>, b: Pick<EffectiveBinding, 'pack' | 'configModifiedAt'>): number {
    if (a.pack.version !== b.pack.version) return b.pack.version - a.pack.version;
    return (b.configModifiedAt ?? '').localeCompare(a.configModifiedAt ?? '');
}

function precedenceReason(winner: EffectiveBinding, loser: EffectiveBinding): string {
    if (winner.pack.version !== loser.pack.version) return `${winner.pack.name}@${winner.pack.versionTag} (version ${winner.pack.version}) is newer than ${loser.pack.versionTag} (version ${loser.pack.version}); only the newest version of a pack runs`;
    if ((winner.configModifiedAt ?? '') !== (loser.configModifiedAt ?? '')) {
        return `same version ${winner.pack.versionTag}; the configuration in "${winner.group}" was modified more recently (${winner.configModifiedAt}${loser.configModifiedAt ? ` vs ${loser.configModifiedAt}` : ''})`;
    }
    return `same version ${winner.pack.versionTag}, neither configuration more recent; "${winner.group}" comes first (the default group, then by name)`;
}

/**
 * One binding per pack: the one that applies under Pulumi's rule, carrying the others it took
 * precedence over. `candidates` are in group order; the result keeps the order packs first appear.
 */
export function resolveAcrossGroups(candidates: readonly EffectiveBinding[]): EffectiveBinding[] {
    const byPack = new Map<string, EffectiveBinding[]>();
    for (const c of candidates) byPack.set(c.pack.name, [...(byPack.get(c.pack.name) ?? []), c]);
    return [...byPack.values()].map((list) => {
        if (list.length === 1) return list[0];
        // a stable sort keeps group order among ties
        const [winner, ...losers] = [...list].sort(comparePrecedence);
        const overrides: OverriddenBinding[] = losers.map((l) => ({
            group: l.group,
            mode: l.mode,
            versionTag: l.versionTag,
            version: l.pack.versionTag,
            ...(l.configModifiedAt ? { configModifiedAt: l.configModifiedAt } : {}),
            reason: precedenceReason(winner, l),
        }));
        return { ...winner, overrides };
    });
}

/**
 * The bindings that apply to `entityName` (a shard: `name/region`, a global `name`, or a
 * stack account): one per pack, resolved across its groups (resolveAcrossGroups), in the
 * order packs first appear in group order (default first, then by name). An unknown account has none.
 */
export function effectiveBindings(catalog: Catalog, entityName: string): EntityBindings {
    const entity = entityOf(catalog, entityName);
    if (!entity) return { bindings: [], unresolved: [] };
    return bindingsOfGroups(catalog, groupsOf(catalog, entity));
}

/** The bindings `groups` (in that order) give together: what `analyze --policy-group` runs. */
export function bindingsOfGroups(catalog: Catalog, groups: readonly PolicyGroup[]): EntityBindings {
    const result: EntityBindings = { bindings: [], unresolved: [] };
    const candidates: EffectiveBinding[] = [];
    for (const group of groups) {
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
                candidates.push({ ...base, pack, versionTag: applied.versionTag, ...(applied.config ? { config: applied.config } : {}), ...(applied.configModifiedAt ? { configModifiedAt: applied.configModifiedAt } : {}), policies });
            } catch (error) {
                result.unresolved.push({ ...base, packName: applied.name, versionTag: applied.versionTag, problem: `Policy group "${group.name}": ${(error as Error).message}. Fix it with \`policy-insights policy enable ${applied.name} ${applied.versionTag} --policy-group ${group.name} --config FILE\`.` });
            }
        }
    }
    result.bindings = resolveAcrossGroups(candidates);
    // another group's binding of the pack runs: the pack's results are determined, this group's problem shows in its own view
    const running = new Set(result.bindings.map((b) => b.pack.name));
    result.unresolved = result.unresolved.filter((u) => !running.has(u.packName));
    return result;
}

/** What the group and violation views show about a binding: its group, version and what it overrode. */
export function bindingInfo(binding: EffectiveBinding): AppliedBindingInfo {
    return {
        group: binding.group,
        mode: binding.mode,
        follows: binding.versionTag,
        version: binding.pack.versionTag,
        ...(binding.configModifiedAt ? { configModifiedAt: binding.configModifiedAt } : {}),
        overrides: (binding.overrides ?? []).map((o) => ({ group: o.group, mode: o.mode, follows: o.versionTag, ...(o.version ? { version: o.version } : {}), ...(o.configModifiedAt ? { configModifiedAt: o.configModifiedAt } : {}), reason: o.reason })),
    };
}

/** The binding of `packName` that applies to `entityName` now, explained; undefined when none does. */
export function appliedBinding(catalog: Catalog, entityName: string, packName: string): AppliedBindingInfo | undefined {
    const binding = effectiveBindings(catalog, entityName).bindings.find((b) => b.pack.name === packName);
    return binding && bindingInfo(binding);
}
