// A large, realistic `pulumi stack export` (checkpoint version 3), written as Pulumi writes it:
// `{ version: 3, deployment: { manifest, secrets_providers, resources } }`, 4-space indented,
// resources in dependency order (the stack, then providers, then components and their children),
// inputs and outputs that mostly agree (outputs add ids, ARNs and defaults), secrets as the engine
// serializes them (the secret signature and a ciphertext), providers in several regions,
// parents, dependencies, propertyDependencies, options (protect, ignoreChanges,
// additionalSecretOutputs, customTimeouts), a replacement pending deletion.
// Deterministic for a seed; `changed` alters about that fraction of resources (tags, a scaled
// field) and replaces one, as a later `pulumi up` would; `services` (as returned) makes the same
// resources again, changed or not, where `targetBytes` would stop at a different one.
//
//   import { writeStackExport } from './lib/stackExport.mjs';
//   const { bytes, resources, services } = await writeStackExport(file, { targetBytes: 200 * 1024 * 1024 });
//   await writeStackExport(changedFile, { services, changed: 0.01 });
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from './syntheticAws.mjs';

export const SECRET_SIG = '4dabf18193072939515e22adb298388d';
export const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const TEAMS = ['platform', 'data', 'payments', 'web', 'search', 'identity'];
const TIME = '2026-11-02T09:14:27.318246Z';

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const uuid = (rand) => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
/** A secret as the engine writes it: the signature key and the value encrypted by the secrets provider. */
const secret = (rand) => ({ [SECRET_SIG]: SECRET_VALUE, ciphertext: `v1:${Buffer.from(hex(rand, 24), 'hex').toString('base64')}:${Buffer.from(hex(rand, 64 + Math.floor(rand() * 64)), 'hex').toString('base64')}` });

function tagsOf(rand, team, env, changed) {
    const t = { Team: team, Environment: env, ManagedBy: 'pulumi', CostCenter: `cc-${100 + Math.floor(rand() * 900)}` };
    if (rand() < 0.5) t.Service = `svc-${hex(rand, 4)}`;
    if (changed) t.Revision = 'r2';
    return t;
}

function policyJson(rand, arn) {
    const statements = [{ Effect: 'Allow', Action: pick(rand, [['s3:GetObject', 's3:ListBucket'], ['sqs:SendMessage'], ['dynamodb:GetItem', 'dynamodb:Query'], '*']), Resource: rand() < 0.2 ? '*' : [arn, `${arn}/*`] }];
    if (rand() < 0.4) statements.push({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: `${arn}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Per type: inputs as the program set them, and the outputs the provider read back (a superset). */
const KINDS = [
    {
        type: 'aws:s3/bucketV2:BucketV2',
        make(rand, name, ctx) {
            const bucket = `${name}-${hex(rand, 7)}`;
            const inputs = { bucket, forceDestroy: false, tags: ctx.tags };
            const outputs = {
                ...inputs,
                id: bucket,
                arn: `arn:aws:s3:::${bucket}`,
                accelerationStatus: '',
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
                hostedZoneId: 'Z3AQBSTGFYJSTF',
                objectLockEnabled: false,
                region: ctx.region,
                requestPayer: 'BucketOwner',
                serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ kmsMasterKeyId: '', sseAlgorithm: 'AES256' }], bucketKeyEnabled: false }] }],
                versionings: [{ enabled: rand() < 0.7, mfaDelete: false }],
                tagsAll: ctx.tags,
                grants: [{ id: hex(rand, 64), permissions: ['FULL_CONTROL'], type: 'CanonicalUser', uri: '' }],
                lifecycleRules: [],
                loggings: [],
                websites: [],
            };
            return { inputs, outputs, id: bucket };
        },
    },
    {
        type: 'aws:ec2/securityGroup:SecurityGroup',
        make(rand, name, ctx) {
            const rule = (port) => ({ cidrBlocks: [rand() < 0.15 ? '0.0.0.0/0' : `10.${Math.floor(rand() * 255)}.0.0/16`], description: `port ${port}`, fromPort: port, ipv6CidrBlocks: [], prefixListIds: [], protocol: 'tcp', securityGroups: [], self: false, toPort: port });
            const ingress = [rule(pick(rand, [443, 22, 5432, 6379])), ...(rand() < 0.5 ? [rule(80)] : [])];
            const egress = [{ cidrBlocks: ['0.0.0.0/0'], description: '', fromPort: 0, ipv6CidrBlocks: [], prefixListIds: [], protocol: '-1', securityGroups: [], self: false, toPort: 0 }];
            const id = `sg-${hex(rand, 17)}`;
            const inputs = { description: `${name} security group`, ingress, egress, name: `${name}-${hex(rand, 7)}`, revokeRulesOnDelete: false, tags: ctx.tags, vpcId: ctx.vpcId };
            return { inputs, outputs: { ...inputs, id, arn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${id}`, namePrefix: '', ownerId: ctx.accountId, tagsAll: ctx.tags }, id };
        },
    },
    {
        type: 'aws:iam/role:Role',
        make(rand, name, ctx) {
            const roleName = `${name}-${hex(rand, 7)}`;
            const assume = JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: pick(rand, ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']) } }] });
            const inputs = { assumeRolePolicy: assume, forceDetachPolicies: false, maxSessionDuration: 3600, name: roleName, path: '/', tags: ctx.tags };
            const outputs = { ...inputs, id: roleName, arn: `arn:aws:iam::${ctx.accountId}:role/${roleName}`, createDate: TIME, description: '', inlinePolicies: [{ name: `${roleName}-inline`, policy: policyJson(rand, `arn:aws:s3:::${ctx.team}-data`) }], managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'], permissionsBoundary: '', tagsAll: ctx.tags, uniqueId: `AROA${hex(rand, 17).toUpperCase()}` };
            return { inputs, outputs, id: roleName };
        },
    },
    {
        type: 'aws:lambda/function:Function',
        make(rand, name, ctx) {
            const fn = `${name}-${hex(rand, 7)}`;
            const inputs = {
                code: { '4dabf18193072939515e22adb298388d': 'c44067f5952c0a294b673a41bacd8c17', hash: hex(rand, 64), path: `/tmp/${fn}.zip` },
                environment: { variables: { LOG_LEVEL: 'info', TABLE: `${ctx.team}-table`, API_TOKEN: secret(rand) } },
                handler: 'index.handler',
                memorySize: pick(rand, [128, 256, 512, 1024]),
                role: `arn:aws:iam::${ctx.accountId}:role/${ctx.team}-lambda`,
                runtime: pick(rand, ['nodejs18.x', 'nodejs20.x', 'python3.12']),
                tags: ctx.tags,
                timeout: pick(rand, [3, 30, 60, 900]),
            };
            const outputs = { ...inputs, id: fn, arn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}`, architectures: ['x86_64'], codeSha256: Buffer.from(hex(rand, 64), 'hex').toString('base64'), ephemeralStorage: { size: 512 }, invokeArn: `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}/invocations`, lastModified: TIME, name: fn, packageType: 'Zip', publish: false, qualifiedArn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}:$LATEST`, sourceCodeHash: '', sourceCodeSize: 1000 + Math.floor(rand() * 90000), tagsAll: ctx.tags, tracingConfig: { mode: 'PassThrough' }, version: '$LATEST', vpcConfig: null };
            return { inputs, outputs, id: fn, additionalSecretOutputs: rand() < 0.3 ? ['environment'] : undefined };
        },
    },
    {
        type: 'aws:rds/instance:Instance',
        make(rand, name, ctx) {
            const id = `${name}-${hex(rand, 7)}`;
            const inputs = { allocatedStorage: pick(rand, [20, 100, 500]), engine: 'postgres', engineVersion: '15.4', identifier: id, instanceClass: pick(rand, ['db.t3.micro', 'db.r6g.large']), password: secret(rand), publiclyAccessible: rand() < 0.1, skipFinalSnapshot: true, storageEncrypted: rand() < 0.8, tags: ctx.tags, username: 'app' };
            const outputs = { ...inputs, id, address: `${id}.${hex(rand, 12)}.${ctx.region}.rds.amazonaws.com`, arn: `arn:aws:rds:${ctx.region}:${ctx.accountId}:db:${id}`, availabilityZone: `${ctx.region}a`, backupRetentionPeriod: 7, caCertIdentifier: 'rds-ca-rsa2048-g1', dbSubnetGroupName: 'default', endpoint: `${id}.${hex(rand, 12)}.${ctx.region}.rds.amazonaws.com:5432`, hostedZoneId: 'Z2R2ITUGPM61AM', multiAz: false, port: 5432, resourceId: `db-${hex(rand, 26).toUpperCase()}`, status: 'available', tagsAll: ctx.tags };
            return { inputs, outputs, id, protect: true, ignoreChanges: ['password'], customTimeouts: { create: 2400, update: 4800 } };
        },
    },
    {
        type: 'aws:dynamodb/table:Table',
        make(rand, name, ctx) {
            const table = `${name}-${hex(rand, 7)}`;
            const inputs = { attributes: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'S' }], billingMode: 'PAY_PER_REQUEST', hashKey: 'pk', name: table, rangeKey: 'sk', pointInTimeRecovery: { enabled: rand() < 0.6 }, serverSideEncryption: { enabled: rand() < 0.7 }, tags: ctx.tags };
            return { inputs, outputs: { ...inputs, id: table, arn: `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${table}`, deletionProtectionEnabled: false, globalSecondaryIndexes: [], localSecondaryIndexes: [], readCapacity: 0, replicas: [], streamArn: '', streamEnabled: false, tableClass: 'STANDARD', tagsAll: ctx.tags, ttl: { attributeName: '', enabled: false }, writeCapacity: 0 }, id: table };
        },
    },
];

/**
 * Writes the export; resolves with its size and resource count. Real exports of this size hold
 * tens of thousands of resources in one stack: `targetBytes` is reached by adding components
 * (one per service, a handful of resources each) until the file is that large.
 */
export async function writeStackExport(file, { targetBytes = 200 * 1024 * 1024, services, seed = 14, changed = 0, project = 'estate', stack = 'prod' } = {}) {
    const out = createWriteStream(file);
    let bytes = 0;
    let pending = [];
    let pendingLength = 0;
    const write = async (text) => {
        pending.push(text);
        pendingLength += text.length;
        bytes += Buffer.byteLength(text);
        if (pendingLength > 1 << 20) await flush();
    };
    const flush = async () => {
        if (!out.write(pending.join(''))) await once(out, 'drain');
        pending = [];
        pendingLength = 0;
    };
    const rand = seededRandom(seed);
    const changeRand = seededRandom(seed + 1);
    const accountId = String(100000000000 + Math.floor(rand() * 899999999999));
    const urn = (qualifiedType, name) => `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
    const stackUrn = urn('pulumi:pulumi:Stack', `${project}-${stack}`);
    let count = 0;
    let first = true;
    const resource = async (r) => {
        const text = JSON.stringify(r, null, 4).replace(/\n/g, '\n            ');
        await write(`${first ? '' : ','}\n            ${text}`);
        first = false;
        count++;
    };
    await write(`{\n    "version": 3,\n    "deployment": {\n        "manifest": ${JSON.stringify({ time: TIME, magic: hex(rand, 64), version: 'v3.140.0' }, null, 4).replace(/\n/g, '\n        ')},\n`);
    await write(`        "secrets_providers": {\n            "type": "passphrase",\n            "state": {\n                "salt": "v1:${Buffer.from(hex(rand, 16), 'hex').toString('base64')}:v1:${Buffer.from(hex(rand, 24), 'hex').toString('base64')}:${Buffer.from(hex(rand, 48), 'hex').toString('base64')}"\n            }\n        },\n        "resources": [`);
    await resource({ urn: stackUrn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { bucketCount: 0, region: REGIONS[0], dbPassword: secret(rand) }, created: TIME, modified: TIME });
    const providers = REGIONS.map((region) => {
        const name = `aws-${region}`;
        const id = uuid(rand);
        const inputs = { region, skipCredentialsValidation: 'false', skipRegionValidation: 'true', version: '6.52.0', defaultTags: '{"tags":{"ManagedBy":"pulumi"}}', ...(region === 'eu-central-1' ? { accessKey: secret(rand), secretKey: secret(rand) } : {}) };
        return { region, urn: urn('pulumi:providers:aws', name), id, inputs };
    });
    for (const p of providers) await resource({ urn: p.urn, custom: true, id: p.id, type: 'pulumi:providers:aws', inputs: p.inputs, outputs: p.inputs, parent: stackUrn, created: TIME, modified: TIME });
    let service = 0;
    for (; services === undefined ? bytes < targetBytes : service < services; service++) {
        const team = TEAMS[service % TEAMS.length];
        const env = pick(rand, ['dev', 'staging', 'prod']);
        const provider = providers[service % providers.length];
        const componentName = `${team}-svc-${service}`;
        const componentType = 'estate:service:Service';
        const componentUrn = urn(componentType, componentName);
        await resource({ urn: componentUrn, custom: false, type: componentType, parent: stackUrn, created: TIME, modified: TIME, sourcePosition: `project:///services/${team}.ts#${10 + (service % 200)},9` });
        const members = 3 + Math.floor(rand() * 4);
        const earlier = [];
        for (let m = 0; m < members; m++) {
            const kind = KINDS[Math.floor(rand() * KINDS.length)];
            const name = `${componentName}-${kind.type.split(':').pop().toLowerCase()}-${m}`;
            const isChanged = changed > 0 && changeRand() < changed;
            const ctx = { team, region: provider.region, accountId, vpcId: `vpc-${hex(rand, 17)}`, tags: tagsOf(rand, team, env, isChanged) };
            const made = kind.make(rand, name, ctx);
            if (isChanged && typeof made.inputs.memorySize === 'number') made.inputs.memorySize = made.outputs.memorySize = made.inputs.memorySize * 2;
            const resourceUrn = urn(`${componentType}$${kind.type}`, name);
            const dependencies = earlier.slice(-2);
            const r = {
                urn: resourceUrn,
                custom: true,
                id: made.id,
                type: kind.type,
                inputs: { __defaults: [], ...made.inputs },
                outputs: made.outputs,
                parent: componentUrn,
                ...(made.protect ? { protect: true } : {}),
                dependencies,
                provider: `${provider.urn}::${provider.id}`,
                propertyDependencies: Object.fromEntries(Object.keys(made.inputs).map((k) => [k, k === 'tags' ? [] : dependencies.slice(0, 1)])),
                ...(made.ignoreChanges ? { ignoreChanges: made.ignoreChanges } : {}),
                ...(made.additionalSecretOutputs ? { additionalSecretOutputs: made.additionalSecretOutputs } : {}),
                ...(made.customTimeouts ? { customTimeouts: made.customTimeouts } : {}),
                created: TIME,
                modified: isChanged ? '2026-12-01T08:00:00.000000Z' : TIME,
                sourcePosition: `project:///services/${team}.ts#${20 + m},13`,
            };
            // a create-before-delete replacement in flight: the old copy, marked for deletion, keeps the URN
            if (service === 7 && m === 0 && changed > 0) await resource({ ...r, id: `${made.id}-old`, delete: true });
            await resource(r);
            earlier.push(resourceUrn);
        }
    }
    await write('\n        ]\n    }\n}\n');
    await flush();
    out.end();
    await once(out, 'finish');
    return { bytes, resources: count, services: service };
}
