// Generates large, deterministic fixtures for pagination tests and benches.
import type { FixtureAccount, FixtureBucket, FixtureRegionResources, LocalAwsFixture, Shape } from './fixture';
import { seededRandom as random } from '../support/seededRandom';

/** Options for `generateFixture`. */
export interface GenerateFixtureArgs {
    /**
     * Resources per region, spread over EC2 (instances, SGs, volumes, subnets, launch templates,
     * snapshots, route tables), RDS, Lambda, KMS, DynamoDB, SQS, SNS, log groups, load balancers
     * (each with a listener), target groups, autoscaling groups, Redshift, EFS, search domains,
     * REST APIs (each with a stage and its method settings) and certificates.
     */
    resourcesPerRegion: number;
    /** Default ['us-east-1']. */
    regions?: string[];
    /** Same seed, same fixture. Default 1. */
    seed?: number;
    /** S3 buckets (global, spread over the regions). Default 0. */
    buckets?: number;
    /** IAM users, roles and policies each. Default 0. */
    iamEntities?: number;
}

/** The access key of the generated account. */
export const GENERATED_KEYS = { accessKeyId: 'AKIAGENERATED0000001', secretAccessKey: 'generated/secret/key/0000000000000000001' } as const;

/** How `resourcesPerRegion` is split: weights per kind (they sum to 100). */
const MIX: [kind: string, weight: number][] = [
    ['ec2.instances', 19],
    ['ec2.securityGroups', 15],
    ['ec2.volumes', 16],
    ['ec2.subnets', 5],
    ['rds.dbInstances', 5],
    ['lambda.functions', 10],
    ['kms.keys', 3],
    ['dynamodb.tables', 4],
    ['sqs.queues', 3],
    ['sns.topics', 2],
    ['logs.logGroups', 3],
    ['ec2.launchTemplates', 1],
    ['ec2.snapshots', 2],
    ['ec2.routeTables', 1],
    ['elasticloadbalancing.loadBalancers', 1],
    ['elasticloadbalancing.targetGroups', 1],
    ['autoscaling.groups', 1],
    ['redshift.clusters', 1],
    ['efs.fileSystems', 1],
    ['es.domains', 1],
    ['apigateway.restApis', 1],
    ['acm.certificates', 1],
    ['elb.loadBalancers', 1],
    ['ecr.repositories', 1],
    ['eks.clusters', 1],
];


function hex(n: number, width: number): string {
    return n.toString(16).padStart(width, '0').slice(-width);
}

/** Counts per kind for `total` resources; the remainder goes to EC2 instances. */
export function resourceMix(total: number): Record<string, number> {
    const counts: Record<string, number> = {};
    let assigned = 0;
    for (const [kind, weight] of MIX) {
        counts[kind] = Math.floor((total * weight) / 100);
        assigned += counts[kind];
    }
    counts['ec2.instances'] += total - assigned;
    return counts;
}

const EPOCH = '2024-01-15T10:00:00.000Z';

/** Launch templates, snapshots and route tables of one region. */
function generatedEc2Extras(r: number, accountId: string, vpcId: string, mix: Record<string, number>, rnd: () => number): Partial<NonNullable<FixtureRegionResources['ec2']>> {
    const ids = (n: number, make: (i: number) => Shape) => Array.from({ length: n }, (_, i) => make(i));
    return {
        launchTemplates: ids(mix['ec2.launchTemplates'], (i) => ({ LaunchTemplateId: `lt-${hex(r * 1e7 + i, 17)}`, LaunchTemplateName: `lt-${r}-${i}`, DefaultVersionNumber: 1, LatestVersionNumber: 1, CreateTime: EPOCH })),
        snapshots: ids(mix['ec2.snapshots'], (i) => ({ SnapshotId: `snap-${hex(r * 1e7 + i, 17)}`, VolumeSize: 8, State: 'completed', StartTime: EPOCH, OwnerId: accountId, Encrypted: rnd() < 0.7 })),
        routeTables: ids(mix['ec2.routeTables'], (i) => ({ RouteTableId: `rtb-${hex(r * 1e7 + i, 17)}`, VpcId: vpcId, OwnerId: accountId, Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }] })),
    };
}

/** Load balancers, target groups, autoscaling groups, Redshift, EFS, search domains, APIs and certificates of one region. */
function generatedPlatformResources(region: string, r: number, accountId: string, vpcId: string, mix: Record<string, number>, rnd: () => number): FixtureRegionResources {
    const ids = (n: number, make: (i: number) => Shape) => Array.from({ length: n }, (_, i) => make(i));
    const elb = `arn:aws:elasticloadbalancing:${region}:${accountId}`;
    return {
        elasticloadbalancing: {
            loadBalancers: ids(mix['elasticloadbalancing.loadBalancers'], (i) => {
                const arn = `${elb}:loadbalancer/app/lb-${r}-${i}/${hex(i, 16)}`;
                return {
                    LoadBalancerArn: arn,
                    LoadBalancerName: `lb-${r}-${i}`,
                    Scheme: 'internet-facing',
                    Type: 'application',
                    VpcId: vpcId,
                    CreatedTime: EPOCH,
                    attributes: [{ Key: 'access_logs.s3.enabled', Value: rnd() < 0.5 ? 'true' : 'false' }],
                    listeners: [{ ListenerArn: `${elb}:listener/app/lb-${r}-${i}/${hex(i, 16)}/${hex(i, 16)}`, LoadBalancerArn: arn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward' }] }],
                };
            }),
            targetGroups: ids(mix['elasticloadbalancing.targetGroups'], (i) => ({ TargetGroupArn: `${elb}:targetgroup/tg-${r}-${i}/${hex(i, 16)}`, TargetGroupName: `tg-${r}-${i}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance' })),
        },
        autoscaling: {
            groups: ids(mix['autoscaling.groups'], (i) => ({ AutoScalingGroupName: `asg-${r}-${i}`, MinSize: 1, MaxSize: 2, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: [`${region}a`], HealthCheckType: 'EC2', CreatedTime: EPOCH })),
        },
        redshift: { clusters: ids(mix['redshift.clusters'], (i) => ({ ClusterIdentifier: `dw-${r}-${i}`, NodeType: 'dc2.large', NumberOfNodes: 1, PubliclyAccessible: rnd() < 0.2, Encrypted: rnd() < 0.7 })) },
        efs: {
            fileSystems: ids(mix['efs.fileSystems'], (i) => ({
                FileSystemId: `fs-${hex(r * 1e7 + i, 17)}`,
                OwnerId: accountId,
                CreationToken: `fs-${r}-${i}`,
                CreationTime: EPOCH,
                LifeCycleState: 'available',
                NumberOfMountTargets: 1,
                SizeInBytes: { Value: 6144 },
                PerformanceMode: 'generalPurpose',
                Encrypted: rnd() < 0.7,
                Tags: [],
            })),
        },
        es: { domains: ids(mix['es.domains'], (i) => ({ DomainId: `${accountId}/search-${r}-${i}`, DomainName: `search-${r}-${i}`, ARN: `arn:aws:es:${region}:${accountId}:domain/search-${r}-${i}`, EngineVersion: rnd() < 0.5 ? 'OpenSearch_2.11' : 'Elasticsearch_7.10', ClusterConfig: {} })) },
        apigateway: {
            restApis: ids(mix['apigateway.restApis'], (i) => ({ id: hex(r * 1e7 + i, 10), name: `api-${r}-${i}`, createdDate: EPOCH, stages: [{ stageName: 'prod', deploymentId: 'd1', methodSettings: { '*/*': { cachingEnabled: false } } }] })),
        },
        elb: {
            loadBalancers: ids(mix['elb.loadBalancers'], (i) => ({
                LoadBalancerName: `clb-${r}-${i}`,
                DNSName: `clb-${r}-${i}.${region}.elb.amazonaws.com`,
                Scheme: 'internet-facing',
                AvailabilityZones: [`${region}a`],
                ListenerDescriptions: [{ Listener: { Protocol: rnd() < 0.5 ? 'HTTP' : 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 80 } }],
                CreatedTime: EPOCH,
                attributes: { AccessLog: { Enabled: rnd() < 0.5 }, CrossZoneLoadBalancing: { Enabled: true } },
            })),
        },
        ecr: {
            repositories: ids(mix['ecr.repositories'], (i) => ({
                repositoryName: `repo-${r}-${i}`,
                repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/repo-${r}-${i}`,
                registryId: accountId,
                imageTagMutability: rnd() < 0.5 ? 'MUTABLE' : 'IMMUTABLE',
                imageScanningConfiguration: { scanOnPush: rnd() < 0.5 },
                createdAt: EPOCH,
            })),
        },
        eks: {
            clusters: ids(mix['eks.clusters'], (i) => ({
                name: `eks-${r}-${i}`,
                arn: `arn:aws:eks:${region}:${accountId}:cluster/eks-${r}-${i}`,
                version: '1.29',
                status: 'ACTIVE',
                resourcesVpcConfig: { vpcId, endpointPublicAccess: rnd() < 0.5, endpointPrivateAccess: true },
                logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: rnd() < 0.5 }] },
                createdAt: EPOCH,
            })),
        },
        acm: { certificates: ids(mix['acm.certificates'], (i) => ({ CertificateArn: `arn:aws:acm:${region}:${accountId}:certificate/${hex(r, 8)}-0000-4000-8000-${hex(i, 12)}`, DomainName: `c${i}.example.com`, Status: 'ISSUED', Type: 'AMAZON_ISSUED', KeyAlgorithm: i % 2 ? 'EC_prime256v1' : 'RSA_2048' })) },
    };
}

/** Builds one account with `resourcesPerRegion` regional resources in each region. */
export function generateFixture(args: GenerateFixtureArgs): LocalAwsFixture {
    const regions = args.regions ?? ['us-east-1'];
    const rnd = random(args.seed ?? 1);
    const accountId = '210987654321';
    const mix = resourceMix(args.resourcesPerRegion);
    const resources: Record<string, FixtureRegionResources> = {};
    regions.forEach((region, r) => {
        const tag = (i: number): Shape[] => (rnd() < 0.5 ? [{ Key: 'team', Value: `team-${i % 7}` }] : []);
        const ids = (n: number, make: (i: number) => Shape) => Array.from({ length: n }, (_, i) => make(i));
        const vpcId = `vpc-${hex(r + 1, 17)}`;
        resources[region] = {
            ec2: {
                vpcs: [{ VpcId: vpcId, CidrBlock: '10.0.0.0/16', State: 'available', IsDefault: true }],
                instances: ids(mix['ec2.instances'], (i) => ({
                    InstanceId: `i-${hex(r * 1e7 + i, 17)}`,
                    InstanceType: rnd() < 0.8 ? 't3.micro' : 'm5.large',
                    ImageId: 'ami-0abcdef1234567890',
                    VpcId: vpcId,
                    PublicIpAddress: rnd() < 0.2 ? `54.0.${i % 250}.${r + 1}` : undefined,
                    Tags: tag(i),
                })),
                securityGroups: ids(mix['ec2.securityGroups'], (i) => ({
                    GroupId: `sg-${hex(r * 1e7 + i, 17)}`,
                    GroupName: `sg-${i}`,
                    Description: 'generated',
                    VpcId: vpcId,
                    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: rnd() < 0.1 ? '0.0.0.0/0' : '10.0.0.0/8' }] }],
                    Tags: tag(i),
                })),
                volumes: ids(mix['ec2.volumes'], (i) => ({
                    VolumeId: `vol-${hex(r * 1e7 + i, 17)}`,
                    Size: 8 + (i % 100),
                    VolumeType: 'gp3',
                    State: 'in-use',
                    Encrypted: rnd() < 0.7,
                    AvailabilityZone: `${region}a`,
                    CreateTime: '2024-01-15T10:00:00.000Z',
                    Tags: tag(i),
                })),
                subnets: ids(mix['ec2.subnets'], (i) => ({
                    SubnetId: `subnet-${hex(r * 1e7 + i, 17)}`,
                    VpcId: vpcId,
                    CidrBlock: `10.0.${i % 256}.0/24`,
                    AvailabilityZone: `${region}a`,
                    MapPublicIpOnLaunch: rnd() < 0.3,
                    State: 'available',
                })),
            },
            rds: {
                dbInstances: ids(mix['rds.dbInstances'], (i) => ({
                    DBInstanceIdentifier: `db-${r}-${i}`,
                    DBInstanceClass: 'db.t3.micro',
                    Engine: 'postgres',
                    DBInstanceStatus: 'available',
                    PubliclyAccessible: rnd() < 0.1,
                    StorageEncrypted: rnd() < 0.8,
                })),
            },
            lambda: {
                functions: ids(mix['lambda.functions'], (i) => ({
                    FunctionName: `fn-${r}-${i}`,
                    Runtime: rnd() < 0.1 ? 'nodejs12.x' : 'nodejs20.x',
                    Handler: 'index.handler',
                    MemorySize: 128,
                    LastModified: '2024-01-15T10:00:00.000+0000',
                })),
            },
            kms: { keys: ids(mix['kms.keys'], (i) => ({ KeyId: `${hex(r, 8)}-0000-4000-8000-${hex(i, 12)}`, rotationEnabled: rnd() < 0.5 })) },
            dynamodb: { tables: ids(mix['dynamodb.tables'], (i) => ({ TableName: `table-${String(i).padStart(6, '0')}` })) },
            sqs: { queues: Array.from({ length: mix['sqs.queues'] }, (_, i) => ({ name: `queue-${String(i).padStart(6, '0')}` })) },
            sns: { topics: Array.from({ length: mix['sns.topics'] }, (_, i) => ({ name: `topic-${String(i).padStart(6, '0')}` })) },
            logs: { logGroups: ids(mix['logs.logGroups'], (i) => ({ logGroupName: `/generated/${String(i).padStart(6, '0')}`, retentionInDays: rnd() < 0.5 ? 30 : undefined })) },
            ...generatedPlatformResources(region, r, accountId, vpcId, mix, rnd),
        };
        Object.assign(resources[region].ec2 ?? {}, generatedEc2Extras(r, accountId, vpcId, mix, rnd));
    });
    const buckets: FixtureBucket[] = Array.from({ length: args.buckets ?? 0 }, (_, i) => ({
        Name: `generated-bucket-${String(i).padStart(6, '0')}`,
        Region: regions[i % regions.length],
        Acl: rnd() < 0.05 ? 'public-read' : 'private',
    }));
    const n = args.iamEntities ?? 0;
    const account: FixtureAccount = {
        name: 'generated-account',
        accountId,
        accessKeys: [{ ...GENERATED_KEYS }],
        regions,
        s3: { buckets },
        iam: {
            users: Array.from({ length: n }, (_, i) => ({ UserName: `user-${String(i).padStart(6, '0')}` })),
            roles: Array.from({ length: n }, (_, i) => ({ RoleName: `role-${String(i).padStart(6, '0')}` })),
            policies: Array.from({ length: n }, (_, i) => ({
                PolicyName: `policy-${String(i).padStart(6, '0')}`,
                Document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
            })),
        },
        resources,
    };
    return { accounts: [account] };
}
