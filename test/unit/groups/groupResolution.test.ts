/**
 * Pulumi's rule for an entity in several policy groups (CrossGuard FAQ): the packs of all its
 * groups are aggregated; one version of each pack runs, the newest; for the same version with
 * different configuration, the most recently modified configuration is enforced.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appliedBinding, effectiveBindings, groupViews, joinDefaultGroup, resolvedGroupPacks } from '../../../server/src/groups';
import type { AppliedPolicyPack, PolicyGroup, PolicyPackVersion } from '../../../server/src/shared/model';
import type { Catalog } from '../../../server/src/store';
import { awsAccount, stackAccount } from '../evaluation/evaluationTestSupport';

function version(name: string, number: number, versionTag: string): PolicyPackVersion {
    return {
        name,
        version: number,
        versionTag,
        publishedAt: `2026-01-0${number}T00:00:00.000Z`,
        digest: `sha256-${name}-${number}`,
        policies: [{ name: 's3-no-public-read', description: 'd', enforcementLevel: 'mandatory', policyType: 'resource' }],
    };
}

function group(name: string, applied: AppliedPolicyPack[], members: { accounts?: string[]; stacks?: string[] } = {}, isDefault = false): PolicyGroup {
    return { name, isDefault, entityType: members.stacks ? 'stacks' : 'accounts', mode: 'audit', appliedPolicyPacks: applied, accounts: members.accounts ?? [], stacks: members.stacks ?? [] };
}

/** The default group holds `demo` and `shop`; `other` binds to demo (accounts) and `stacks` binds to shop. */
function catalogWith(defaultBinding: AppliedPolicyPack | undefined, otherBinding: AppliedPolicyPack | undefined): Catalog {
    const catalog: Catalog = {
        packs: [version('aws-typescript', 1, '0.0.1'), version('aws-typescript', 2, '0.0.2'), version('aws-typescript', 3, '0.0.3')],
        groups: [group('default-policy-group', defaultBinding ? [defaultBinding] : [], {}, true), group('other', otherBinding ? [otherBinding] : [], { accounts: ['demo'] })],
        accounts: [],
    } as unknown as Catalog;
    for (const account of [awsAccount('demo', ['us-west-2']), stackAccount('shop', 'shop', 'prod')]) {
        catalog.accounts.push(account);
        joinDefaultGroup(catalog, account);
    }
    return catalog;
}

const EARLY = '2026-03-01T10:00:00.000Z';
const LATE = '2026-03-02T10:00:00.000Z';
const advisory = { all: 'advisory' as const };
const mandatory = { all: 'mandatory' as const };

describe('policy groups: resolution across groups (newest version; same version: most recently modified config)', () => {
    const table: { case: string; defaults?: AppliedPolicyPack; other?: AppliedPolicyPack; group: string; version: string; level: string; reason?: RegExp }[] = [
        { case: 'one group only', defaults: { name: 'aws-typescript', versionTag: 'latest' }, group: 'default-policy-group', version: '0.0.3', level: 'mandatory' },
        { case: 'newer pinned version in the other group wins over an older pin', defaults: { name: 'aws-typescript', versionTag: '0.0.1', version: 1, config: advisory, configModifiedAt: LATE }, other: { name: 'aws-typescript', versionTag: '0.0.2', version: 2, config: mandatory, configModifiedAt: EARLY }, group: 'other', version: '0.0.2', level: 'mandatory', reason: /newer/ },
        { case: 'newer version wins even when the older binding was modified later', defaults: { name: 'aws-typescript', versionTag: 'latest', config: mandatory, configModifiedAt: EARLY }, other: { name: 'aws-typescript', versionTag: '0.0.2', version: 2, config: advisory, configModifiedAt: LATE }, group: 'default-policy-group', version: '0.0.3', level: 'mandatory', reason: /newer/ },
        { case: 'same version: the most recently modified config (advisory, set later) is enforced', defaults: { name: 'aws-typescript', versionTag: 'latest', configModifiedAt: EARLY }, other: { name: 'aws-typescript', versionTag: 'latest', config: advisory, configModifiedAt: LATE }, group: 'other', version: '0.0.3', level: 'advisory', reason: /modified more recently/ },
        { case: 'same version: the default group modified later wins back', defaults: { name: 'aws-typescript', versionTag: '0.0.3', version: 3, config: mandatory, configModifiedAt: LATE }, other: { name: 'aws-typescript', versionTag: 'latest', config: advisory, configModifiedAt: EARLY }, group: 'default-policy-group', version: '0.0.3', level: 'mandatory', reason: /modified more recently/ },
        { case: 'same version: a binding with a modification time beats one without (made before times were recorded)', defaults: { name: 'aws-typescript', versionTag: 'latest', config: advisory, configModifiedAt: EARLY }, other: { name: 'aws-typescript', versionTag: 'latest', config: mandatory }, group: 'default-policy-group', version: '0.0.3', level: 'advisory', reason: /modified more recently/ },
        { case: 'same version, no times: group order (the default group first)', defaults: { name: 'aws-typescript', versionTag: 'latest', config: advisory }, other: { name: 'aws-typescript', versionTag: 'latest', config: mandatory }, group: 'default-policy-group', version: '0.0.3', level: 'advisory', reason: /comes first/ },
        { case: 'a pinned version that was removed does not hide the other group\u2019s binding', defaults: { name: 'aws-typescript', versionTag: '9.9.9', version: 9 }, other: { name: 'aws-typescript', versionTag: '0.0.1', version: 1, config: advisory }, group: 'other', version: '0.0.1', level: 'advisory' },
    ];
    for (const row of table) {
        it(row.case, () => {
            const catalog = catalogWith(row.defaults, row.other);
            const { bindings, unresolved } = effectiveBindings(catalog, 'demo/us-west-2');
            assert.equal(bindings.length, 1, 'one version of each pack runs');
            assert.deepEqual(unresolved, [], 'a pack some group runs is determined');
            const [b] = bindings;
            assert.deepEqual([b.group, b.pack.versionTag, b.policies[0].level], [row.group, row.version, row.level]);
            if (row.reason) {
                assert.equal(b.overrides?.length, 1);
                assert.notEqual(b.overrides![0].group, row.group);
                assert.match(b.overrides![0].reason, row.reason);
            }
            // the stack is only in the default group: whatever `other` says, it gets the default group's binding
            const stack = effectiveBindings(catalog, 'shop').bindings;
            if (row.defaults && row.defaults.versionTag !== '9.9.9') assert.deepEqual(stack.map((s) => [s.group, s.overrides]), [['default-policy-group', undefined]]);
        });
    }

    it('explains the binding for the violation detail and marks the overridden group in its group view', () => {
        const catalog = catalogWith({ name: 'aws-typescript', versionTag: 'latest', configModifiedAt: EARLY }, { name: 'aws-typescript', versionTag: 'latest', config: advisory, configModifiedAt: LATE });
        const info = appliedBinding(catalog, 'demo/us-west-2', 'aws-typescript');
        assert.deepEqual({ ...info, overrides: info!.overrides.map((o) => o.group) }, { group: 'other', mode: 'audit', follows: 'latest', version: '0.0.3', configModifiedAt: LATE, overrides: ['default-policy-group'] });
        assert.equal(appliedBinding(catalog, 'demo/us-west-2', 'nothing'), undefined);
        const defaults = catalog.groups.find((g) => g.isDefault)!;
        const overridden = resolvedGroupPacks(catalog, defaults)[0].overriddenOn;
        assert.deepEqual(overridden?.map((o) => [o.member, o.by]), [['demo', 'other']], 'the stack shop still gets the default binding; the account demo gets other\u2019s');
        assert.equal(resolvedGroupPacks(catalog, catalog.groups.find((g) => g.name === 'other')!)[0].overriddenOn, undefined);
        // what the Policy Groups view is sent
        assert.deepEqual(groupViews(catalog, catalog.groups).map((g) => [g.name, Object.entries(g.overriddenOn).map(([pack, list]) => [pack, list.map((o) => o.by)])]), [
            ['default-policy-group', [['aws-typescript', ['other']]]],
            ['other', []],
        ]);
    });
});
