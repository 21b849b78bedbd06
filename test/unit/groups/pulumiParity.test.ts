/**
 * A Pulumi user's `pulumi policy` words work here (pulumi/pulumi pkg/cmd/pulumi/policy):
 * `org/pack`, version numbers as well as tags, `rm --yes`, `ls --json`'s shape, `group edit
 * --name` and `--add-insights-account`, `new` without a template, and `violations --json` =
 * `--format json`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getGroup, joinDefaultGroup, listPolicyGroups } from '../../../server/src/groups';
import type { PolicyPackVersion } from '../../../server/src/shared/model';
import { repoRoot } from '../runner/runnerTestEnv';
import { awsAccount, runCliOn, tempStore, type TempStore } from '../evaluation/evaluationTestSupport';

function packVersion(version: number, versionTag: string): PolicyPackVersion {
    return {
        name: 'aws-guard',
        version,
        versionTag,
        publishedAt: `2026-01-0${version}T00:00:00.000Z`,
        digest: `sha256-${version}`,
        policies: [{ name: 'no-public-bucket', description: 'd', enforcementLevel: 'mandatory', policyType: 'resource' }],
    };
}

async function seeded(): Promise<TempStore> {
    const t = await tempStore();
    await t.store.updateCatalog((catalog) => {
        const account = awsAccount('insights-aws-account', ['us-west-2']);
        catalog.accounts.push(account);
        joinDefaultGroup(catalog, account);
        catalog.packs.push(packVersion(1, '1.0.0'), packVersion(2, '2.0.0'), packVersion(3, '3.0.0'));
    });
    return t;
}

async function withSeeded(body: (t: TempStore, cli: (...args: string[]) => ReturnType<typeof runCliOn>) => Promise<void>): Promise<void> {
    const t = await seeded();
    try {
        await body(t, (...args) => runCliOn(t.home, ...args));
    } finally {
        await t.cleanup();
    }
}

describe('pulumi policy parity', () => {
    it('enable takes org/pack (the org set aside with a notice) and a version number as well as a tag', () =>
        withSeeded(async (t, cli) => {
            const byNumber = await cli('policy', 'enable', 'acme-corp/aws-guard', '2');
            assert.equal(byNumber.code, 0, byNumber.err);
            assert.match(byNumber.err, /notice: the organization "acme-corp" in "acme-corp\/aws-guard" is ignored/);
            assert.deepEqual((await getGroup(t.store, 'default-policy-group')).appliedPolicyPacks.map((p) => [p.name, p.versionTag, p.version]), [['aws-guard', '2.0.0', 2]]);
            assert.equal((await cli('policy', 'enable', 'aws-guard', '1.0.0')).code, 0);
            assert.equal((await getGroup(t.store, 'default-policy-group')).appliedPolicyPacks[0].versionTag, '1.0.0');
            const missing = await cli('policy', 'enable', 'aws-guard', '9');
            assert.equal(missing.code, 2);
            assert.match(missing.err, /has no version 9 \(versions: 1\.0\.0, 2\.0\.0, 3\.0\.0, or latest\)/);
        }));

    it('disable --version disables only the version that is enabled (tag or number)', () =>
        withSeeded(async (t, cli) => {
            await cli('policy', 'enable', 'aws-guard', '2.0.0');
            const wrong = await cli('policy', 'disable', 'aws-guard', '--version', '1');
            assert.equal(wrong.code, 2);
            assert.match(wrong.err, /has aws-guard@2\.0\.0 enabled, not 1\.0\.0/);
            assert.equal((await cli('policy', 'disable', 'org/aws-guard', '--version', '2')).code, 0);
            assert.deepEqual((await getGroup(t.store, 'default-policy-group')).appliedPolicyPacks, []);
        }));

    it('rm asks for confirmation: refused without --yes when not interactive; takes a version number', () =>
        withSeeded(async (t, cli) => {
            const refused = await cli('policy', 'rm', 'aws-guard', '1');
            assert.equal(refused.code, 2);
            assert.match(refused.err, /pass --yes/);
            assert.equal((await t.store.readCatalog()).packs.length, 3, 'nothing removed');
            const removed = await cli('policy', 'rm', 'aws-guard', '1', '--yes');
            assert.equal(removed.code, 0, removed.err);
            assert.match(removed.out, /Removed aws-guard@1\.0\.0 \(version 1\)/);
            assert.equal((await cli('policy', 'rm', 'my-org/aws-guard', '2.0.0', '-y')).code, 0);
            assert.deepEqual((await t.store.readCatalog()).packs.map((p) => p.versionTag), ['3.0.0']);
        }));

    it("ls --json has pulumi policy ls's shape: [{name, versions}] with tags newest first", () =>
        withSeeded(async (_t, cli) => {
            const ls = await cli('policy', 'ls', '--json');
            assert.deepEqual(JSON.parse(ls.out), [{ name: 'aws-guard', versions: ['3.0.0', '2.0.0', '1.0.0'], latestVersion: '3.0.0' }]);
        }));

    it('group edit --name renames (not the default group); --add-insights-account/--remove-insights-account are accepted; --add-policy-pack P@N', () =>
        withSeeded(async (t, cli) => {
            assert.equal((await cli('policy', 'group', 'new', 's3-security')).code, 0);
            const edited = await cli('policy', 'group', 'edit', 's3-security', '--name', 's3-security-policy-group', '--add-insights-account', 'insights-aws-account/us-west-2', '--add-policy-pack', 'aws-guard@2');
            assert.equal(edited.code, 0, edited.err);
            const group = await getGroup(t.store, 's3-security-policy-group');
            assert.deepEqual([group.accounts, group.appliedPolicyPacks.map((p) => p.versionTag)], [['insights-aws-account/us-west-2'], ['2.0.0']]);
            assert.deepEqual((await listPolicyGroups(t.store)).map((g) => g.name), ['default-policy-group', 's3-security-policy-group']);
            assert.equal((await cli('policy', 'group', 'edit', 's3-security-policy-group', '--remove-insights-account', 'insights-aws-account/us-west-2')).code, 0);
            assert.deepEqual((await getGroup(t.store, 's3-security-policy-group')).accounts, []);
            const renameDefault = await cli('policy', 'group', 'edit', 'default-policy-group', '--name', 'other');
            assert.equal(renameDefault.code, 2);
            assert.match(renameDefault.err, /keeps its name/);
            assert.equal((await cli('policy', 'group', 'new', 'taken')).code, 0);
            assert.equal((await cli('policy', 'group', 'edit', 'taken', '--name', 's3-security-policy-group')).code, 2);
        }));

    it('new without a template lists the templates', () =>
        withSeeded(async (_t, cli) => {
            // the test bundle is not beside the templates as the CLI's is: point it at the repository's
            process.env.POLICY_INSIGHTS_TEMPLATES_DIR = join(repoRoot, 'templates');
            const run = await cli('policy', 'new');
            assert.equal(run.code, 2);
            assert.match(run.out, /aws-typescript/);
            assert.match(run.err, /Choose a template: policy-insights policy new <template>/);
        }));

    it('violations --json and --format json print the same document', () =>
        withSeeded(async (_t, cli) => {
            const a = JSON.parse((await cli('violations', '--json')).out) as Record<string, unknown>;
            const b = JSON.parse((await cli('violations', '--format', 'json')).out) as Record<string, unknown>;
            assert.deepEqual(Object.keys(a).sort(), ['count', 'generatedAt', 'total', 'violations']);
            assert.deepEqual({ ...a, generatedAt: '' }, { ...b, generatedAt: '' });
        }));
});
