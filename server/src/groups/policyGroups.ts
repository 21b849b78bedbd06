/**
 * Policy group services: create, read, edit and remove groups, and enable or disable pack
 * versions in them. Every change runs inside one catalog update (re-read under the lock),
 * so two processes editing groups never lose each other's changes. Changes return the
 * catalog before and after, which is what Evaluator.evaluateAfterCatalogChange takes.
 */
import type { AppliedPolicyPack, EntityType, GroupMode, PolicyConfigValue, PolicyGroup, PolicyGroupView } from '../shared/model';
import { GROUP_NAME_PATTERN } from '../shared/names';
import { groupViews } from './groupPacks';
import { DEFAULT_POLICY_GROUP, type Catalog, type Store } from '../store';
import { resolveAppliedVersion } from './effectiveBindings';
import { GroupError } from './groupErrors';
import { checkAccountMember, checkStackMember, groupOrder, removeAccountMember } from './groupMembership';
import { validatePackConfig } from './packConfigValidation';
import { formatTagRule, parseTag, parseTagRule } from './tagRules';

/** A catalog change: the catalog before and after it, and the group as it is now (absent once removed). */
export interface CatalogChange {
    before: Catalog;
    after: Catalog;
    group?: PolicyGroup;
}

export interface CreateGroupArgs {
    name: string;
    /** Default `accounts`. */
    entityType?: EntityType;
    /** Default `audit`: report, never block. */
    mode?: GroupMode;
}

export interface EditGroupArgs {
    /** Account names (`name` for all regions, or `name/region`). */
    addAccounts?: string[];
    removeAccounts?: string[];
    /** Stack account names or `project/stack`. */
    addStacks?: string[];
    removeStacks?: string[];
    mode?: GroupMode;
    /** A new name for the group (Pulumi's `group edit --name`); not for the default group. */
    rename?: string;
    /** Tag rules to add / remove, as written: `env=prod,team=web` (all conditions), each rule an alternative. */
    addTagRules?: string[];
    removeTagRules?: string[];
    /** Packs to bind (as enablePack does), in the same update. */
    addPolicyPacks?: { pack: string; versionTag: string; config?: Record<string, PolicyConfigValue> }[];
    /** Pack names to unbind (as disablePack does). */
    removePolicyPacks?: string[];
}

export interface EnablePackArgs {
    /** Default: the default policy group. */
    group?: string;
    pack: string;
    /** `latest` follows new publishes; a tag pins that version. */
    versionTag: string;
    /** Policy name or `all` -> level, or {enforcementLevel, ...properties}. Replaces the previous config. */
    config?: Record<string, PolicyConfigValue>;
}

export interface DisablePackArgs {
    group?: string;
    pack: string;
    /** Only if this version (tag, or `latest`) is the one enabled (Pulumi's `disable --version`); default any. */
    versionTag?: string;
}

function checkGroupName(name: string): void {
    if (!GROUP_NAME_PATTERN.test(name)) {
        throw new GroupError('invalid', `"${name}" is not a valid policy group name: use letters, digits, '.', '_' and '-' (up to 100), starting with a letter or digit.`);
    }
}

/** Every policy group, the default group first, then by name. */
export async function listPolicyGroups(store: Store): Promise<PolicyGroup[]> {
    const { groups } = await store.readCatalog();
    return [...groups].sort(groupOrder);
}

/** Every policy group with where its packs are overridden by another group's binding (the Policy Groups view). */
export async function listPolicyGroupViews(store: Store): Promise<PolicyGroupView[]> {
    const catalog = await store.readCatalog();
    return groupViews(catalog, [...catalog.groups].sort(groupOrder));
}

/** The group named `name`. @throws GroupError 'not-found' */
export async function getGroup(store: Store, name: string): Promise<PolicyGroup> {
    return findGroup(await store.readCatalog(), name);
}

export function findGroup(catalog: Catalog, name: string | undefined): PolicyGroup {
    const wanted = name ?? DEFAULT_POLICY_GROUP;
    const group = catalog.groups.find((g) => g.name === wanted);
    if (!group) {
        throw new GroupError('not-found', `No policy group "${wanted}" (groups: ${[...catalog.groups].sort(groupOrder).map((g) => g.name).join(', ')}). Create it with \`policy-insights policy group new ${wanted}\`.`);
    }
    return group;
}

async function change(store: Store, mutate: (catalog: Catalog) => PolicyGroup | undefined): Promise<CatalogChange> {
    return store.updateCatalog((catalog) => {
        const before = structuredClone(catalog);
        const group = mutate(catalog);
        return { before, after: structuredClone(catalog), ...(group ? { group: structuredClone(group) } : {}) };
    });
}

/** Creates an empty group. @throws GroupError 'exists' | 'invalid' */
export async function createGroup(store: Store, args: CreateGroupArgs): Promise<CatalogChange> {
    const entityType = args.entityType ?? 'accounts';
    const mode = args.mode ?? 'audit';
    checkGroupName(args.name);
    if (entityType !== 'accounts' && entityType !== 'stacks') throw new GroupError('invalid', `--entity-type must be accounts or stacks, not "${entityType}".`);
    if (mode !== 'audit' && mode !== 'preventative') throw new GroupError('invalid', `--mode must be audit or preventative, not "${mode}".`);
    return change(store, (catalog) => {
        if (catalog.groups.some((g) => g.name === args.name)) throw new GroupError('exists', `Policy group "${args.name}" already exists; change it with \`policy-insights policy group edit ${args.name}\`.`);
        const group: PolicyGroup = { name: args.name, isDefault: false, entityType, mode, appliedPolicyPacks: [], accounts: [], stacks: [] };
        catalog.groups.push(group);
        return group;
    });
}

/** Removes a group. @throws GroupError 'not-found' | 'default-group' */
export async function removeGroup(store: Store, name: string): Promise<CatalogChange> {
    return change(store, (catalog) => {
        const group = findGroup(catalog, name);
        if (group.isDefault) throw new GroupError('default-group', `"${name}" is the default policy group and always exists; disable its packs or take accounts out of it instead.`);
        catalog.groups = catalog.groups.filter((g) => g !== group);
        return undefined;
    });
}

/** Adds and removes members and packs (and changes the mode) in one update: all or nothing. @throws GroupError */
export async function editGroup(store: Store, name: string, edit: EditGroupArgs): Promise<CatalogChange> {
    return change(store, (catalog) => {
        const group = findGroup(catalog, name);
        if (edit.mode !== undefined) {
            if (edit.mode !== 'audit' && edit.mode !== 'preventative') throw new GroupError('invalid', `mode must be audit or preventative, not "${edit.mode}".`);
            group.mode = edit.mode;
        }
        if (edit.rename !== undefined && edit.rename !== group.name) {
            checkGroupName(edit.rename);
            if (group.isDefault) throw new GroupError('default-group', `"${group.name}" is the default policy group; it keeps its name (new accounts and stacks join it by it).`);
            if (catalog.groups.some((g) => g.name === edit.rename)) throw new GroupError('exists', `Policy group "${edit.rename}" already exists; choose another name.`);
            group.name = edit.rename;
        }
        for (const member of edit.removeAccounts ?? []) removeAccountMember(catalog, group, member);
        for (const member of edit.removeStacks ?? []) {
            if (!group.stacks.includes(member.trim())) throw new GroupError('not-found', `Policy group "${group.name}" does not include stack "${member}" (it has: ${group.stacks.join(', ') || 'none'}).`);
            group.stacks = group.stacks.filter((s) => s !== member.trim());
        }
        for (const member of edit.addAccounts ?? []) {
            const normalized = checkAccountMember(catalog, group, member);
            if (!group.accounts.includes(normalized)) group.accounts.push(normalized);
        }
        for (const member of edit.addStacks ?? []) {
            const normalized = checkStackMember(catalog, group, member);
            if (!group.stacks.includes(normalized)) group.stacks.push(normalized);
        }
        for (const text of edit.removeTagRules ?? []) {
            const wanted = formatTagRule(parseTagRule(text));
            const rules = group.tagRules ?? [];
            if (!rules.some((r) => formatTagRule(r) === wanted)) throw new GroupError('not-found', `Policy group "${group.name}" has no tag rule ${wanted} (it has: ${rules.map(formatTagRule).join('; ') || 'none'}).`);
            group.tagRules = rules.filter((r) => formatTagRule(r) !== wanted);
            if (!group.tagRules.length) delete group.tagRules;
        }
        for (const text of edit.addTagRules ?? []) {
            const rule = parseTagRule(text);
            const rules = group.tagRules ?? [];
            if (!rules.some((r) => formatTagRule(r) === formatTagRule(rule))) group.tagRules = [...rules, rule];
        }
        for (const pack of edit.removePolicyPacks ?? []) unbindPack(group, pack);
        for (const pack of edit.addPolicyPacks ?? []) bindPack(catalog, group, pack);
        return group;
    });
}

/**
 * Binds a pack version to a group (replacing the group's previous version and config of
 * that pack). `latest` follows new publishes; a tag stays pinned.
 * @throws GroupError 'not-found' (group, pack or tag) | 'invalid-config' (with configErrors)
 */
export async function enablePack(store: Store, args: EnablePackArgs): Promise<CatalogChange> {
    return change(store, (catalog) => {
        const group = findGroup(catalog, args.group);
        bindPack(catalog, group, args);
        return group;
    });
}

function bindPack(catalog: Catalog, group: PolicyGroup, args: Omit<EnablePackArgs, 'group'>): void {
    const versions = catalog.packs.filter((p) => p.name === args.pack);
    if (!versions.length) {
        const names = [...new Set(catalog.packs.map((p) => p.name))];
        throw new GroupError('not-found', `No policy pack "${args.pack}" is published${names.length ? ` (published: ${names.join(', ')})` : ''}. Publish it with \`policy-insights policy publish DIR\`.`);
    }
    const applied: AppliedPolicyPack = { name: args.pack, versionTag: args.versionTag };
    const version = resolveAppliedVersion(catalog, applied);
    if (!version) {
        throw new GroupError('not-found', `Policy pack ${args.pack} has no version ${args.versionTag} (versions: ${versions.map((v) => v.versionTag).join(', ')}, or latest).`);
    }
    if (args.versionTag !== 'latest') applied.version = version.version;
    const errors = validatePackConfig(version, args.config ?? {});
    if (errors.length) {
        throw new GroupError('invalid-config', `The config for ${args.pack}@${version.versionTag} in policy group "${group.name}" is invalid:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\nFix it and enable the pack with --config FILE (check it with \`policy-insights policy validate-config ${args.pack} ${version.versionTag} --config FILE\`).`, errors);
    }
    if (args.config && Object.keys(args.config).length) applied.config = args.config;
    // what decides between groups binding the same version of this pack to one entity (effectiveBindings)
    applied.configModifiedAt = new Date().toISOString();
    const at = group.appliedPolicyPacks.findIndex((p) => p.name === args.pack);
    if (at >= 0) group.appliedPolicyPacks[at] = applied;
    else group.appliedPolicyPacks.push(applied);
}

function unbindPack(group: PolicyGroup, pack: string): void {
    if (!group.appliedPolicyPacks.some((p) => p.name === pack)) {
        throw new GroupError('not-found', `Policy pack ${pack} is not enabled in policy group "${group.name}" (enabled: ${group.appliedPolicyPacks.map((p) => p.name).join(', ') || 'none'}).`);
    }
    group.appliedPolicyPacks = group.appliedPolicyPacks.filter((p) => p.name !== pack);
}

/** Unbinds a pack from a group. @throws GroupError 'not-found' */
export async function disablePack(store: Store, args: DisablePackArgs): Promise<CatalogChange> {
    return change(store, (catalog) => {
        const group = findGroup(catalog, args.group);
        if (args.versionTag !== undefined) {
            const applied = group.appliedPolicyPacks.find((p) => p.name === args.pack);
            const enabled = applied && (applied.versionTag === 'latest' ? 'latest' : applied.versionTag);
            if (applied && enabled !== args.versionTag) {
                throw new GroupError('not-found', `Policy group "${group.name}" has ${args.pack}@${enabled} enabled, not ${args.versionTag}; leave out --version to disable it whatever its version.`);
            }
        }
        unbindPack(group, args.pack);
        return group;
    });
}

/**
 * Sets and removes tags on an account or stack (`account tag`); groups' tag rules follow them.
 * @throws GroupError 'not-found' | 'invalid'
 */
export async function tagAccount(store: Store, name: string, edit: { set?: string[]; remove?: string[] }): Promise<Omit<CatalogChange, 'group'> & { tags: Record<string, string> }> {
    const sets = (edit.set ?? []).map(parseTag);
    return store.updateCatalog((catalog) => {
        const before = structuredClone(catalog);
        const account = catalog.accounts.find((a) => a.name === name);
        if (!account) throw new GroupError('not-found', `No account or stack "${name}" (see \`policy-insights account ls\`).`);
        const tags = { ...(account.tags ?? {}) };
        for (const key of edit.remove ?? []) {
            if (!Object.hasOwn(tags, key)) throw new GroupError('not-found', `"${name}" has no tag "${key}" (tags: ${Object.keys(tags).join(', ') || 'none'}).`);
            delete tags[key];
        }
        for (const [key, value] of sets) tags[key] = value;
        if (Object.keys(tags).length) account.tags = tags;
        else delete account.tags;
        return { before, after: structuredClone(catalog), tags };
    });
}
