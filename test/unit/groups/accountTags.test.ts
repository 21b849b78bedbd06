/**
 * Tags an account or stack carries from the start: `account add --tag k=v`, and a stack's own
 * tags from the files beside its state as Pulumi derives them (Pulumi.yaml's runtime and
 * description, the `pulumi:tags` config of Pulumi.<stack>.yaml, the file backend's
 * `<stack>.pulumi-tags`), followed at each re-import; and `account edit --schedule`.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readStackTags } from '../../../server/src/accounts/stacks/stackTags';
import { Store } from '../../../server/src/store';
import { tempDir } from '../accounts/accountsTestSupport';
import { shopExport } from '../accounts/stackSecretsTestSupport';
import { runCliOn } from '../evaluation/evaluationTestSupport';

async function ok(home: string, ...args: string[]): Promise<{ out: string; err: string }> {
    const run = await runCliOn(home, ...args);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.err}\n${run.out}`);
    return run;
}

async function accountOf(home: string, name: string) {
    const store = await Store.open({ home });
    try {
        return (await store.readCatalog()).accounts.find((a) => a.name === name);
    } finally {
        await store.close();
    }
}

describe('account and stack tags from the start', () => {
    it('a stack carries the tags its files give: Pulumi.yaml, pulumi:tags config, the file backend\u2019s tags file', async () => {
        const { dir, cleanup } = await tempDir('pi-stack-tags-');
        try {
            // a project folder holding the export (as `pulumi stack export > prod.json` run there leaves it)
            await writeFile(join(dir, 'prod.json'), JSON.stringify(shopExport()));
            assert.deepEqual(await readStackTags(join(dir, 'prod.json'), 'shop', 'prod'), {}, 'no files: no tags');
            await writeFile(join(dir, 'Pulumi.yaml'), 'name: shop\nruntime:\n  name: nodejs\n  options: { typescript: true }\ndescription: The shop\n');
            await writeFile(join(dir, 'Pulumi.prod.yaml'), 'config:\n  aws:region: us-west-2\n  pulumi:tags:\n    env: prod\n    team: web\n');
            assert.deepEqual(await readStackTags(join(dir, 'prod.json'), 'shop', 'prod'), { 'pulumi:runtime': 'nodejs', 'pulumi:description': 'The shop', env: 'prod', team: 'web' });
            // another project's Pulumi.yaml: not this stack's folder, so none of its files count
            assert.deepEqual(await readStackTags(join(dir, 'prod.json'), 'other', 'prod'), {});
            await writeFile(join(dir, 'Pulumi.prod.yaml'), 'config:\n  pulumi:tags: [prod]\n');
            await assert.rejects(readStackTags(join(dir, 'prod.json'), 'shop', 'prod'), /Pulumi\.prod\.yaml: pulumi:tags must be an object of strings/);

            // the file backend: .pulumi/stacks/<project>/<stack>.json with <stack>.pulumi-tags beside it (`pulumi stack tag set`)
            const backend = join(dir, '.pulumi', 'stacks', 'shop');
            await mkdir(backend, { recursive: true });
            await writeFile(join(backend, 'prod.json'), JSON.stringify({ version: 3, checkpoint: { stack: 'prod', latest: shopExport().deployment } }));
            await writeFile(join(backend, 'prod.pulumi-tags'), JSON.stringify({ version: 1, tags: { owner: 'ops', 'pulumi:project': 'shop' } }));
            assert.deepEqual(await readStackTags(join(backend, 'prod.json'), 'shop', 'prod'), { owner: 'ops', 'pulumi:project': 'shop' });
            await writeFile(join(backend, 'prod.pulumi-tags'), JSON.stringify({ version: 2, tags: {} }));
            await assert.rejects(readStackTags(join(backend, 'prod.json'), 'shop', 'prod'), /unsupported stack tags file/);
        } finally {
            await cleanup();
        }
    });

    it('account add --tag and the stack\u2019s own tags put it in a tag-rule group; a re-import follows the files', async () => {
        const { dir, cleanup } = await tempDir('pi-stack-tags-cli-');
        try {
            const home = join(dir, 'home');
            const state = join(dir, 'prod.json');
            await writeFile(state, JSON.stringify(shopExport()));
            await writeFile(join(dir, 'Pulumi.yaml'), 'name: shop\nruntime: nodejs\n');
            await writeFile(join(dir, 'Pulumi.prod.yaml'), 'config:\n  pulumi:tags:\n    env: prod\n');

            const bad = await runCliOn(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', state, '--tag', 'novalue');
            assert.equal(bad.code, 2);
            assert.match(bad.err, /"novalue" is not a tag: write key=value/);
            assert.equal(await accountOf(home, 'shop'), undefined, 'a bad tag adds nothing');

            const added = await ok(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', state, '--tag', 'team=web', '--tag', 'tier=1');
            assert.match(added.out, /Tagged shop: team=web, tier=1\./);
            const account = (await accountOf(home, 'shop'))!;
            assert.deepEqual(account.tags, { team: 'web', tier: '1' });
            assert.deepEqual(account.stackTags, { 'pulumi:runtime': 'nodejs', env: 'prod' });

            await ok(home, 'policy', 'group', 'new', 'prod-node', '--entity-type', 'stacks');
            await ok(home, 'policy', 'group', 'edit', 'prod-node', '--add-tag-rule', 'pulumi:runtime=nodejs,env=prod,team=web');
            const groupsOf = async () => ({ member: (await ok(home, 'policy', 'group', 'get', 'prod-node')).out });
            assert.match((await groupsOf()).member, /members by tag: shop \(pulumi:runtime=nodejs,env=prod,team=web\)/);

            // the config's tags change and the stack is re-imported: membership follows
            await writeFile(join(dir, 'Pulumi.prod.yaml'), 'config:\n  pulumi:tags:\n    env: staging\n');
            await ok(home, 'account', 'scan', 'shop', '--no-evaluate');
            assert.deepEqual((await accountOf(home, 'shop'))?.stackTags, { 'pulumi:runtime': 'nodejs', env: 'staging' });
            assert.match((await groupsOf()).member, /members by tag: -/);
            // a tag set here wins over the stack's own
            await ok(home, 'account', 'tag', 'shop', 'env=prod');
            assert.match((await groupsOf()).member, /members by tag: shop \(/);
        } finally {
            await cleanup();
        }
    });

    it('account edit --schedule changes the scan schedule with the words account add takes', async () => {
        const { dir, cleanup } = await tempDir('pi-account-edit-');
        try {
            const home = join(dir, 'home');
            const state = join(dir, 'prod.json');
            await writeFile(state, JSON.stringify(shopExport()));
            await ok(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', state, '--schedule', 'daily');
            assert.equal((await accountOf(home, 'shop'))?.scanSchedule, 'daily');
            assert.match((await ok(home, 'account', 'edit', 'shop', '--schedule', '12h')).out, /shop is now scanned every 12 hours\./);
            assert.equal((await accountOf(home, 'shop'))?.scanSchedule, '12h');
            assert.match((await ok(home, 'account', 'edit', 'shop', '--schedule', 'none')).out, /only when asked/);
            const wrong = await runCliOn(home, 'account', 'edit', 'shop', '--schedule', 'hourly');
            assert.equal(wrong.code, 2);
            assert.match(wrong.err, /--schedule must be one of none, 12h, daily, got "hourly"/);
            const nothing = await runCliOn(home, 'account', 'edit', 'shop');
            assert.equal(nothing.code, 2);
            assert.match(nothing.err, /nothing to change: give --schedule/);
            const ghost = await runCliOn(home, 'account', 'edit', 'ghost', '--schedule', 'daily');
            assert.equal(ghost.code, 2);
            assert.match(ghost.err, /no account "ghost"/);
        } finally {
            await cleanup();
        }
    });
});
