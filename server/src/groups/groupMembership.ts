/**
 * Which accounts and stacks a policy group covers. A group lists account names (a parent
 * `name` covers all its regions, `name/region` one child) and stacks (the stack account's
 * name, or `project/stack`), and may add those whose tags meet one of its tag rules (tagRules.ts). New accounts and stacks join
 * `default-policy-group` when they are created (joinDefaultGroup, a catalog rule in store/schema.ts that
 * adding an account applies), so "every account is in
 * the default group unless the user takes it out" holds without an exclusion list.
 */
import type { Account, EntityType, PolicyGroup, TagRule } from '../shared/model';
import { accountRefCovers, isChildName, parentAccountName, parseAccountRef } from '../shared/names';
import type { Catalog } from '../store';
import { GroupError } from './groupErrors';
import { matchingRule } from './tagRules';

/** What a shard holds: an AWS account's child (`name/region`), its global part (`name`), or a stack. */
export interface EvaluatedEntity {
    /** The shard name: `name/region`, or the account name. */
    name: string;
    account: Account;
    kind: 'account' | 'stack';
}

/** The entity for a shard name, or undefined when its account is not in the catalog. */
export function entityOf(catalog: Catalog, name: string): EvaluatedEntity | undefined {
    const account = catalog.accounts.find((a) => a.name === parentAccountName(name));
    if (!account) return undefined;
    return { name, account, kind: account.provider === 'pulumi-stack' ? 'stack' : 'account' };
}

/** Names a stack entity answers to in a group's `stacks` list. */
function stackNames(account: Account): string[] {
    const names = [account.name];
    if (account.project && account.stack) names.push(`${account.project}/${account.stack}`);
    return names;
}

/** The entity names (shard or account names) a group's members stand for: accounts as listed, stacks by their account's name. */
export function memberEntityNames(catalog: Catalog, group: PolicyGroup): string[] {
    const stacks = group.stacks.flatMap((member) => catalog.accounts.filter((a) => a.provider === 'pulumi-stack' && stackNames(a).includes(member)).map((a) => a.name));
    return [...new Set([...group.accounts, ...stacks, ...tagMembers(catalog, group).map((m) => m.member)])];
}

/** Whether `group` covers `entity`. The default group covers both accounts and stacks. */
export function groupCovers(group: PolicyGroup, entity: EvaluatedEntity): boolean {
    if (entity.kind === 'stack') {
        if (!group.isDefault && group.entityType !== 'stacks') return false;
        return stackNames(entity.account).some((n) => group.stacks.includes(n)) || matchingRule(group.tagRules, entity.account) !== undefined;
    }
    if (!group.isDefault && group.entityType !== 'accounts') return false;
    return group.accounts.includes(entity.account.name) || group.accounts.includes(entity.name) || matchingRule(group.tagRules, entity.account) !== undefined;
}

/** Accounts and stacks that are in `group` through a tag rule (not listed by name), with the rule that matched. */
export function tagMembers(catalog: Catalog, group: PolicyGroup): { member: string; kind: EntityType; rule: TagRule }[] {
    if (!group.tagRules?.length) return [];
    return catalog.accounts.flatMap((account) => {
        const kind: EntityType = account.provider === 'pulumi-stack' ? 'stacks' : 'accounts';
        if (!group.isDefault && group.entityType !== kind) return [];
        const rule = matchingRule(group.tagRules, account);
        return rule ? [{ member: account.name, kind, rule }] : [];
    });
}

/** The groups that cover `entity`: the default group first, then by name. */
export function groupsOf(catalog: Catalog, entity: EvaluatedEntity): PolicyGroup[] {
    return catalog.groups.filter((g) => groupCovers(g, entity)).sort(groupOrder);
}

export function groupOrder(a: PolicyGroup, b: PolicyGroup): number {
    return Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name);
}

/** Checks an account member (`name` or `name/region`) against the catalog; returns it normalized. */
export function checkAccountMember(catalog: Catalog, group: PolicyGroup, member: string): string {
    const trimmed = member.trim();
    const { account: name, region } = parseAccountRef(trimmed);
    // `name/` and `name/a/b` are no child's name
    if (!name || (isChildName(trimmed) && (region === undefined || isChildName(region)))) {
        throw new GroupError('invalid', `"${member}" is not an account: use the account name (all regions) or name/region, e.g. insights-aws-account/us-west-2.`);
    }
    if (!group.isDefault && group.entityType !== 'accounts') {
        throw new GroupError('invalid', `Policy group "${group.name}" is for stacks; add stacks to it with --add-stack, or create a group with --entity-type accounts.`);
    }
    const account = catalog.accounts.find((a) => a.name === name);
    if (!account) throw new GroupError('not-found', `No account "${name}". Add it first with \`policy-insights account add ${name} ...\` (see \`account ls\`).`);
    if (account.provider === 'pulumi-stack') {
        throw new GroupError('invalid', `"${name}" is a Pulumi stack, not a cloud account: add it with --add-stack.`);
    }
    if (region !== undefined) {
        const known = new Set([...account.children.map((c) => parseAccountRef(c).region), ...(account.settings.regions ?? [])]);
        if (known.size > 0 && !known.has(region)) {
            throw new GroupError('not-found', `Account "${name}" has no region "${region}" (it has ${[...known].sort().join(', ')}).`);
        }
    }
    return trimmed;
}

/** Checks a stack member (a stack account's name or `project/stack`); returns it normalized. */
export function checkStackMember(catalog: Catalog, group: PolicyGroup, member: string): string {
    const trimmed = member.trim();
    if (!group.isDefault && group.entityType !== 'stacks') {
        throw new GroupError('invalid', `Policy group "${group.name}" is for accounts; add accounts to it with --add-account, or create a group with --entity-type stacks.`);
    }
    const found = catalog.accounts.some((a) => a.provider === 'pulumi-stack' && stackNames(a).includes(trimmed));
    if (!found) {
        throw new GroupError('not-found', `No stack "${member}". Import it first with \`policy-insights account add <name> --provider pulumi-stack --state FILE\`.`);
    }
    return trimmed;
}

/**
 * Removes an account member. Taking one region out of a group that lists the whole
 * account replaces the account with its other regions, so the rest stay covered.
 */
export function removeAccountMember(catalog: Catalog, group: PolicyGroup, member: string): void {
    const trimmed = member.trim();
    // a parent name takes the whole account out: itself and any of its regions listed
    const matches = (a: string) => accountRefCovers(trimmed, a);
    if (group.accounts.some(matches)) {
        group.accounts = group.accounts.filter((a) => !matches(a));
        return;
    }
    const parent = parentAccountName(trimmed);
    if (trimmed !== parent && group.accounts.includes(parent)) {
        const account = catalog.accounts.find((a) => a.name === parent);
        const others = (account?.children ?? []).filter((c) => c !== trimmed);
        if (!account || account.children.length === 0) {
            throw new GroupError('invalid', `Group "${group.name}" covers all regions of "${parent}", whose regions are not known yet: scan it first, or remove "${parent}" and add the regions you want.`);
        }
        group.accounts = [...group.accounts.filter((a) => a !== parent), ...others.filter((c) => !group.accounts.includes(c))];
        return;
    }
    throw new GroupError('not-found', `Policy group "${group.name}" does not include account "${member}" (it has: ${group.accounts.join(', ') || 'none'}).`);
}
