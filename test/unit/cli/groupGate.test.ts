/**
 * Policy groups on the command line with a real pack (the aws-typescript template, published)
 * and a real stack export: the Pulumi Insights page's flow across two groups, the preventative
 * gate (`analyze --policy-group` / `--stack`) and `policy install-group`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import { scaffoldPack } from '../../../server/src/packs/scaffold';
import { tempDir } from '../accounts/accountsTestSupport';
import { shopExport, SHOP_URNS } from '../accounts/stackSecretsTestSupport';
import { hostScript, repoRoot } from '../runner/runnerTestEnv';

interface CliRun {
    code: number;
    out: string;
    err: string;
}

let dir: string;
let cleanup: () => Promise<void>;
let stateFile: string;
let packDir: string;

async function cli(home: string, ...args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...args, '--home', join(dir, home)], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

async function ok(home: string, ...args: string[]): Promise<CliRun> {
    const run = await cli(home, ...args);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.err}\n${run.out}`);
    return run;
}

/** A home with aws-typescript published and enabled in the default group at its own (mandatory) level, and the stack `shop` imported. */
async function seededHome(home: string): Promise<void> {
    await ok(home, 'policy', 'publish', packDir);
    await ok(home, 'policy', 'enable', 'aws-typescript', 'latest');
    await ok(home, 'account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', stateFile);
}

/** The policy events of `analyze --json` without their sequence and time. */
function policyEvents(out: string): unknown[] {
    return out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.policyEvent)
        .map((e) => e.policyEvent);
}

before(async () => {
    process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
    ({ dir, cleanup } = await tempDir('pi-groups-cli-'));
    packDir = join(dir, 'aws-typescript');
    await scaffoldPack({ template: 'aws-typescript', dir: packDir, templatesDir: join(repoRoot, 'templates'), force: true });
    await symlink(join(repoRoot, 'node_modules'), join(packDir, 'node_modules'), 'dir');
    stateFile = join(dir, 'prod.json');
    // the bucket `assets` asks for acl public-read: s3-no-public-read reports it
    await writeFile(stateFile, JSON.stringify(shopExport()));
});

after(async () => {
    await cleanup?.();
});

describe('policy groups on the CLI', () => {
    it("the Insights page's flow: the group that enabled the pack at advisory later is the one enforced", async () => {
        const home = 'flow';
        await seededHome(home);
        await ok(home, 'policy', 'group', 'new', 's3-security-policy-group', '--entity-type', 'stacks');
        await ok(home, 'policy', 'group', 'edit', 's3-security-policy-group', '--add-stack', 'shop');
        const config = join(dir, 'advisory.json');
        await writeFile(config, JSON.stringify({ all: 'advisory' }));
        await ok(home, 'policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 's3-security-policy-group', '--config', config);
        await ok(home, 'account', 'scan', 'shop');
        const list = (JSON.parse((await ok(home, 'violations', '--json')).out) as { violations: { policyName: string; resourceURN: string; level: string; policyGroupName: string; id: string }[] }).violations;
        assert.deepEqual(
            list.map((v) => [v.policyName, v.resourceURN, v.level, v.policyGroupName]),
            [['s3-no-public-read', SHOP_URNS.assets, 'advisory', 's3-security-policy-group']],
        );
        // evaluate: Evaluate Now on the command line, the cache ignored, the same result
        assert.match((await ok(home, 'evaluate')).out, /Evaluated 1 account\(s\): 1 open violation\(s\), 0 new, 0 resolved\./);
        assert.match((await ok(home, 'evaluate', '--account', 'nope')).out, /No stored resources for nope/);

        // violations show: the same record as the detail pane, with the binding that applied and the one it overrode
        const shown = await ok(home, 'violations', 'show', list[0].id);
        for (const expected of [
            /Type: +aws:s3\/bucket:Bucket/,
            new RegExp(`URN: +${SHOP_URNS.assets.replace(/[$]/g, '\\$')}`),
            /Account: +shop/,
            /\* acl: "public-read"/,
            /Pack: +aws-typescript@0\.0\.1/,
            /Level: +advisory \(the pack declares mandatory\)/,
            /Description: +Prohibits setting the public-read/,
            /Remediation: +Set the bucket's `acl` to `private`/,
            /has the 'public-read' ACL/,
            /Reported by: +s3-security-policy-group \(audit\)/,
            /Applies now: +s3-security-policy-group \(audit\), latest = 0\.0\.1, config modified 20/,
            /Overrides: +default-policy-group \(latest = 0\.0\.1\): same version 0\.0\.1; the configuration in "s3-security-policy-group" was modified more recently/,
            /First seen: +20/,
            /Status: +open/,
            /Priority: +none/,
        ]) {
            assert.match(shown.out, expected);
        }
        const shownJson = JSON.parse((await ok(home, 'violations', 'show', list[0].id, '--json')).out) as { binding: { group: string; overrides: { group: string }[] }; highlightedProperties: string[] };
        assert.deepEqual([shownJson.binding.group, shownJson.binding.overrides.map((o) => o.group), shownJson.highlightedProperties], ['s3-security-policy-group', ['default-policy-group'], ['acl']]);
        const unknown = await cli(home, 'violations', 'show', 'nope');
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /No violation with id nope/);

        const defaults = await ok(home, 'policy', 'group', 'get', 'default-policy-group');
        assert.match(defaults.out, /aws-typescript on shop: policy group s3-security-policy-group's binding \(0\.0\.1\) applies instead: same version 0\.0\.1; the configuration in "s3-security-policy-group" was modified more recently/);
        const asJson = JSON.parse((await ok(home, 'policy', 'group', 'get', 'default-policy-group', '--json')).out) as { resolvedPolicyPacks: { overriddenOn?: { member: string; by: string }[] }[] };
        assert.deepEqual(asJson.resolvedPolicyPacks[0].overriddenOn?.map((o) => [o.member, o.by]), [['shop', 's3-security-policy-group']]);

        // enabling it again in the default group makes that configuration the most recent: mandatory again
        await ok(home, 'policy', 'enable', 'aws-typescript', 'latest');
        const again = (JSON.parse((await ok(home, 'violations', '--json')).out) as { violations: { level: string; policyGroupName: string }[] }).violations;
        assert.deepEqual(again.map((v) => [v.level, v.policyGroupName]), [['mandatory', 'default-policy-group']]);

        // Pulumi lets a stack leave the default group: then only s3-security-policy-group applies
        await ok(home, 'policy', 'group', 'edit', 'default-policy-group', '--remove-stack', 'shop');
        const left = (JSON.parse((await ok(home, 'violations', '--json')).out) as { violations: { level: string; policyGroupName: string }[] }).violations;
        assert.deepEqual(left.map((v) => [v.level, v.policyGroupName]), [['advisory', 's3-security-policy-group']]);
    });

    it('analyze --policy-group: a mandatory finding of a preventative group exits 1; an audit group never blocks', async () => {
        const home = 'gate';
        await seededHome(home);
        await ok(home, 'policy', 'group', 'new', 'prod-gate', '--entity-type', 'stacks', '--mode', 'preventative');
        await ok(home, 'policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 'prod-gate');

        const gated = await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'prod-gate');
        assert.equal(gated.code, 1, gated.err);
        assert.match(gated.out, /\[mandatory\]  s3-no-public-read  \(aws-typescript@0\.0\.1\)/);
        assert.match(gated.out, /Blocked: 1 mandatory violation\(s\) from preventative groups/);

        // the default group is audit: the same mandatory finding is reported, and does not block
        const audit = await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'default-policy-group');
        assert.equal(audit.code, 0, audit.err);
        assert.match(audit.out, /\[mandatory\]  s3-no-public-read/);
        assert.match(audit.out, /1 mandatory violation\(s\) and 0 policy error\(s\) from audit groups are reported and do not block/);
        const auditJson = await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'default-policy-group', '--json');
        assert.equal(auditJson.code, 0);
        assert.match(auditJson.out, /"result":"succeeded"/);

        // --stack: the groups the stored stack is in (only the default group yet), with its recorded state file
        assert.equal((await cli(home, 'analyze', '--stack', 'shop')).code, 0);
        await ok(home, 'policy', 'group', 'edit', 'prod-gate', '--add-stack', 'shop/prod');
        const byStack = await cli(home, 'analyze', '--stack', 'shop');
        assert.equal(byStack.code, 1, 'prod-gate now covers the stack');
        assert.match(byStack.out, /policy groups: default-policy-group \(audit\), prod-gate \(preventative\); ran aws-typescript from prod-gate/);

        // the preventative group at advisory: nothing blocks
        const advisory = join(dir, 'gate-advisory.json');
        await writeFile(advisory, JSON.stringify({ all: 'advisory' }));
        await ok(home, 'policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 'prod-gate', '--config', advisory);
        const relaxed = await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'prod-gate');
        assert.equal(relaxed.code, 0, relaxed.err);
        assert.match(relaxed.out, /\[advisory\]  s3-no-public-read/);

        assert.equal((await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'nope')).code, 2);
        const noStack = await cli(home, 'analyze', '--stack', 'nope');
        assert.equal(noStack.code, 2);
        assert.match(noStack.err, /No stored stack "nope"/);
        assert.equal((await cli(home, 'analyze', '--file', stateFile)).code, 2, 'nothing to run');
    });

    it('install-group writes runnable packs and configs; analyzing with them gives what the group evaluation gives', async () => {
        const home = 'install';
        await seededHome(home);
        await ok(home, 'policy', 'group', 'new', 'ci', '--entity-type', 'stacks', '--mode', 'preventative');
        const config = join(dir, 'ci.json');
        await writeFile(config, JSON.stringify({ 's3-no-public-read': 'advisory' }));
        await ok(home, 'policy', 'enable', 'aws-typescript', 'latest', '--policy-group', 'ci', '--config', config);
        const out = join(dir, 'installed');
        const installed = await ok(home, 'policy', 'install-group', 'ci', '--dir', out);
        const packFolder = join(out, 'aws-typescript');
        const configFile = join(out, 'aws-typescript.config.json');
        assert.ok(existsSync(join(packFolder, 'PulumiPolicy.yaml')));
        assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')), { 's3-no-public-read': 'advisory' });
        assert.match(installed.out, /pulumi preview --policy-pack \S*installed\/aws-typescript --policy-pack-config \S*installed\/aws-typescript\.config\.json/);

        const byGroup = await cli(home, 'analyze', '--file', stateFile, '--policy-group', 'ci', '--json');
        const byFolder = await cli(home, 'analyze', '--file', stateFile, '--policy-pack', packFolder, '--policy-pack-config', configFile, '--json');
        assert.equal(byGroup.code, 0, byGroup.err);
        assert.equal(byFolder.code, 0, byFolder.err);
        assert.deepEqual(policyEvents(byFolder.out), policyEvents(byGroup.out));
        assert.equal(policyEvents(byGroup.out).length, 1);

        assert.equal((await cli(home, 'policy', 'install-group', 'ci')).code, 2, '--dir is required');
        await ok(home, 'policy', 'group', 'new', 'empty');
        const empty = await cli(home, 'policy', 'install-group', 'empty', '--dir', out);
        assert.equal(empty.code, 2);
        assert.match(empty.err, /has no policy packs/);
    });
});
