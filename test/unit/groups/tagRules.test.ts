/**
 * Tag rules ("assign policy groups by stack and account tags"): all conditions of a rule, any
 * rule; membership follows the tags as they change, and the group says why a member is in it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGroup, editGroup, effectiveBindings, enablePack, GroupError, joinDefaultGroup, listPolicyGroupViews, matchingRule, parseTagRule, tagAccount } from '../../../server/src/groups';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import { awsAccount, runCliOn, stackAccount, tempStore } from '../evaluation/evaluationTestSupport';

const pack: PolicyPackVersion = {
    name: 'aws-guard',
    version: 1,
    versionTag: '1.0.0',
    publishedAt: '2026-01-01T00:00:00.000Z',
    digest: 'sha256-1',
    policies: [{ name: 'no-public-bucket', description: 'd', enforcementLevel: 'mandatory', policyType: 'resource' }],
};

describe('policy groups: tag rules', () => {
    it('a rule needs all its conditions (key=value, or key for any value); any rule admits', () => {
        const rules = [parseTagRule('env=prod,team=web'), parseTagRule('critical')];
        assert.equal(matchingRule(rules, { tags: { env: 'prod', team: 'web', x: '1' } }), rules[0]);
        assert.equal(matchingRule(rules, { tags: { env: 'prod' } }), undefined, 'one condition is not enough');
        assert.equal(matchingRule(rules, { tags: { env: 'dev', team: 'web' } }), undefined);
        assert.equal(matchingRule(rules, { tags: { critical: '' } }), rules[1]);
        assert.equal(matchingRule(rules, {}), undefined);
        assert.equal(matchingRule(undefined, { tags: { env: 'prod' } }), undefined);
        assert.throws(() => parseTagRule(' , '), GroupError);
        assert.throws(() => parseTagRule('=prod'), /not a tag key/);
    });

    it('membership follows tag edits, for the group\u2019s entity type, and the view says which rule admitted a member', async () => {
        const t = await tempStore();
        try {
            await t.store.updateCatalog((catalog) => {
                for (const account of [awsAccount('web', ['us-west-2']), stackAccount('shop', 'shop', 'prod')]) {
                    catalog.accounts.push(account);
                    joinDefaultGroup(catalog, account);
                }
                catalog.packs.push(pack);
            });
            await createGroup(t.store, { name: 'prod-accounts' });
            await enablePack(t.store, { group: 'prod-accounts', pack: 'aws-guard', versionTag: 'latest' });
            await editGroup(t.store, 'prod-accounts', { addTagRules: ['env=prod,team=web'] });
            const groupsOf = async (entity: string) => effectiveBindings(await t.store.readCatalog(), entity).bindings.map((b) => b.group);
            assert.deepEqual(await groupsOf('web/us-west-2'), [], 'no tags yet');

            await tagAccount(t.store, 'web', { set: ['env=prod'] });
            assert.deepEqual(await groupsOf('web/us-west-2'), [], 'one of two conditions');
            const change = await tagAccount(t.store, 'web', { set: ['team=web'] });
            assert.deepEqual(change.tags, { env: 'prod', team: 'web' });
            assert.deepEqual(await groupsOf('web/us-west-2'), ['prod-accounts']);
            const view = (await listPolicyGroupViews(t.store)).find((g) => g.name === 'prod-accounts')!;
            assert.deepEqual(view.tagMembers, [{ member: 'web', kind: 'accounts', rule: 'env=prod,team=web' }]);

            // a stack with the same tags is not an account: an accounts group does not take it
            await tagAccount(t.store, 'shop', { set: ['env=prod', 'team=web'] });
            assert.deepEqual(await groupsOf('shop'), []);
            // a stack's built-in pulumi:project tag is there without being set
            await createGroup(t.store, { name: 'shop-stacks', entityType: 'stacks' });
            await enablePack(t.store, { group: 'shop-stacks', pack: 'aws-guard', versionTag: 'latest' });
            await editGroup(t.store, 'shop-stacks', { addTagRules: ['pulumi:project=shop'] });
            assert.deepEqual(await groupsOf('shop'), ['shop-stacks']);

            await tagAccount(t.store, 'web', { remove: ['team'] });
            assert.deepEqual(await groupsOf('web/us-west-2'), [], 'the tag went, so did the membership');
            await assert.rejects(tagAccount(t.store, 'web', { remove: ['team'] }), /has no tag "team"/);
            await assert.rejects(tagAccount(t.store, 'ghost', { set: ['a=b'] }), /No account or stack "ghost"/);
            await assert.rejects(tagAccount(t.store, 'web', { set: ['novalue'] }), /not a tag: write key=value/);
        } finally {
            await t.cleanup();
        }
    });

    it('on the CLI: group edit --add-tag-rule / --remove-tag-rule, account tag, group get shows why', async () => {
        const t = await tempStore();
        try {
            await t.store.updateCatalog((catalog) => {
                const account = awsAccount('web', ['us-west-2']);
                catalog.accounts.push(account);
                joinDefaultGroup(catalog, account);
            });
            const cli = (...args: string[]) => runCliOn(t.home, ...args);
            assert.equal((await cli('policy', 'group', 'new', 'prod')).code, 0);
            const added = await cli('policy', 'group', 'edit', 'prod', '--add-tag-rule', 'env=prod,team=web', '--add-tag-rule', 'critical');
            assert.equal(added.code, 0, added.err);
            const tagged = await cli('account', 'tag', 'web', 'env=prod', 'team=web');
            assert.equal(tagged.code, 0, tagged.err);
            assert.equal(tagged.out, 'web: env=prod, team=web');
            const get = await cli('policy', 'group', 'get', 'prod');
            assert.match(get.out, /tag rules \(any of\): env=prod,team=web; critical/);
            assert.match(get.out, /members by tag: web \(env=prod,team=web\)/);
            assert.equal((await cli('policy', 'group', 'edit', 'prod', '--remove-tag-rule', 'env=prod,team=web')).code, 0);
            assert.match((await cli('policy', 'group', 'get', 'prod')).out, /members by tag: -/);
            assert.equal((await cli('policy', 'group', 'edit', 'prod', '--remove-tag-rule', 'nope=1')).code, 2);
            assert.equal((await cli('account', 'tag', 'web', '--remove', 'env')).out, 'web: team=web');
        } finally {
            await t.cleanup();
        }
    });
});
