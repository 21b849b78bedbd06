// Deterministic synthetic AWS resources of the types @pulumi/awsguard 0.3.1 checks offline
// (its policies that call AWS APIs, on ACM certificates, IAM access keys and IAM login
// profiles, are left out), shaped like a stack's inputs as the engine hands them to a policy:
// type token, name, URN, props, a provider, resource options, and secrets in the engine's
// wire form (passwords, tokens, some nested). Roughly half of them violate something; every
// offline AWSGuard policy is violated at least once in any 100 consecutive resources.
import { seededRandom } from './syntheticAws.mjs';

const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** The engine's wire form of a secret. */
export function wireSecret(value) {
    return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

const PROJECT = 'shop';
const STACK = 'prod';
const urnOf = (type, name) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
const STACK_URN = urnOf('pulumi:pulumi:Stack', `${PROJECT}-${STACK}`);
const PROVIDER = {
    urn: urnOf('pulumi:providers:aws', 'default_4_38_1'),
    type: 'pulumi:providers:aws',
    name: 'default_4_38_1',
    properties: { region: 'us-west-2', skipCredentialsValidation: 'false', version: '4.38.1' },
};

function pick(rand, list) {
    return list[Math.floor(rand() * list.length)];
}
const chance = (rand, p) => rand() < p;
const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

function tags(rand, i) {
    return { Owner: pick(rand, ['platform', 'data', 'payments', 'web']), Environment: pick(rand, ['dev', 'staging', 'prod']), CostCenter: `cc-${100 + (i % 900)}` };
}

const kmsArn = (rand) => `arn:aws:kms:us-west-2:123456789012:key/${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;

/** Each generator: props for one resource of the type (i: its index, for unique names). */
const GENERATORS = [
    ['aws:s3/bucket:Bucket', (rand, i) => ({
        bucket: `shop-assets-${i}`,
        acl: 'private',
        loggings: chance(rand, 0.6) ? [{ targetBucket: 'shop-logs', targetPrefix: `b${i}/` }] : [],
        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsArn(rand) } } },
        versioning: { enabled: chance(rand, 0.7) },
        tags: tags(rand, i),
    })],
    ['aws:ec2/instance:Instance', (rand, i) => ({
        ami: `ami-${hex(rand, 17)}`,
        instanceType: pick(rand, ['t3.micro', 't3.large', 'm5.large', 'c5.xlarge']),
        monitoring: chance(rand, 0.6),
        associatePublicIpAddress: chance(rand, 0.2),
        rootBlockDevice: chance(rand, 0.9) ? { volumeSize: 20, volumeType: 'gp3', encrypted: chance(rand, 0.7), deleteOnTermination: true } : undefined,
        ebsBlockDevices: chance(rand, 0.7) ? [{ deviceName: '/dev/sdf', volumeSize: 100, volumeId: `vol-${hex(rand, 17)}`, encrypted: chance(rand, 0.8), deleteOnTermination: chance(rand, 0.8) }] : [],
        userData: wireSecret(`#!/bin/bash\nexport DB_PASSWORD=${hex(rand, 16)}\n`),
        tags: tags(rand, i),
    })],
    ['aws:rds/instance:Instance', (rand, i) => ({
        engine: pick(rand, ['postgres', 'mysql']),
        instanceClass: 'db.m5.large',
        allocatedStorage: 100,
        username: 'app',
        password: wireSecret(`pw-${hex(rand, 20)}`),
        backupRetentionPeriod: pick(rand, [0, 7, 7, 14]),
        multiAz: chance(rand, 0.6),
        publiclyAccessible: chance(rand, 0.15),
        storageEncrypted: chance(rand, 0.75),
        kmsKeyId: kmsArn(rand),
        replicateSourceDb: chance(rand, 0.1) ? `db-${i - 1}` : undefined,
        tags: tags(rand, i),
    })],
    ['aws:redshift/cluster:Cluster', (rand, i) => ({
        clusterIdentifier: `warehouse-${i}`,
        nodeType: 'dc2.large',
        masterUsername: 'admin',
        masterPassword: wireSecret(`Rs${hex(rand, 20)}`),
        encrypted: chance(rand, 0.7),
        logging: chance(rand, 0.6) ? { enable: true, bucketName: 'shop-logs' } : undefined,
        allowVersionUpgrade: chance(rand, 0.8),
        publiclyAccessible: chance(rand, 0.3),
        tags: tags(rand, i),
    })],
    ['aws:dynamodb/table:Table', (rand, i) => ({
        name: `orders-${i}`,
        billingMode: 'PAY_PER_REQUEST',
        hashKey: 'id',
        attributes: [{ name: 'id', type: 'S' }],
        serverSideEncryption: chance(rand, 0.8) ? { enabled: chance(rand, 0.6) } : undefined,
        tags: tags(rand, i),
    })],
    ['aws:elasticsearch/domain:Domain', (rand, i) => ({
        domainName: `search-${i}`,
        elasticsearchVersion: '7.10',
        encryptAtRest: chance(rand, 0.8) ? { enabled: chance(rand, 0.7) } : undefined,
        vpcOptions: chance(rand, 0.6) ? { subnetIds: [`subnet-${hex(rand, 8)}`] } : undefined,
        advancedSecurityOptions: { enabled: true, masterUserOptions: { masterUserName: 'admin', masterUserPassword: wireSecret(hex(rand, 24)) } },
        tags: tags(rand, i),
    })],
    ['aws:efs/fileSystem:FileSystem', (rand, i) => ({
        encrypted: true,
        kmsKeyId: chance(rand, 0.6) ? kmsArn(rand) : undefined,
        performanceMode: 'generalPurpose',
        tags: tags(rand, i),
    })],
    ['aws:kms/key:Key', (rand, i) => ({ description: `key ${i}`, enableKeyRotation: chance(rand, 0.7), deletionWindowInDays: 30, tags: tags(rand, i) })],
    ['aws:apigateway/restApi:RestApi', (rand, i) => ({
        name: `api-${i}`,
        endpointConfiguration: chance(rand, 0.8) ? { types: pick(rand, ['EDGE', 'EDGE', 'REGIONAL', 'PRIVATE']) } : undefined,
        apiKeySource: 'HEADER',
    })],
    ['aws:apigateway/stage:Stage', (rand, i) => ({ restApi: `api-${i}`, stageName: pick(rand, ['prod', 'staging']), deployment: `dep-${hex(rand, 6)}`, cacheClusterEnabled: chance(rand, 0.5) })],
    ['aws:apigateway/methodSettings:MethodSettings', (rand, i) => ({
        restApi: `api-${i}`,
        stageName: 'prod',
        methodPath: '*/*',
        settings: { cachingEnabled: chance(rand, 0.6), cacheDataEncrypted: chance(rand, 0.6), metricsEnabled: true },
    })],
    ['aws:elasticloadbalancing/loadBalancer:LoadBalancer', (rand, i) => ({
        name: `classic-${i}`,
        listeners: [{ instancePort: 80, instanceProtocol: 'http', lbPort: 80, lbProtocol: 'http' }],
        accessLogs: chance(rand, 0.8) ? { bucket: 'shop-logs', enabled: chance(rand, 0.6) } : undefined,
    })],
    ['aws:elasticloadbalancingv2/loadBalancer:LoadBalancer', (rand, i) => ({
        name: `alb-${i}`,
        loadBalancerType: 'application',
        accessLogs: chance(rand, 0.8) ? { bucket: 'shop-logs', enabled: chance(rand, 0.6) } : undefined,
        enableDeletionProtection: chance(rand, 0.6),
    })],
    ['aws:applicationloadbalancing/loadBalancer:LoadBalancer', (rand, i) => ({
        name: `legacy-alb-${i}`,
        accessLogs: chance(rand, 0.5) ? { bucket: 'shop-logs', enabled: true } : undefined,
        enableDeletionProtection: chance(rand, 0.5),
    })],
    ['aws:elasticloadbalancingv2/listener:Listener', (rand, i) => {
        const http = chance(rand, 0.7);
        const redirect = chance(rand, 0.6);
        return {
            loadBalancerArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/alb-${i}/${hex(rand, 16)}`,
            port: http ? 80 : 443,
            protocol: http ? 'HTTP' : 'HTTPS',
            certificateArn: http ? undefined : `arn:aws:acm:us-west-2:123456789012:certificate/${hex(rand, 8)}`,
            defaultActions: chance(rand, 0.05) ? [] : [redirect ? { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } } : { type: 'forward', targetGroupArn: `tg-${i}` }],
        };
    }],
];

/** Drops undefined values, as a state's inputs never hold them. */
function defined(props) {
    for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
    return props;
}

/**
 * `count` resources (plus the stack's root resource first), cycling through the types so
 * every type appears in any 15 consecutive resources.
 */
export function awsGuardResources(count, seed = 7) {
    const rand = seededRandom(seed);
    const out = [{ urn: STACK_URN, type: 'pulumi:pulumi:Stack', name: `${PROJECT}-${STACK}`, properties: {} }];
    for (let i = 0; i < count; i++) {
        const [type, make] = GENERATORS[i % GENERATORS.length];
        const name = `${type.split(':').pop().toLowerCase()}-${i}`;
        const resource = { urn: urnOf(type, name), type, name, parent: STACK_URN, properties: defined(make(rand, i)), provider: PROVIDER };
        if (chance(rand, 0.1)) resource.options = { protect: true, ignoreChanges: ['tags'] };
        out.push(resource);
    }
    return out;
}
