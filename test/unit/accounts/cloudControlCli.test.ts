/**
 * `--all-types` from the command line: `account add --all-types`, `account scan`, then
 * `violations` from a pack written for @pulumi/aws-native, run by the real pack runner.
 */
import assert from 'node:assert/strict';
import { cp, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../server/src/cli/runCli';
import { hostScript, repoRoot } from '../runner/runnerTestEnv';
import { startWorld, type AwsWorld } from './accountsTestSupport';
import { cloudControlFixture } from './cloudControlTestSupport';

describe('policy-insights account add --all-types', () => {
    let world: AwsWorld;
    let home: string;
    const cli = async (...args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli([...args, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env });
        return { code, out: out.join('\n'), err: err.join('\n') };
    };

    before(async () => {
        process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
        world = await startWorld(cloudControlFixture());
        home = join(world.home, 'cli-home');
    });
    after(() => world.cleanup());

    it('a pack written for aws-native finds its violations on a scanned account', async () => {
        const pack = join(world.home, 'aws-native-ecs');
        await cp(join(repoRoot, 'test/fixtures/aws/packs/aws-native-ecs'), pack, { recursive: true });
        await symlink(join(repoRoot, 'node_modules'), join(pack, 'node_modules'), 'dir');
        assert.equal((await cli('policy', 'publish', pack)).code, 0);
        assert.equal((await cli('policy', 'enable', 'aws-native-ecs', 'latest')).code, 0);

        const add = await cli('account', 'add', 'demo', '--provider', 'aws', '--regions', 'us-west-2,us-east-1', '--endpoint', world.aws.url, '--all-types');
        assert.equal(add.code, 0, add.err);
        assert.match(add.out, /scans also list every other type through Cloud Control/);
        const listed = await cli('account', 'ls', '--json');
        assert.equal((JSON.parse(listed.out) as { settings: { allTypes?: boolean } }[])[0].settings.allTypes, true);

        const scan = await cli('account', 'scan', 'demo');
        assert.equal(scan.code, 0, scan.err);
        assert.match(scan.out, /2 Cloud Control types skipped \(they cannot be listed on their own\): aws-native:apigatewayv2:Route, aws-native:ec2:VpcCidrBlock/);
        assert.match(scan.out, /cloudcontrol aws-native:guardduty:Detector \(us-west-2\): AccessDeniedException/);
        const coverage = await cli('account', 'coverage', 'demo');
        assert.match(coverage.out, /^aws-native:\* \(Cloud Control\)\s+scanned/m);
        assert.match(coverage.out, /^aws-native:guardduty:Detector\s+denied\s+us-west-2\s+AccessDeniedException/m);
        assert.match(coverage.out, /^aws-native:ec2:VpcCidrBlock\s+skipped\s+-\s+UnsupportedActionException/m);

        const violations = await cli('violations', '--policy-pack', 'aws-native-ecs', '--json');
        assert.equal(violations.code, 0, violations.err);
        const list = (JSON.parse(violations.out) as { violations: { policyName: string; resourceName: string; resourceType: string; message: string }[] }).violations;
        assert.deepEqual(
            list.map((v) => [v.policyName, v.resourceType, v.resourceName]).sort(),
            [
                ['ecs-container-insights', 'aws-native:ecs:Cluster', 'team-app-00'],
                ['ecs-container-insights', 'aws-native:ecs:Cluster', 'team-app-01'],
            ],
        );
        assert.match(list[0].message, /does not use Container Insights \(containerInsights is disabled\)/);

        const resources = await cli('account', 'resources', 'demo/us-west-2', '--type', 'aws-native:ecs:Cluster');
        assert.match(resources.out, /aws-native:ecs:Cluster\s+team-app-00/);

        // turned off: the next scan lists the built-in types only, and the aws-native resources go with their violations
        const off = await cli('account', 'edit', 'demo', '--no-all-types');
        assert.equal(off.code, 0, off.err);
        assert.match(off.out, /the next scan removes its aws-native resources/);
        assert.equal((await cli('account', 'scan', 'demo')).code, 0);
        assert.doesNotMatch((await cli('account', 'resources', 'demo/us-west-2')).out, /aws-native:/);
        const after = await cli('violations', '--policy-pack', 'aws-native-ecs', '--json');
        assert.deepEqual((JSON.parse(after.out) as { violations: unknown[] }).violations, []);
        const both = await cli('account', 'edit', 'demo', '--all-types', '--no-all-types');
        assert.equal(both.code, 2);
    });

    it('refuses --all-types for a Pulumi stack', async () => {
        const refused = await cli('account', 'add', 'stack', '--provider', 'pulumi-stack', '--state', join(repoRoot, 'test/fixtures/stacks/aws-app.dev.export.json'), '--all-types');
        assert.equal(refused.code, 2);
        assert.match(refused.err, /--all-types is for --provider aws/);
    });
});
