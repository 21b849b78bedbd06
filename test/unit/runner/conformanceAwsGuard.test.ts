/**
 * Conformance on a real third-party pack: @pulumi/awsguard 0.3.1 from npm, every policy
 * mandatory (test/fixtures/packs/third-party/awsguard, installed by test/harness/thirdPartyPacks.mjs),
 * on a few hundred realistic AWS resources of the types it checks, with secrets in their
 * properties, a provider and resource options: identical diagnostics on both paths, and a
 * violation of every AWSGuard policy that can run offline.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsGuardResources } from '../../../bench/lib/awsGuardResources.mjs';
import { repoRoot } from './runnerTestEnv';
import { startBothPaths, type BothPaths } from './conformanceEnv';

const awsguard = join(repoRoot, 'test', 'fixtures', 'packs', 'third-party', 'awsguard');
/** AWSGuard's policies that call AWS APIs (ACM, IAM): they cannot run here and get no resources of their types. */
const needAwsApis = ['acm-certificate-expiration', 'access-keys-rotated', 'mfa-enabled-for-iam-console-access'];
const resources = awsGuardResources(300);
const context = { project: 'shop', stack: 'prod', config: { 'aws:region': 'us-west-2' }, dryRun: false };

describe('conformance: @pulumi/awsguard 0.3.1 (all mandatory) on 300 AWS resources with secrets', () => {
    let both: BothPaths;
    before(async () => {
        // Its own node_modules (@pulumi/aws 4.x) is installed in place: run it where it is.
        both = await startBothPaths(awsguard, context, undefined, { copy: false });
    });
    after(async () => {
        await both?.close();
    });

    it('analyze: identical diagnostics, at least one violation of every policy that runs offline, all mandatory', async () => {
        const ours = await both.pool.analyze(both.dir, resources, { context });
        const theirs = await both.grpc.analyze(resources);
        assert.deepStrictEqual(ours.errors, []);
        assert.deepStrictEqual(theirs.errors, []);
        assert.deepStrictEqual(ours.diagnostics, theirs.diagnostics);
        const info = await both.pool.loadPack(both.dir, context);
        assert.equal(info.policies.length, 26);
        const violated = new Set(ours.diagnostics.map((d) => d.policyName));
        const expected = info.policies.map((p) => p.name).filter((n) => !needAwsApis.includes(n));
        assert.deepStrictEqual(expected.filter((n) => !violated.has(n)), [], 'every offline policy is violated at least once');
        assert.ok(ours.diagnostics.every((d) => d.enforcementLevel === 'mandatory' && d.policyPackName === 'pulumi-awsguard'));
        // Every diagnostic is on the resource it analyzed.
        const urns = new Set(resources.map((r) => r.urn));
        assert.ok(ours.diagnostics.every((d) => urns.has(d.urn)));
    });

    it('analyzeStack: identical (its stack policies have no resources of their types)', async () => {
        const ours = await both.pool.analyzeStack(both.dir, resources, { context });
        assert.deepStrictEqual(ours, await both.grpc.analyzeStack(resources));
        assert.deepStrictEqual(ours, { diagnostics: [], errors: [] });
    });
});
