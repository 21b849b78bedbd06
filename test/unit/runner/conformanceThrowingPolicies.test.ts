/**
 * Conformance: a policy that throws. The engine's path fails the whole Analyze (or
 * AnalyzeStack) RPC: the SDK's handler stops at the first throw and answers a gRPC error, and
 * pulumi/pulumi `analyzeResource` / `AnalyzeSnapshot` return "failed to run policy" and stop the
 * analysis. The runner calls each policy on its own, so it reports the error for that policy
 * and resource and keeps every other policy's diagnostics: the paths agree on everything the
 * engine still reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { conformancePack, startBothPaths, type BothPaths } from './conformanceEnv';

const urn = (type: string, name: string) => `urn:pulumi:dev::conf::${type}::${name}`;
const resources = [
    { urn: urn('aws:s3/bucket:Bucket', 'b1'), type: 'aws:s3/bucket:Bucket', properties: {} },
    { urn: urn('aws:sqs/queue:Queue', 'q1'), type: 'aws:sqs/queue:Queue', properties: {} },
    { urn: urn('aws:s3/bucket:Bucket', 'b2'), type: 'aws:s3/bucket:Bucket', properties: {} },
];

describe('conformance: throwing policies', () => {
    let both: BothPaths;
    before(async () => {
        both = await startBothPaths(conformancePack('throwing'));
    });
    after(async () => {
        await both?.close();
    });

    it('analyze: the error per policy and resource on our path, the failed RPC per resource on the engine path', async () => {
        const ours = await both.pool.analyze(both.dir, resources);
        const theirs = await both.grpc.analyze(resources);
        assert.deepStrictEqual(
            ours.errors.map((e) => [e.code, e.policyName, e.urn, e.message.split('\n').slice(0, 2).join('\n')]),
            ['b1', 'b2'].map((n) => ['policy-error', 'throws-on-buckets', urn('aws:s3/bucket:Bucket', n), `Error validating resource with policy 'throws-on-buckets' from policy pack 'conformance-throwing@v1.0.0':\nError: cannot judge ${n}`]),
        );
        assert.deepStrictEqual(theirs.errors.map((e) => e.urn), [urn('aws:s3/bucket:Bucket', 'b1'), urn('aws:s3/bucket:Bucket', 'b2')]);
        for (const e of theirs.errors) assert.match(e.message, /Error validating resource with policy 'throws-on-buckets'.*cannot judge/s);
        // Every resource still gets the other policy's diagnostic on our path; the engine gets
        // it only where no policy threw.
        assert.deepStrictEqual(ours.diagnostics.map((d) => d.message.split('\n')[1]), ['seen b1', 'seen q1', 'seen b2']);
        assert.deepStrictEqual(theirs.diagnostics, ours.diagnostics.filter((d) => d.urn === resources[1].urn));
    });

    it('analyzeStack: the error for the throwing stack policy and the other stack policy still reports; the engine path fails the RPC', async () => {
        const ours = await both.pool.analyzeStack(both.dir, resources);
        assert.deepStrictEqual(ours.errors.map((e) => [e.code, e.policyName]), [['policy-error', 'stack-throws']]);
        assert.match(ours.errors[0].message, /stack policy failed/);
        assert.deepStrictEqual(ours.diagnostics.map((d) => [d.policyName, d.message.split('\n')[1], d.urn]), [['stack-reports', '3 resources', 'urn:pulumi:dev::conf::pulumi:pulumi:Stack::conf-dev']]);
        await assert.rejects(both.grpc.analyzeStack(resources), /Error validating resource with policy 'stack-throws'.*stack policy failed/s);
    });
});
