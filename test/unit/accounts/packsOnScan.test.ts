/**
 * Real packs against a scanned account: the local AWS's demo account scanned with the real
 * SDK, then evaluated by the real pack runner with @pulumi/awsguard 0.3.1 (every policy
 * mandatory) and with the check the official aws-typescript template makes on
 * aws.s3.BucketAcl. Proves that the types these packs validate are discovered, typed and
 * shaped so the packs find their violations.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addAwsAccount, listResources, scanAccount } from '../../../server/src/accounts';
import type { Resource } from '../../../server/src/shared/model';
import type { RunnerPool } from '../../../server/src/packs/runner/runnerPool';
import type { RunnerResource } from '../../../server/src/packs/runner/runnerTypes';
import { makePool } from '../evaluation/evaluationTestSupport';
import { REPO, startWorld, type AwsWorld } from './accountsTestSupport';

const AWSGUARD = join(REPO, 'test/fixtures/packs/third-party/awsguard');
const BUCKET_ACL_TEMPLATE = join(REPO, 'test/fixtures/aws/packs/s3-bucket-acl-template');
const EDGE_CONTAINER_CONTROLS = join(REPO, 'test/fixtures/aws/packs/edge-container-controls');

describe('packs on a scanned AWS account', () => {
    let world: AwsWorld;
    let pool: RunnerPool;
    let resources: Resource[];
    /** As the evaluator sends them: a scanned resource has no provider resource. */
    let runnable: RunnerResource[];
    const nameOf = (urn: string) => resources.find((r) => r.urn === urn)?.name;

    before(async () => {
        assert.ok(existsSync(join(AWSGUARD, 'node_modules/@pulumi/awsguard')), 'the awsguard fixture is not installed: run node test/harness/thirdPartyPacks.mjs');
        world = await startWorld();
        await addAwsAccount(world.store, { name: 'demo', regions: ['us-west-2', 'us-east-1'], endpoint: world.aws.url });
        const outcome = await scanAccount(world.store, 'demo', { requestTimeoutMs: 5_000 });
        assert.deepEqual(outcome.errors, []);
        resources = await listResources(world.store, 'demo');
        runnable = resources.map(({ urn, type, name, id, properties }) => ({ urn, type, name, id, properties }));
        pool = await makePool();
    });
    after(async () => {
        await pool?.dispose();
        await world?.cleanup();
    });

    it('AWSGuard finds its violations on the types it validates', async () => {
        // analyze runs validateResource policies only: AWSGuard's stack policies (certificate
        // expiry, access key age) call AWS themselves, and so does its login-profile policy
        // (ListMFADevices through its own SDK, to the real AWS), which a local test cannot do
        const checked = runnable.filter((r) => r.type !== 'aws:iam/userLoginProfile:UserLoginProfile');
        const { diagnostics, errors } = await pool.analyze(AWSGUARD, checked);
        assert.deepEqual(errors, []);
        const found = new Set(diagnostics.map((d) => `${d.policyName} ${nameOf(d.urn)}`));
        for (const expected of [
            'redshift-cluster-public-access analytics',
            'redshift-cluster-configuration analytics',
            'efs-encrypted shared-home',
            'elasticsearch-encrypted-at-rest logs-search',
            'elasticsearch-in-vpc-only logs-search',
            'apigateway-stage-cached a1b2c3d4e5/prod',
            'apigateway-method-cached-and-encrypted a1b2c3d4e5/prod/*/*',
            'apigateway-endpoint-type orders-api',
            // the types discovery read before
            'rds-instance-public-access orders-db',
            's3-bucket-logging-enabled insights-demo-public-assets',
            'cmk-backing-key-rotation-enabled 1a2b3c4d-0000-4000-8000-000000000002',
        ]) {
            assert.ok(found.has(expected), `AWSGuard did not report "${expected}"; it reported:\n${[...found].sort().join('\n')}`);
        }
        // the OpenSearch domain in a VPC with encryption at rest is an aws.opensearch.Domain, not one AWSGuard checks
        assert.ok(![...found].some((f) => f.endsWith(' app-search')));
    });

    it("the aws-typescript template's BucketAcl policy finds the public bucket ACLs", async () => {
        const { diagnostics, errors } = await pool.analyze(BUCKET_ACL_TEMPLATE, runnable);
        assert.deepEqual(errors, []);
        assert.deepEqual(diagnostics.map((d) => nameOf(d.urn)).sort(), ['insights-demo-public-assets', 'insights-demo-shared-uploads']);
        assert.ok(diagnostics.every((d) => d.urn.includes('::aws:s3/bucketAcl:BucketAcl::')));
    });

    it('validateResourceOfType on CloudFront, EKS, ECR and Classic ELB classes finds the demo account\'s violations', async () => {
        const { diagnostics, errors } = await pool.analyze(EDGE_CONTAINER_CONTROLS, runnable);
        assert.deepEqual(errors, []);
        assert.deepEqual(diagnostics.map((d) => `${d.policyName} ${nameOf(d.urn)}`).sort(), [
            'cloudfront-viewer-https d111111abcdef8.cloudfront.net',
            'ecr-scan-on-push web-app',
            'eks-endpoint-not-public platform',
            'elb-classic-access-logs legacy-web-elb',
        ]);
    });
});
