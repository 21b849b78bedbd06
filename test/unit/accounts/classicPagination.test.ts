/**
 * Every list a scan makes for the types real packs validate follows every page: a generated
 * account with enough of each kind that 5-item pages take several calls, scanned with
 * pageSize 5; each type's count must equal the fixture's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addAwsAccount, listResources, scanAccount } from '../../../server/src/accounts';
import { generateFixture, GENERATED_KEYS } from '../../localaws/generateFixture';
import { startWorld } from './accountsTestSupport';

describe('pagination of the types real packs validate', () => {
    it('finds every generated resource of every new kind through small pages', async () => {
        const regions = ['us-east-1', 'eu-west-1'];
        const fixture = generateFixture({ resourcesPerRegion: 1_500, regions, seed: 13 });
        const world = await startWorld(fixture);
        try {
            process.env.AWS_ACCESS_KEY_ID = GENERATED_KEYS.accessKeyId;
            process.env.AWS_SECRET_ACCESS_KEY = GENERATED_KEYS.secretAccessKey;
            await addAwsAccount(world.store, { name: 'gen', regions, endpoint: world.aws.url });
            const outcome = await scanAccount(world.store, 'gen', { requestTimeoutMs: 5_000, pageSize: 5 });
            assert.deepEqual(outcome.errors, []);
            const all = await listResources(world.store, 'gen');
            for (const region of regions) {
                const r = fixture.accounts[0].resources![region];
                const count = (type: string) => all.filter((x) => x.region === region && x.type === type).length;
                const lbs = r.elasticloadbalancing!.loadBalancers!;
                const apis = r.apigateway!.restApis!;
                const expected: Record<string, number> = {
                    'aws:lb/loadBalancer:LoadBalancer': lbs.length,
                    'aws:lb/listener:Listener': lbs.length,
                    'aws:lb/targetGroup:TargetGroup': r.elasticloadbalancing!.targetGroups!.length,
                    'aws:autoscaling/group:Group': r.autoscaling!.groups!.length,
                    'aws:redshift/cluster:Cluster': r.redshift!.clusters!.length,
                    'aws:efs/fileSystem:FileSystem': r.efs!.fileSystems!.length,
                    // search domains are split by engine
                    'aws:opensearch/domain:Domain': r.es!.domains!.filter((d) => String(d.EngineVersion).startsWith('OpenSearch_')).length,
                    'aws:elasticsearch/domain:Domain': r.es!.domains!.filter((d) => String(d.EngineVersion).startsWith('Elasticsearch_')).length,
                    'aws:apigateway/restApi:RestApi': apis.length,
                    'aws:apigateway/stage:Stage': apis.length,
                    'aws:apigateway/methodSettings:MethodSettings': apis.length,
                    // half are ECDSA certificates, which ACM lists only when asked for every key type
                    'aws:acm/certificate:Certificate': r.acm!.certificates!.length,
                    'aws:ec2/launchTemplate:LaunchTemplate': r.ec2!.launchTemplates!.length,
                    'aws:ebs/snapshot:Snapshot': r.ec2!.snapshots!.length,
                    'aws:ec2/routeTable:RouteTable': r.ec2!.routeTables!.length,
                };
                for (const [type, n] of Object.entries(expected)) {
                    assert.ok(n > 0, `the fixture has ${type} resources`);
                    assert.equal(count(type), n, `${type} in ${region}`);
                }
            }
            const ops = world.aws.requests().byOperation;
            for (const op of ['elasticloadbalancing:DescribeLoadBalancers', 'autoscaling:DescribeAutoScalingGroups', 'acm:ListCertificates', 'elasticfilesystem:DescribeFileSystems', 'apigateway:GetRestApis', 'ec2:DescribeSnapshots']) {
                assert.ok((ops[op] ?? 0) >= 2 * 3, `${op} was paged (${ops[op] ?? 0} calls)`);
            }
        } finally {
            await world.cleanup();
        }
    });
});
