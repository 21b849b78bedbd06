/**
 * What `analyze --policy-group G` / `--stack NAME` runs: the groups' published pack versions
 * with their levels and config, resolved across the groups as for any entity in several groups
 * (effectiveBindings), and which findings block. A preventative group is a gate, as in Pulumi
 * Cloud where it runs during `pulumi preview`/`up` and a mandatory violation stops the update;
 * an audit group only reports, so nothing it finds blocks.
 */
import type { Account, PolicyGroup } from '../shared/model';
import type { Catalog } from '../store';
import { bindingsOfGroups, type EntityBindings } from './effectiveBindings';
import { GroupError } from './groupErrors';
import { entityOf, groupOrder, groupsOf } from './groupMembership';
import { findGroup } from './policyGroups';

export interface GateSelection {
    /** Group names given with --policy-group (each once). */
    groups?: string[];
    /** A stored stack (its account name or `project/stack`): the groups it belongs to. */
    stack?: string;
}

export interface GatePlan {
    groups: PolicyGroup[];
    bindings: EntityBindings;
    /** The stack account named by --stack, when given (its state file is the default --file). */
    stackAccount?: Account;
}

/** The stored stack named `name` (account name or `project/stack`). @throws GroupError 'not-found' */
export function findStackAccount(catalog: Catalog, name: string): Account {
    const stacks = catalog.accounts.filter((a) => a.provider === 'pulumi-stack');
    const found = stacks.find((a) => a.name === name) ?? stacks.find((a) => a.project && a.stack && `${a.project}/${a.stack}` === name);
    if (!found) {
        throw new GroupError('not-found', `No stored stack "${name}" (stacks: ${stacks.map((a) => a.name).join(', ') || 'none'}). Import it with \`policy-insights account add <name> --provider pulumi-stack --state FILE\`, or name groups with --policy-group.`);
    }
    return found;
}

/** The groups a gate runs (the named ones and the stack's, once each, in group order) and their bindings together. */
export function gatePlan(catalog: Catalog, selection: GateSelection): GatePlan {
    const groups = new Map<string, PolicyGroup>();
    for (const name of selection.groups ?? []) groups.set(name, findGroup(catalog, name));
    let stackAccount: Account | undefined;
    if (selection.stack !== undefined) {
        stackAccount = findStackAccount(catalog, selection.stack);
        const entity = entityOf(catalog, stackAccount.name)!;
        for (const g of groupsOf(catalog, entity)) groups.set(g.name, g);
    }
    const ordered = [...groups.values()].sort(groupOrder);
    return { groups: ordered, bindings: bindingsOfGroups(catalog, ordered), ...(stackAccount ? { stackAccount } : {}) };
}
