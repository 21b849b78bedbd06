import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
    createGroup,
    disablePack,
    editGroup,
    effectiveBindings,
    enablePack,
    getGroup,
    GroupError,
    joinDefaultGroup,
    removeGroup,
    validatePackConfig,
} from '../../../server/src/groups';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import { awsAccount, runCliOn, stackAccount, tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

function packVersion(version: number, versionTag: string): PolicyPackVersion {
    return {
        name: 'acme',
        version,
        versionTag,
        publishedAt: `2026-01-0${version}T00:00:00.000Z`,
        digest: `sha256-${version}`,
        policies: [
            { name: 'no-public-bucket', description: 'd', enforcementLevel: 'mandatory', policyType: 'resource', severity: 'high' },
            { name: 'required-tag', description: 'd', enforcementLevel: 'advisory', policyType: 'resource', configSchema: { properties: { tag: { type: 'string', minLength: 1, default: 'Owner' } } } },
            {
                name: 'size-limit',
                description: 'd',
                enforcementLevel: 'advisory',
                policyType: 'resource',
                configSchema: { properties: { limit: { type: 'integer', minimum: 1 }, units: { type: 'array', items: { type: 'string', enum: ['GB', 'TB'] } } }, required: ['limit'] },
            },
            { name: 'max-buckets', description: 'd', enforcementLevel: 'advisory', policyType: 'stack' },
        ],
    };
}

async function seeded(): Promise<TempStore> {
    const t = await tempStore();
    await t.store.updateCatalog((catalog) => {
        for (const account of [awsAccount('demo', ['us-east-1', 'us-west-2']), stackAccount('shop', 'shop', 'prod')]) {
            catalog.accounts.push(account);
            joinDefaultGroup(catalog, account);
        }
        catalog.packs.push(packVersion(1, '1.0.0'), packVersion(2, '2.0.0'));
    });
    return t;
}

async function rejects(promise: Promise<unknown>, code: GroupError['code'], message?: RegExp): Promise<GroupError> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof GroupError, `expected a GroupError, got ${String(error)}`);
        assert.equal(error.code, code, error.message);
        if (message) assert.match(error.message, message);
        return error;
    }
    assert.fail(`expected GroupError ${code}`);
}

const levels = (catalog: Awaited<ReturnType<TempStore['store']['readCatalog']>>, entity: string) =>
    Object.fromEntries(effectiveBindings(catalog, entity).bindings.flatMap((b) => b.policies.map((p) => [`${b.group}:${p.name}`, p.level])));

describe('policy groups: membership', () => {
    it('the default group always exists, holds every new account and stack, and cannot be removed', async () => {
        const t = await seeded();
        try {
            const group = await getGroup(t.store, 'default-policy-group');
            assert.deepEqual([group.accounts, group.stacks], [['demo'], ['shop']]);
            await rejects(removeGroup(t.store, 'default-policy-group'), 'default-group');
            await enablePack(t.store, { pack: 'acme', versionTag: 'latest', config: { 'size-limit': { limit: 1 } } });
            const catalog = await t.store.readCatalog();
            for (const entity of ['demo', 'demo/us-east-1', 'demo/us-west-2', 'shop']) {
                assert.deepEqual(effectiveBindings(catalog, entity).bindings.map((b) => `${b.group} ${b.pack.name}@${b.pack.versionTag}`), ['default-policy-group acme@2.0.0'], entity);
            }
        } finally {
            await t.cleanup();
        }
    });

    it('takes one region out of a group that lists the whole account, and adds accounts by name/region', async () => {
        const t = await seeded();
        try {
            await enablePack(t.store, { pack: 'acme', versionTag: 'latest', config: { 'size-limit': { limit: 1 } } });
            const { after } = await editGroup(t.store, 'default-policy-group', { removeAccounts: ['demo/us-west-2'] });
            assert.deepEqual(after.groups.find((g) => g.isDefault)!.accounts, ['demo/us-east-1']);
            assert.equal(effectiveBindings(after, 'demo/us-west-2').bindings.length, 0);
            assert.equal(effectiveBindings(after, 'demo/us-east-1').bindings.length, 1);

            await createGroup(t.store, { name: 'west', mode: 'preventative' });
            const edited = await editGroup(t.store, 'west', { addAccounts: ['demo/us-west-2'] });
            assert.deepEqual(edited.group!.accounts, ['demo/us-west-2']);
            assert.deepEqual((await editGroup(t.store, 'west', { removeAccounts: ['demo'] })).group!.accounts, [], 'the parent name takes all its regions out');
            await editGroup(t.store, 'west', { addAccounts: ['demo/us-west-2'] });
            await rejects(editGroup(t.store, 'west', { addAccounts: ['nobody'] }), 'not-found', /account add nobody/);
            await rejects(editGroup(t.store, 'west', { addAccounts: ['demo/mars-1'] }), 'not-found', /no region "mars-1"/);
            await rejects(editGroup(t.store, 'west', { addStacks: ['shop'] }), 'invalid', /is for accounts/);
            await rejects(editGroup(t.store, 'west', { addAccounts: ['shop'] }), 'invalid', /--add-stack/);
            await rejects(createGroup(t.store, { name: 'west' }), 'exists');
            await rejects(createGroup(t.store, { name: 'bad name' }), 'invalid');
            const stacks = await createGroup(t.store, { name: 'prod-stacks', entityType: 'stacks' });
            assert.equal(stacks.group!.entityType, 'stacks');
            const withStack = await editGroup(t.store, 'prod-stacks', { addStacks: ['shop/prod'] });
            assert.deepEqual(withStack.group!.stacks, ['shop/prod'], 'a stack can be named project/stack');
        } finally {
            await t.cleanup();
        }
    });

    it('loses no edit when several are made at once', async () => {
        const t = await seeded();
        try {
            await t.store.updateCatalog((c) => {
                for (let i = 0; i < 8; i++) c.accounts.push(awsAccount(`acct${i}`, ['us-east-1']));
            });
            await createGroup(t.store, { name: 'many' });
            await Promise.all(Array.from({ length: 8 }, (_, i) => editGroup(t.store, 'many', { addAccounts: [`acct${i}`] })));
            assert.deepEqual([...(await getGroup(t.store, 'many')).accounts].sort(), Array.from({ length: 8 }, (_, i) => `acct${i}`));
        } finally {
            await t.cleanup();
        }
    });
});

describe('policy groups: enforcement and versions', () => {
    it("applies the pack's levels, then the group's level for the whole pack (all), then per policy", async () => {
        const t = await seeded();
        try {
            await enablePack(t.store, { pack: 'acme', versionTag: 'latest', config: { 'size-limit': { limit: 5 } } });
            let c = await t.store.readCatalog();
            assert.deepEqual(levels(c, 'demo/us-east-1'), {
                'default-policy-group:no-public-bucket': 'mandatory',
                'default-policy-group:required-tag': 'advisory',
                'default-policy-group:size-limit': 'advisory',
                'default-policy-group:max-buckets': 'advisory',
            });
            await enablePack(t.store, { pack: 'acme', versionTag: 'latest', config: { all: 'mandatory', 'size-limit': { enforcementLevel: 'disabled', limit: 5 }, 'required-tag': { tag: 'Team' } } });
            c = await t.store.readCatalog();
            const binding = effectiveBindings(c, 'demo/us-east-1').bindings[0];
            assert.deepEqual(
                binding.policies.map((p) => [p.name, p.level, p.properties]),
                [
                    ['no-public-bucket', 'mandatory', undefined],
                    ['required-tag', 'mandatory', { tag: 'Team' }],
                    ['size-limit', 'disabled', { limit: 5 }],
                    ['max-buckets', 'mandatory', undefined],
                ],
            );
        } finally {
            await t.cleanup();
        }
    });

    it('latest follows new publishes; a pinned tag does not; a removed pinned version is reported', async () => {
        const t = await seeded();
        try {
            await createGroup(t.store, { name: 'pinned' });
            await editGroup(t.store, 'pinned', { addAccounts: ['demo'] });
            await enablePack(t.store, { group: 'pinned', pack: 'acme', versionTag: '1.0.0', config: { 'size-limit': { limit: 1 } } });
            await enablePack(t.store, { pack: 'acme', versionTag: 'latest', config: { 'size-limit': { limit: 1 } } });
            const tags = async () => effectiveBindings(await t.store.readCatalog(), 'demo/us-east-1').bindings.map((b) => `${b.group}=${b.pack.versionTag} over ${b.overrides?.map((o) => `${o.group}=${o.version}`).join(',')}`);
            // one version of a pack runs on an entity, the newest of its groups' (Pulumi's rule)
            assert.deepEqual(await tags(), ['default-policy-group=2.0.0 over pinned=1.0.0']);
            await t.store.updateCatalog((c) => void c.packs.push(packVersion(3, '3.0.0')));
            assert.deepEqual(await tags(), ['default-policy-group=3.0.0 over pinned=1.0.0']);
            const applied = (await getGroup(t.store, 'pinned')).appliedPolicyPacks[0];
            assert.deepEqual([applied.versionTag, applied.version], ['1.0.0', 1]);
            await disablePack(t.store, { pack: 'acme' });
            assert.deepEqual(await tags(), ['pinned=1.0.0 over undefined'], 'with the default group\'s binding gone, the pinned one runs');
            await t.store.updateCatalog((c) => void (c.packs = c.packs.filter((p) => p.version !== 1)));
            const { unresolved } = effectiveBindings(await t.store.readCatalog(), 'demo/us-east-1');
            assert.equal(unresolved.length, 1);
            assert.match(unresolved[0].problem, /no version 1\.0\.0/);
            await rejects(enablePack(t.store, { pack: 'acme', versionTag: '9.9.9' }), 'not-found', /versions: 2\.0\.0, 3\.0\.0, or latest/);
            await rejects(enablePack(t.store, { pack: 'nope', versionTag: 'latest' }), 'not-found');
            await disablePack(t.store, { group: 'pinned', pack: 'acme' });
            await rejects(disablePack(t.store, { group: 'pinned', pack: 'acme' }), 'not-found');
        } finally {
            await t.cleanup();
        }
    });
});

describe('policy groups: config validation', () => {
    it('reports each error with its JSON path', () => {
        const errors = validatePackConfig(packVersion(1, '1.0.0'), {
            all: { enforcementLevel: 'mandatory', tag: 'x' },
            'no-public-buckets': 'advisory',
            'no-public-bucket': { enforcementLevel: 'strict', extra: 1 },
            'required-tag': { tag: '' },
            'size-limit': { limit: 0, units: ['GB', 'PB'] },
            'max-buckets': 'mandtory',
        });
        assert.deepEqual(
            errors.map((e) => `${e.path}: ${e.message}`),
            [
                '$.all.tag: "all" sets only an enforcement level for the whole pack; put "tag" under the policy it configures',
                '$["no-public-buckets"]: policy pack acme@1.0.0 has no policy "no-public-buckets"; did you mean "no-public-bucket"? (its policies: no-public-bucket, required-tag, size-limit, max-buckets)',
                '$["no-public-bucket"].enforcementLevel: "strict" is not an enforcement level (advisory, mandatory, remediate, disabled)',
                '$["no-public-bucket"].extra: policy "no-public-bucket" takes no configuration properties',
                '$["max-buckets"]: "mandtory" is not an enforcement level (advisory, mandatory, remediate, disabled)',
                '$["required-tag"].tag: must NOT have fewer than 1 characters',
                '$["size-limit"].limit: must be >= 1',
                '$["size-limit"].units[1]: must be equal to one of the allowed values: "GB", "TB"',
            ],
        );
        assert.deepEqual(
            validatePackConfig(packVersion(1, '1.0.0'), {}).map((e) => `${e.path}: ${e.message}`),
            ['$["size-limit"]: missing required property "limit"'],
        );
        assert.deepEqual(validatePackConfig(packVersion(1, '1.0.0'), { 'size-limit': { limit: 3 } }), []);
        assert.equal(validatePackConfig(packVersion(1, '1.0.0'), [1])[0].path, '$');
    });

    it('refuses to enable a pack with an invalid config and leaves the group as it was', async () => {
        const t = await seeded();
        try {
            const error = await rejects(enablePack(t.store, { pack: 'acme', versionTag: '1.0.0', config: { 'size-limit': { limit: 'ten' } } }), 'invalid-config');
            assert.deepEqual(error.configErrors, [{ path: '$["size-limit"].limit', message: 'must be integer' }]);
            assert.deepEqual((await getGroup(t.store, 'default-policy-group')).appliedPolicyPacks, []);
        } finally {
            await t.cleanup();
        }
    });
});

describe('policy-insights policy group / enable / disable / validate-config', () => {
    const cli = runCliOn;

    it('creates, edits, shows and removes groups and enables packs with a config file', async () => {
        const t = await seeded();
        try {
            assert.equal((await cli(t.home, 'policy', 'group', 'new', 'prod', '--mode', 'preventative')).code, 0);
            assert.equal((await cli(t.home, 'policy', 'group', 'new', 'prod')).code, 2);
            assert.equal((await cli(t.home, 'policy', 'group', 'new', 'x', '--mode', 'strict')).code, 2);
            const edit = await cli(t.home, 'policy', 'group', 'edit', 'prod', '--add-account', 'demo/us-east-1', '--add-account', 'demo/us-west-2', '--add-policy-pack', 'acme@1.0.0');
            assert.equal(edit.code, 1, 'acme@1.0.0 needs size-limit.limit: enabling it without config is a validation error');
            assert.match(edit.err, /\$\["size-limit"\]: missing required property "limit"/);
            assert.match((await cli(t.home, 'policy', 'group', 'get', 'prod')).out, /accounts: -/, 'a failed edit changes nothing');
            assert.equal((await cli(t.home, 'policy', 'group', 'edit', 'prod', '--add-account', 'demo/us-east-1,demo/us-west-2')).code, 0);
            const config = join(t.home, 'acme.json');
            await writeFile(config, JSON.stringify({ all: 'mandatory', 'size-limit': { limit: 10 } }));
            assert.equal((await cli(t.home, 'policy', 'enable', 'acme', '1.0.0', '--policy-group', 'prod', '--config', config)).code, 0);
            const get = await cli(t.home, 'policy', 'group', 'get', 'prod');
            assert.equal(get.code, 0);
            assert.match(get.out, /accounts: demo\/us-east-1, demo\/us-west-2/);
            assert.match(get.out, /acme\s+1\.0\.0\s+1\.0\.0\s+size-limit\s+resource\s+mandatory\s+\{"limit":10\}/);
            const ls = JSON.parse((await cli(t.home, 'policy', 'group', 'ls', '--json')).out) as { name: string }[];
            assert.deepEqual(ls.map((g) => g.name), ['default-policy-group', 'prod']);
            assert.equal((await cli(t.home, 'policy', 'disable', 'acme', '--policy-group', 'prod')).code, 0);
            assert.equal((await cli(t.home, 'policy', 'disable', 'acme', '--policy-group', 'prod')).code, 2);
            assert.equal((await cli(t.home, 'policy', 'group', 'remove', 'default-policy-group')).code, 2);
            assert.equal((await cli(t.home, 'policy', 'group', 'remove', 'prod')).code, 0);
        } finally {
            await t.cleanup();
        }
    });

    it('validate-config prints each error with its JSON path and exits 1', async () => {
        const t = await seeded();
        try {
            const bad = join(t.home, 'bad.yaml');
            await writeFile(bad, "size-limit:\n  limit: 0\n  units: [PB]\nrequired-tag: loud\n");
            const result = await cli(t.home, 'policy', 'validate-config', 'acme', '2.0.0', '--config', bad);
            assert.equal(result.code, 1, result.err);
            assert.deepEqual(result.err.split('\n'), [
                `${bad}: $["required-tag"]: "loud" is not an enforcement level (advisory, mandatory, remediate, disabled)`,
                `${bad}: $["size-limit"].limit: must be >= 1`,
                `${bad}: $["size-limit"].units[0]: must be equal to one of the allowed values: "GB", "TB"`,
                `3 errors in ${bad} for acme@2.0.0.`,
            ]);
            const good = join(t.home, 'good.json');
            await writeFile(good, '{"size-limit": {"limit": 2}}');
            assert.equal((await cli(t.home, 'policy', 'validate-config', 'acme', 'latest', '--config', good)).code, 0);
            const broken = join(t.home, 'broken.json');
            await writeFile(broken, '{"size-limit": ');
            const parse = await cli(t.home, 'policy', 'validate-config', 'acme', '2.0.0', '--config', broken);
            assert.equal(parse.code, 2);
            assert.match(parse.err, /broken\.json is not valid JSON/);
            assert.equal((await cli(t.home, 'policy', 'validate-config', 'acme', '7.0.0', '--config', good)).code, 2);
        } finally {
            await t.cleanup();
        }
    });
});
