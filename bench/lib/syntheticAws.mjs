// Deterministic synthetic AWS resources of mixed types, shaped like the inputs the Pulumi
// engine hands a policy (type token, name, URN, props). Roughly a third violate something.

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const OWNERS = ['platform-team', 'data-team', 'payments', 'web'];
const ENVS = ['dev', 'staging', 'prod'];

function pick(rand, list) {
    return list[Math.floor(rand() * list.length)];
}

function tags(rand) {
    const r = rand();
    if (r < 0.15) return undefined;
    const t = { Owner: pick(rand, OWNERS) };
    if (r > 0.3) t.Environment = pick(rand, ENVS);
    if (r > 0.6) t.CostCenter = `cc-${Math.floor(rand() * 900 + 100)}`;
    return t;
}

function statement(rand) {
    const wildcard = rand() < 0.1;
    return {
        Effect: rand() < 0.9 ? 'Allow' : 'Deny',
        Action: wildcard ? '*' : pick(rand, [['s3:GetObject'], ['ec2:Describe*', 'ec2:StartInstances'], 'sqs:SendMessage']),
        Resource: wildcard || rand() < 0.3 ? '*' : `arn:aws:s3:::bucket-${Math.floor(rand() * 1000)}/*`,
    };
}

function policyDocument(rand, asString) {
    const doc = { Version: '2012-10-17', Statement: [statement(rand), ...(rand() < 0.4 ? [statement(rand)] : [])] };
    return asString ? JSON.stringify(doc) : doc;
}

function ingress(rand) {
    const port = pick(rand, [22, 443, 3389, 80, 5432]);
    return {
        protocol: pick(rand, ['tcp', 'tcp', '-1', 'udp']),
        fromPort: port,
        toPort: port,
        cidrBlocks: [rand() < 0.25 ? '0.0.0.0/0' : `10.${Math.floor(rand() * 255)}.0.0/16`],
        ipv6CidrBlocks: rand() < 0.1 ? ['::/0'] : [],
        description: 'synthetic',
        self: false,
    };
}

/** Each generator: props for one resource of the type. */
const GENERATORS = {
    'aws:s3/bucket:Bucket': (rand, name) => ({
        bucket: name,
        acl: pick(rand, ['private', 'private', 'private', 'public-read', 'authenticated-read', undefined]),
        forceDestroy: false,
        tags: tags(rand),
        versioning: { enabled: rand() < 0.5, mfaDelete: false },
        serverSideEncryptionConfiguration: rand() < 0.5 ? { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: pick(rand, ['aws:kms', 'AES256']) }, bucketKeyEnabled: true } } : undefined,
        policy: rand() < 0.2 ? policyDocument(rand, true) : undefined,
    }),
    'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock': (rand, name) => ({
        bucket: name,
        blockPublicAcls: rand() < 0.8,
        blockPublicPolicy: rand() < 0.8,
        ignorePublicAcls: true,
        restrictPublicBuckets: rand() < 0.9,
    }),
    'aws:s3/bucketPolicy:BucketPolicy': (rand, name) => ({ bucket: name, policy: policyDocument(rand, true) }),
    'aws:ec2/instance:Instance': (rand) => ({
        ami: `ami-${Math.floor(rand() * 1e8).toString(16)}`,
        instanceType: pick(rand, ['t3.micro', 't3.large', 'm5.xlarge', 'c6g.2xlarge']),
        subnetId: `subnet-${Math.floor(rand() * 1e6)}`,
        associatePublicIpAddress: rand() < 0.3,
        monitoring: rand() < 0.5,
        rootBlockDevice: { volumeSize: 8 + Math.floor(rand() * 100), volumeType: 'gp3', encrypted: rand() < 0.7 },
        tags: tags(rand),
    }),
    'aws:ec2/securityGroup:SecurityGroup': (rand, name) => ({
        name,
        description: 'synthetic security group',
        vpcId: `vpc-${Math.floor(rand() * 1e6)}`,
        ingress: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ingress(rand)),
        egress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
        tags: tags(rand),
    }),
    'aws:ec2/securityGroupRule:SecurityGroupRule': (rand) => ({ type: rand() < 0.8 ? 'ingress' : 'egress', securityGroupId: `sg-${Math.floor(rand() * 1e6)}`, ...ingress(rand) }),
    'aws:ebs/volume:Volume': (rand) => ({ availabilityZone: 'us-east-1a', size: 10 + Math.floor(rand() * 500), type: 'gp3', encrypted: rand() < 0.7, tags: tags(rand) }),
    'aws:rds/instance:Instance': (rand, name) => ({
        identifier: name,
        engine: pick(rand, ['postgres', 'mysql', 'aurora-postgresql']),
        instanceClass: 'db.t3.medium',
        allocatedStorage: 20,
        storageEncrypted: rand() < 0.75,
        publiclyAccessible: rand() < 0.15,
        backupRetentionPeriod: Math.floor(rand() * 14),
        tags: tags(rand),
    }),
    'aws:dynamodb/table:Table': (rand, name) => ({
        name,
        billingMode: 'PAY_PER_REQUEST',
        hashKey: 'id',
        attributes: [{ name: 'id', type: 'S' }],
        pointInTimeRecovery: { enabled: rand() < 0.6 },
        tags: tags(rand),
    }),
    'aws:iam/policy:Policy': (rand, name) => ({ name, path: '/', policy: policyDocument(rand, true) }),
    'aws:iam/rolePolicy:RolePolicy': (rand, name) => ({ name, role: `role-${Math.floor(rand() * 100)}`, policy: policyDocument(rand, true) }),
    'aws:iam/role:Role': (rand, name) => ({ name, assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), tags: tags(rand) }),
    'aws:iam/accessKey:AccessKey': (rand) => ({ user: rand() < 0.05 ? '<root_account>' : `user-${Math.floor(rand() * 500)}`, status: rand() < 0.9 ? 'Active' : 'Inactive' }),
    'aws:cloudtrail/trail:Trail': (rand, name) => ({ name, s3BucketName: `trail-${name}`, isMultiRegionTrail: rand() < 0.5, enableLogging: rand() < 0.9, enableLogFileValidation: rand() < 0.6, tags: tags(rand) }),
    'aws:cloudwatch/logGroup:LogGroup': (rand, name) => ({ name: `/aws/lambda/${name}`, retentionInDays: pick(rand, [0, 7, 30, 365, undefined]), tags: tags(rand) }),
    'aws:kms/key:Key': (rand) => ({ description: 'synthetic key', customerMasterKeySpec: pick(rand, ['SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT', 'RSA_2048']), enableKeyRotation: rand() < 0.6, deletionWindowInDays: 30, tags: tags(rand) }),
    'aws:lambda/function:Function': (rand, name) => ({
        name,
        runtime: pick(rand, ['nodejs22.x', 'nodejs20.x', 'python3.12', 'python3.8', 'java21']),
        handler: 'index.handler',
        role: `arn:aws:iam::123456789012:role/${name}`,
        memorySize: pick(rand, [128, 256, 1024]),
        timeout: 30,
        environment: { variables: { STAGE: pick(rand, ENVS) } },
        tags: tags(rand),
    }),
    'aws:sqs/queue:Queue': (rand, name) => ({ name, visibilityTimeoutSeconds: 30, sqsManagedSseEnabled: rand() < 0.8, tags: tags(rand) }),
    'aws:sns/topic:Topic': (rand, name) => ({ name, kmsMasterKeyId: rand() < 0.5 ? 'alias/aws/sns' : undefined, tags: tags(rand) }),
    'aws:ec2/vpc:Vpc': (rand) => ({ cidrBlock: `10.${Math.floor(rand() * 255)}.0.0/16`, enableDnsHostnames: true, enableDnsSupport: true, tags: tags(rand) }),
};

const TYPES = Object.keys(GENERATORS);

/** Drops undefined values, as a JSON store would. */
function clean(value) {
    return JSON.parse(JSON.stringify(value));
}

/** `count` resources of mixed AWS types, identical for the same seed. */
export function syntheticAwsResources(count, seed = 42) {
    const rand = seededRandom(seed);
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
        const type = TYPES[Math.floor(rand() * TYPES.length)];
        const short = type.split(':').pop().toLowerCase();
        const name = `${short}-${i}`;
        const region = pick(rand, REGIONS);
        out[i] = {
            urn: `urn:pulumi:${region}::insights-account::${type}::${name}`,
            type,
            name,
            properties: clean(GENERATORS[type](rand, name)),
        };
    }
    return out;
}
