/**
 * The compact encoding of a shard's resources (schema version 4, resourceEncoding.ts and
 * propertyShapes.ts): every kind of shard the store keeps reads back equal to what was written,
 * each duplicate is written once, property content is written by shape and reads back as
 * JSON.parse gives it, version 2 and 3 files are read and rewritten encoded, and an item
 * that cannot be decoded is set aside and reported naming the field.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { stackResources } from '../../../server/src/accounts/stacks/stackResources';
import { parseStateDocument } from '../../../server/src/accounts/stacks/stackState';
import { resourceHash, resourceUrn } from '../../../server/src/accounts/resourceIdentity';
import type { Resource } from '../../../server/src/shared/model';
import { SCHEMA_VERSION, Store } from '../../../server/src/store';
import { base64urlToSha256Hex, decodeProblemOf, decodeShardResources, encodeShardResources, sha256HexToBase64url } from '../../../server/src/store/resourceEncoding';
import { SHOP_SECRETS, plaintextSecret, shopExport } from '../accounts/stackSecretsTestSupport';
import { repoRoot } from '../runner/runnerTestEnv';
import { makeTempDir } from './storeTestSupport';

const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', name);

/** A discovered resource as scanAccount's toResource builds it. */
function aws(parent: string, region: string | undefined, type: string, key: string, properties: Record<string, unknown>, name = key): Resource {
    return {
        account: region ? `${parent}/${region}` : parent,
        ...(region ? { region } : {}),
        urn: resourceUrn(parent, region, type, key),
        type,
        name,
        id: key,
        provider: 'aws',
        properties,
        hash: resourceHash(type, properties),
    };
}

function awsResources(): Resource[] {
    return [
        aws('prod', 'us-west-2', 'aws:s3/bucket:Bucket', 'assets', { bucket: 'assets', acl: 'private', tags: { Owner: 'web' } }),
        aws('prod', 'us-west-2', 'aws:ec2/instance:Instance', 'i-0abc', { instanceType: 't3.micro', tags: {} }, 'web-1'),
        aws('prod', 'us-west-2', 'aws:ec2/securityGroup:SecurityGroup', 'sg-1', {}),
    ];
}

/** As kubernetesScan builds them: the namespace is the region. */
function kubernetesResources(): Resource[] {
    const properties = { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { replicas: 2 } };
    return [
        {
            account: 'kind/shop',
            region: 'shop',
            urn: resourceUrn('kind', 'shop', 'kubernetes:apps/v1:Deployment', 'shop/web'),
            type: 'kubernetes:apps/v1:Deployment',
            name: 'web',
            id: 'shop/web',
            provider: 'kubernetes',
            properties,
            hash: resourceHash('kubernetes:apps/v1:Deployment', properties),
        },
    ];
}

/** The store's resources of a state as a stack scan builds them (stackResources). */
function fromState(account: string, state: unknown): Resource[] {
    const doc = parseStateDocument(Buffer.from(JSON.stringify(state)), 'state.json');
    return stackResources(account, { ...doc, project: doc.project!, stack: doc.stack! });
}

const STACK = 'urn:pulumi:dev::edge::pulumi:pulumi:Stack::edge-dev';
const PROVIDER = 'urn:pulumi:dev::edge::pulumi:providers:aws::default';
const GONE_PROVIDER = 'urn:pulumi:dev::edge::pulumi:providers:aws::old';

/**
 * A state with what the fixtures leave out: no outputs, empty outputs, options,
 * propertyDependencies, a provider pending deletion (so not stored: the resources that use
 * it keep their providerResource), and a reference to a provider that is not in the state.
 */
function edgeCases(): unknown {
    const provider = (urn: string, id: string, extra: Record<string, unknown> = {}) => ({
        urn, id, custom: true, type: 'pulumi:providers:aws', inputs: { region: 'eu-west-1', token: plaintextSecret('s3cr3t') }, outputs: { region: 'eu-west-1' }, ...extra,
    });
    return {
        version: 3,
        deployment: {
            resources: [
                { urn: STACK, custom: false, type: 'pulumi:pulumi:Stack', outputs: {} },
                provider(PROVIDER, 'p1'),
                provider(GONE_PROVIDER, 'p0', { delete: true }),
                {
                    urn: 'urn:pulumi:dev::edge::aws:sqs/queue:Queue::no-outputs', custom: true, type: 'aws:sqs/queue:Queue', parent: STACK,
                    inputs: { name: 'q' }, provider: `${PROVIDER}::p1`,
                },
                {
                    urn: 'urn:pulumi:dev::edge::aws:sqs/queue:Queue::empty-outputs', custom: true, id: 'q2', type: 'aws:sqs/queue:Queue', parent: STACK,
                    inputs: { name: 'q2' }, outputs: {}, provider: `${PROVIDER}::p1`,
                },
                {
                    urn: 'urn:pulumi:dev::edge::aws:rds/instance:Instance::db', custom: true, id: 'db-1', type: 'aws:rds/instance:Instance', parent: STACK,
                    inputs: { password: plaintextSecret('pw'), instanceClass: 'db.t3.micro' },
                    outputs: { password: plaintextSecret('pw'), instanceClass: 'db.t3.micro', endpoint: 'db:5432' },
                    provider: `${PROVIDER}::p1`, dependencies: [PROVIDER], propertyDependencies: { password: [STACK] },
                    protect: true, ignoreChanges: ['tags'], additionalSecretOutputs: ['password'], aliases: ['urn:pulumi:dev::edge::aws:rds/instance:Instance::old-db'],
                    customTimeouts: { create: 600 },
                },
                {
                    urn: 'urn:pulumi:dev::edge::aws:s3/bucket:Bucket::old-provider', custom: true, id: 'b1', type: 'aws:s3/bucket:Bucket', parent: STACK,
                    inputs: { bucket: 'b1' }, outputs: { bucket: 'b1', arn: 'arn:aws:s3:::b1' }, provider: `${GONE_PROVIDER}::p0`,
                },
                {
                    urn: 'urn:pulumi:dev::edge::aws:s3/bucket:Bucket::unknown-provider', custom: true, id: 'b2', type: 'aws:s3/bucket:Bucket', parent: STACK,
                    inputs: { bucket: 'b2' }, outputs: { bucket: 'b2' }, provider: 'urn:pulumi:dev::edge::pulumi:providers:aws::nowhere::p9',
                },
            ],
        },
    };
}

const SHAPES: Record<string, () => { account: string; resources: Resource[] }> = {
    'AWS resources of one region': () => ({ account: 'prod/us-west-2', resources: awsResources() }),
    'AWS resources of a parent account (global, no region)': () => ({ account: 'prod', resources: [aws('prod', undefined, 'aws:iam/role:Role', 'deployer', { name: 'deployer' })] }),
    'a shard of mixed accounts and regions (nothing shared)': () => ({ account: 'prod/us-west-2', resources: [...awsResources(), ...kubernetesResources()] }),
    'Kubernetes objects of one namespace': () => ({ account: 'kind/shop', resources: kubernetesResources() }),
    'a stack export with providers, a component and a resource pending deletion': () => {
        const state = JSON.parse(readFileSync(fixture('stacks/aws-app.dev.export.json'), 'utf8')) as unknown;
        return { account: 'aws-app', resources: fromState('aws-app', state) };
    },
    'a stack with secrets, explicit providers, options and propertyDependencies': () => ({ account: 'shop', resources: fromState('shop', shopExport()) }),
    'a stack with no outputs, empty outputs and providers missing from the shard': () => ({ account: 'edge', resources: fromState('edge', edgeCases()) }),
    'no resources': () => ({ account: 'empty', resources: [] }),
};

/** The file's text for `resources`, as the store writes it, and what reading it gives. */
function roundTrip(account: string, resources: Resource[]): { text: string; read: Resource[] } {
    const text = JSON.stringify(encodeShardResources({ schemaVersion: SCHEMA_VERSION, account, resources }));
    const parsed = JSON.parse(text) as Record<string, unknown> & { resources: unknown[] };
    decodeShardResources(parsed);
    assert.deepEqual(Object.keys(parsed).sort(), ['account', 'resources', 'schemaVersion'], 'the encoding leaves nothing of its own in the content');
    return { text, read: parsed.resources as Resource[] };
}

/** The resources of a file's text as written, each with `typeName`, its type looked up in the file's `types`. */
function writtenResources(text: string): (Record<string, unknown> & { typeName: string })[] {
    const file = JSON.parse(text) as { types: string[]; resources: Record<string, unknown>[] };
    return file.resources.map((r) => ({ ...r, typeName: file.types[r.type as number]! }));
}

/** The member names of an object as `text` (a file) writes it: `[shape, ...values]`. */
function shapeKeys(text: string, written: unknown): string[] {
    assert.ok(Array.isArray(written) && typeof written[0] === 'number', `${JSON.stringify(written)} is written by shape`);
    return (JSON.parse(text) as { shapes: string[][] }).shapes[written[0] as number]!;
}

describe('the compact encoding of a shard\'s resources', () => {
    for (const [shape, make] of Object.entries(SHAPES)) {
        it(`reads back ${shape} exactly as written`, () => {
            const { account, resources } = make();
            const { read } = roundTrip(account, resources);
            assert.deepEqual(read, structuredClone(resources));
            for (const r of read) assert.deepEqual(decodeProblemOf(r), undefined);
        });
    }

    it('writes a stack resource\'s outputs once and reads its properties back as the same object', () => {
        const { resources } = SHAPES['a stack with secrets, explicit providers, options and propertyDependencies']!();
        const { text, read } = roundTrip('shop', resources);
        const db = read.find((r) => r.type === 'aws:rds/instance:Instance')!;
        assert.ok(db.outputs && Object.keys(db.outputs).length > 0);
        assert.equal(db.properties, db.outputs, 'one object in memory');
        const onDisk = writtenResources(text).find((r) => r.typeName === 'aws:rds/instance:Instance')!;
        assert.equal(onDisk.properties, 'outputs', 'the file marks the properties as the outputs');
        assert.ok(!text.includes(SHOP_SECRETS.dbPassword) && !text.includes(SHOP_SECRETS.westSecretKey), 'secrets stay redacted');
    });

    it('writes inputs that mostly repeat the outputs as the outputs with changes, exactly', () => {
        const { resources } = SHAPES['a stack with secrets, explicit providers, options and propertyDependencies']!();
        const { text, read } = roundTrip('shop', resources);
        const onDisk = writtenResources(text);
        const password = onDisk.find((r) => r.typeName === 'random:index/randomPassword:RandomPassword')!;
        // the outputs add id, result and bcryptHash; the inputs are all in the outputs
        const [from, leftOut, set] = password.inputs as unknown[];
        assert.deepEqual([from, leftOut], ['outputs', ['id', 'result', 'bcryptHash']]);
        assert.deepEqual(shapeKeys(text, set), [], 'no member set');
        const provider = onDisk.find((r) => r.typeName === 'pulumi:providers:random')!;
        const [, providerLeftOut, providerSet] = provider.inputs as unknown[];
        assert.deepEqual(providerLeftOut, []);
        assert.deepEqual(shapeKeys(text, providerSet), ['__internal'], 'a member the outputs lack is set');
        assert.deepEqual(read, structuredClone(resources));
    });

    it('keeps inputs members named like object internals as members', () => {
        const inputs = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "acl": "private"}') as Record<string, unknown>;
        const outputs = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 2, "acl": "private", "arn": "a"}') as Record<string, unknown>;
        const resource: Resource = { account: 's', urn: 'urn:pulumi:s::p::t::n', type: 't', name: 'n', properties: outputs, hash: 'h', inputs, outputs };
        const { text, read } = roundTrip('s', [resource]);
        const [from, leftOut, set] = (JSON.parse(text) as { resources: Record<string, unknown>[] }).resources[0]!.inputs as unknown[];
        assert.deepEqual([from, leftOut], ['outputs', ['arn']]);
        assert.deepEqual(shapeKeys(text, set), ['constructor']);
        assert.deepEqual((set as unknown[]).slice(1), [1]);
        assert.deepEqual(read, [resource]);
        assert.ok(Object.hasOwn(read[0]!.inputs!, '__proto__'));
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('marks properties that are the inputs (a resource with empty outputs) and writes them once', () => {
        const { resources } = SHAPES['a stack with no outputs, empty outputs and providers missing from the shard']!();
        const { text, read } = roundTrip('edge', resources);
        const onDisk = (JSON.parse(text) as { resources: Record<string, unknown>[] }).resources;
        for (const name of ['no-outputs', 'empty-outputs']) {
            assert.equal(onDisk.find((r) => r.name === name)!.properties, 'inputs', name);
            const back = read.find((r) => r.name === name)!;
            assert.equal(back.properties, back.inputs, name);
        }
        assert.deepEqual(read.find((r) => r.name === 'empty-outputs')!.outputs, {});
    });

    it('derives a provider resource from the provider in the shard, and keeps one whose provider is not there', () => {
        const { resources } = SHAPES['a stack with no outputs, empty outputs and providers missing from the shard']!();
        const oldProvider = resources.find((r) => r.name === 'old-provider')!;
        assert.equal(oldProvider.providerResource?.urn, GONE_PROVIDER, 'stackResources gives it the provider pending deletion');
        assert.equal(resources.find((r) => r.name === 'unknown-provider')!.providerResource, undefined);
        const { text, read } = roundTrip('edge', resources);
        const onDisk = (JSON.parse(text) as { resources: Record<string, unknown>[] }).resources;
        assert.equal(onDisk.find((r) => r.name === 'db')!.providerResource, 'provider');
        assert.deepEqual(onDisk.find((r) => r.name === 'old-provider')!.providerResource, oldProvider.providerResource, 'not in the shard: written out');
        const users = read.filter((r) => r.provider === `${PROVIDER}::p1`);
        assert.equal(users.length, 3);
        assert.deepEqual(users[0]!.providerResource!.properties, { region: 'eu-west-1', token: '[secret]' });
        assert.ok(users.every((r) => r.providerResource === users[0]!.providerResource), 'one object per provider in memory');
    });

    it('leaves out what every resource of the file shares, and URNs derived from type and id', () => {
        const resources = awsResources();
        const { text, read } = roundTrip('prod/us-west-2', resources);
        const file = JSON.parse(text) as { common: unknown; urnPrefix: string; urnKey?: string; resources: Record<string, unknown>[] };
        assert.deepEqual(file.common, { account: 'prod/us-west-2', region: 'us-west-2', provider: 'aws' });
        assert.equal(file.urnPrefix, 'urn:pulumi:prod::us-west-2::');
        // a discovered resource's URN ends in its id, also the instance's, whose name is another
        assert.equal(file.urnKey, 'id');
        assert.deepEqual(file.resources.map((r) => r.urn), [undefined, undefined, undefined]);
        assert.equal(read[1]!.urn, 'urn:pulumi:prod::us-west-2::aws:ec2/instance:Instance::i-0abc');
        for (const r of file.resources) assert.deepEqual([r.account, r.region, r.provider], [undefined, undefined, undefined]);
        // a name that is the id is written once
        assert.deepEqual(file.resources.map((r) => r.name), [undefined, 'web-1', undefined]);
        assert.deepEqual(read, resources);
    });

    it('derives URNs from the name when as many end in it as in the id, and writes the others out', () => {
        // a stack's URNs end in the resource's name; its ids are the cloud's
        const { resources } = SHAPES['a stack with no outputs, empty outputs and providers missing from the shard']!();
        const { text, read } = roundTrip('edge', resources);
        const file = JSON.parse(text) as { urnKey?: string; resources: Record<string, unknown>[] };
        assert.equal(file.urnKey, undefined);
        assert.ok(file.resources.every((r) => r.urn === undefined));
        assert.deepEqual(read, structuredClone(resources));
        // a tie (the instance by id, the bucket by name) keeps the name, as version 3 did
        const tie = [awsResources()[1]!, { ...awsResources()[0]!, urn: 'urn:pulumi:prod::us-west-2::aws:s3/bucket:Bucket::other', name: 'other' }];
        const tied = roundTrip('prod/us-west-2', tie);
        const tiedFile = JSON.parse(tied.text) as { urnKey?: string; resources: Record<string, unknown>[] };
        assert.equal(tiedFile.urnKey, undefined);
        assert.deepEqual(tiedFile.resources.map((r) => r.urn), [tie[0]!.urn, undefined]);
        assert.deepEqual(tied.read, tie);
    });

    it('reports the URN of an item it cannot derive when the file\'s "urnKey" is not one it knows', () => {
        const file = JSON.parse(roundTrip('prod/us-west-2', awsResources()).text) as Record<string, unknown> & { resources: unknown[] };
        file.urnKey = 'arn';
        decodeShardResources(file);
        assert.equal(decodeProblemOf(file.resources[0]), 'resources[0].urn cannot be derived: the file\'s "urnKey" is "arn", not "id"');
    });

    it('reads a discovered resource back with its fields in the order the scanner gives them', () => {
        const resources = awsResources();
        const { read } = roundTrip('prod/us-west-2', resources);
        assert.deepEqual(read.map((r) => Object.keys(r)), resources.map((r) => Object.keys(r)));
        assert.deepEqual(Object.keys(read[0]!), ['account', 'region', 'urn', 'type', 'name', 'id', 'provider', 'properties', 'hash']);
    });

    it('writes each type once and reads every resource of a type back with the same string', () => {
        const resources = [...awsResources(), ...awsResources().map((r) => ({ ...r, urn: `${r.urn}-2`, name: `${r.name}-2`, type: `${r.type}` }))];
        const { text, read } = roundTrip('prod/us-west-2', resources);
        const file = JSON.parse(text) as { types: string[]; resources: { type: number }[] };
        assert.deepEqual(file.types, ['aws:s3/bucket:Bucket', 'aws:ec2/instance:Instance', 'aws:ec2/securityGroup:SecurityGroup']);
        assert.deepEqual(file.resources.map((r) => r.type), [0, 1, 2, 0, 1, 2]);
        assert.deepEqual(read, resources);
    });

    it('converts sha256 hex digests to base64url and back as Buffer does, and refuses anything else', () => {
        for (let i = 0; i < 200; i++) {
            const hex = createHash('sha256').update(String(i)).digest('hex');
            const text = sha256HexToBase64url(hex);
            assert.equal(text, Buffer.from(hex, 'hex').toString('base64url'));
            assert.equal(base64urlToSha256Hex(text!), hex);
        }
        const digest = createHash('sha256').update('x').digest('hex');
        for (const notOne of ['', 'h1', digest.toUpperCase(), `${digest}0`, digest.slice(1), `${digest.slice(0, 63)}g`]) assert.equal(sha256HexToBase64url(notOne), undefined, notOne);
        const text = sha256HexToBase64url(digest)!;
        // the last digit's two low bits are padding: a text with them set was not written by the encoder
        const lastBitsSet = text.slice(0, 42) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(text[42]!) | 1];
        for (const notOne of ['', text.slice(1), `${text}A`, `${text.slice(0, 42)}=`, `${text.slice(0, 41)}+${text[42]}`, lastBitsSet]) assert.equal(base64urlToSha256Hex(notOne), undefined, notOne);
    });

    it('writes sha256 hashes in base64url when every hash of the file is one, and others as they are', () => {
        const resources = awsResources();
        const { text, read } = roundTrip('prod/us-west-2', resources);
        const file = JSON.parse(text) as { hashes?: string; resources: { hash: string }[] };
        assert.equal(file.hashes, 'base64url');
        assert.deepEqual(file.resources.map((r) => r.hash), resources.map((r) => Buffer.from(r.hash, 'hex').toString('base64url')));
        assert.ok(file.resources.every((r) => r.hash.length === 43));
        assert.deepEqual(read.map((r) => r.hash), resources.map((r) => r.hash));

        const mixed = [...awsResources(), { ...awsResources()[0]!, urn: 'urn:other', hash: 'not-a-digest' }];
        const other = roundTrip('prod/us-west-2', mixed);
        assert.equal((JSON.parse(other.text) as { hashes?: string }).hashes, undefined);
        assert.deepEqual(other.read, mixed);
    });

    it('keeps a field the resources do not all share on each resource', () => {
        const resources = [...awsResources(), { ...awsResources()[0]!, urn: 'urn:x', region: undefined, account: 'prod' }];
        delete resources[3]!.region;
        const { text, read } = roundTrip('prod/us-west-2', resources);
        assert.deepEqual(read, resources);
        assert.deepEqual((JSON.parse(text) as { common: unknown }).common, { provider: 'aws' });
    });
});

/** An AWS resource of one region whose properties are `properties`, as a scan stores it. */
const withProperties = (properties: Record<string, unknown>, key = 'r-1') => aws('prod', 'us-west-2', 'aws:ec2/instance:Instance', key, properties);

/** What reading back the properties `properties` (written in a file of one resource) gives. */
function propertiesRoundTrip(properties: Record<string, unknown>): { text: string; read: Record<string, unknown> } {
    const { text, read } = roundTrip('prod/us-west-2', [withProperties(properties)]);
    return { text, read: read[0]!.properties };
}

/** The value as a JSON file gives it back: what every schema of the store has read. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Asserts `read` is what JSON gives for `written`: deep-equal (prototypes, own `__proto__` members) and written the same. */
function assertReadAsJson(read: unknown, written: unknown, what: string): void {
    assert.deepStrictEqual(read, asJson(written), what);
    assert.equal(JSON.stringify(read), JSON.stringify(written), what);
}

/** Property content JSON.parse gives that an encoder by shape could get wrong. */
const TRICKY = [
    '{}',
    '{"empty": {}, "list": [], "emptyInList": [{}, {}], "nested": {"a": {}}}',
    '{"__proto__": {"polluted": true}, "a": 1}',
    '{"a": {"__proto__": [1, 2]}, "b": {"__proto__": null, "constructor": {"prototype": 1}}}',
    '{"b": 1, "a": 2, "2": "two", "1": "one", "-1": "minus", "01": "zero-one", "4294967295": "big"}',
    '{"n": [1e21, -0, 0, 1e-7, 5e-324, 1.7976931348623157e308, -1, 0.1]}',
    '{"ports": [80, 443], "first": [-1, 2], "shapeLike": [0, "x"], "minusOne": [-1], "nested": [[0], [[-1]], [1, [2]]]}',
    '{"mixed": [null, 1, "a", true, {"k": 1}, [2]], "nulls": [null], "bools": [true, false]}',
    '{"password": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "[secret]"}, "list": [{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc:def"}]}',
    '{"": "empty key", "a b": 1, "\\u0000": 2, "é": 3, "🚀": 4, "a\\"b": 5, "toString": 6, "hasOwnProperty": 7, "valueOf": {"valueOf": 8}}',
    '{"same": {"x": 1, "y": 2}, "other": {"y": 2, "x": 1}, "again": {"x": [3], "y": {"x": 1, "y": 2}}}',
    '{"text": "[0, 1]", "deep": [[[[[{"a": [[[[1]]]]}]]]]]}',
];

describe('property content by shape', () => {
    for (const text of TRICKY) {
        it(`reads back ${text.length > 70 ? `${text.slice(0, 70)}...` : text} as JSON.parse gave it`, () => {
            const properties = JSON.parse(text) as Record<string, unknown>;
            const { read } = propertiesRoundTrip(properties);
            assertReadAsJson(read, properties, text);
            assert.deepEqual(Object.keys(read), Object.keys(properties), 'member order');
        });
    }

    it('keeps members named __proto__ as own members, and pollutes nothing', () => {
        const properties = JSON.parse('{"__proto__": {"polluted": true}, "inner": {"__proto__": {"polluted": 2}}}') as Record<string, unknown>;
        const { read } = propertiesRoundTrip(properties);
        assert.ok(Object.hasOwn(read, '__proto__') && Object.hasOwn(read.inner as object, '__proto__'));
        assert.equal(Object.getPrototypeOf(read), Object.prototype);
        assert.equal(Object.getPrototypeOf(read.inner), Object.prototype);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('reads numbers back as JSON writes them: 1e21 stays 1e21, -0 comes back 0 as in every schema', () => {
        const properties = JSON.parse('{"big": 1e21, "negativeZero": -0}') as Record<string, unknown>;
        assert.ok(Object.is(properties.negativeZero, -0), 'JSON.parse gives -0');
        const { read } = propertiesRoundTrip(properties);
        assert.equal(read.big, 1e21);
        // JSON.stringify writes -0 as 0: no JSON file of the store (schemas 2 and 3 neither) keeps the sign
        assert.ok(Object.is(read.negativeZero, 0));
        assert.equal(JSON.stringify(read), '{"big":1e+21,"negativeZero":0}');
    });

    it('reads back random JSON values as JSON.parse gave them', () => {
        let seed = 7;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        const keys = ['a', 'b', 'c', '__proto__', '0', '1', '', 'x y', 'constructor'];
        const value = (depth: number): string => {
            const pick = random();
            if (depth > 4 || pick < 0.3) return JSON.stringify([0, -1, 2.5, -0, 1e21, 'a', '', true, false, null][Math.floor(random() * 10)]);
            if (pick < 0.6) return `[${Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)).join(',')}]`;
            const members = [...new Set(Array.from({ length: Math.floor(random() * 5) }, () => keys[Math.floor(random() * keys.length)]!))];
            return `{${members.map((k) => `${JSON.stringify(k)}:${value(depth + 1)}`).join(',')}}`;
        };
        const resources = Array.from({ length: 300 }, (_, i) => withProperties(JSON.parse(`{"v":${value(0)},"w":${value(0)}}`) as Record<string, unknown>, `r-${i}`));
        const { read } = roundTrip('prod/us-west-2', resources);
        read.forEach((r, i) => assertReadAsJson(r.properties, resources[i]!.properties, JSON.stringify(resources[i]!.properties)));
    });

    it('writes what JSON.stringify writes for values that are not plain JSON (dates, undefined, functions, NaN, boxed values)', () => {
        const properties: Record<string, unknown> = {
            launchTime: new Date('2024-01-15T10:00:00.000Z'),
            nested: { at: new Date(0), gone: undefined, fn: () => 1, kept: 1 },
            list: [undefined, () => 1, new Date(1), Number.NaN, Number.POSITIVE_INFINITY],
            boxed: [new Number(1), new String('s'), new Boolean(false)],
            custom: { toJSON: (key: string) => ({ key }) },
            indexed: [1, { toJSON: (key: unknown) => `at ${typeof key} ${String(key)}` }],
            symbol: Symbol('s'),
            missing: undefined,
        };
        const { read } = propertiesRoundTrip(properties);
        assertReadAsJson(read, properties, 'not plain JSON');
        assert.deepEqual(read.custom, { key: 'custom' }, 'toJSON gets the member name');
        assert.deepEqual(read.indexed, [1, 'at string 1'], 'and an index as a string');
    });

    it('writes each list of member names once, and an object as its shape and values', () => {
        const instance = (id: string) => withProperties({ instanceType: 't3.micro', tags: { Owner: 'web' }, ports: [80, 443] }, id);
        const { text, read } = roundTrip('prod/us-west-2', [instance('i-1'), instance('i-2'), instance('i-3')]);
        const file = JSON.parse(text) as { shapes: string[][]; sharedShapes: number; resources: { properties: unknown[] }[] };
        assert.deepEqual(file.shapes, [['Owner'], ['instanceType', 'tags', 'ports']]);
        assert.equal(file.sharedShapes, 2);
        assert.equal(text.split('"instanceType"').length, 2, 'the name is written once');
        assert.deepEqual(file.resources[0]!.properties, [1, 't3.micro', [0, 'web'], [-1, 80, 443]]);
        assert.deepEqual(read, [instance('i-1'), instance('i-2'), instance('i-3')]);
    });

    it('lists the shapes of one object after the shared ones, and reads the same whatever "sharedShapes" says', () => {
        // tags keyed by names that differ per resource: each tags object a shape of its own
        const resources = Array.from({ length: 4 }, (_, i) => withProperties({ name: `n${i}`, tags: { [`team-${i}`]: 'x' } }, `i-${i}`));
        const { text, read } = roundTrip('prod/us-west-2', resources);
        const file = JSON.parse(text) as Record<string, unknown> & { shapes: string[][]; sharedShapes: number; resources: unknown[] };
        assert.deepEqual(file.shapes, [['name', 'tags'], ['team-0'], ['team-1'], ['team-2'], ['team-3']]);
        assert.equal(file.sharedShapes, 1);
        assert.deepEqual(read, resources);
        for (const sharedShapes of [0, 5, 99, -1, 'x', null, undefined]) {
            const again = { ...(JSON.parse(text) as typeof file), sharedShapes };
            decodeShardResources(again as unknown as Parameters<typeof decodeShardResources>[0]);
            assert.deepEqual(again.resources, resources, String(sharedShapes));
        }
    });

    it('writes a top-level member that is the resource\'s id or the file\'s region once, in its shape', () => {
        const bucket = (id: string, arn: string, region = 'us-west-2') => withProperties({ bucket: id, arn, region, tags: { Name: id }, location: { region } }, id);
        const resources = [bucket('a', 'a'), bucket('b', 'b'), bucket('c', 'arn:aws:s3:::c'), bucket('d', 'd', 'eu-west-1')];
        const { text, read } = roundTrip('prod/us-west-2', resources);
        assert.deepEqual(read, resources);
        const file = JSON.parse(text) as { shapes: string[][]; shapeSources: [number, number, string][]; resources: { properties: unknown[] }[] };
        const sourcesOf = (shape: number) => file.shapeSources.filter(([s]) => s === shape).map(([, member, source]) => `${file.shapes[shape]![member]}=${source}`);
        const [a, , c, d] = file.resources.map((r) => r.properties);
        assert.deepEqual(sourcesOf(a![0] as number), ['bucket=id', 'arn=id', 'region=region'], 'the first member equal to the id and the region');
        // only the values that are not the resource's: the nested tags and location keep theirs
        assert.deepEqual(a!.slice(1).map((v) => (Array.isArray(v) ? v.slice(1) : v)), [['a'], ['us-west-2']]);
        assert.deepEqual(sourcesOf(c![0] as number), ['bucket=id', 'region=region'], 'an ARN that is not the id is a value');
        assert.deepEqual(sourcesOf(d![0] as number), ['bucket=id', 'arn=id'], 'a region that is not the file\'s is a value');
    });

    it('reports a member from the resource where there is none, and a "shapeSources" it cannot read', () => {
        const resources = [withProperties({ arn: 'i-1', region: 'us-west-2', nested: { k: 1 } }, 'i-1'), withProperties({ arn: 'i-2', region: 'us-west-2', nested: { k: 2 } }, 'i-2')];
        const text = roundTrip('prod/us-west-2', resources).text;
        const decoded = (edit: (file: Record<string, unknown> & { resources: Record<string, unknown>[]; common: Record<string, unknown> }) => void) => {
            const file = JSON.parse(text) as Record<string, unknown> & { resources: Record<string, unknown>[]; common: Record<string, unknown> };
            edit(file);
            decodeShardResources(file as unknown as Parameters<typeof decodeShardResources>[0]);
            return file.resources.map((r) => decodeProblemOf(r));
        };
        const [shape] = (JSON.parse(text) as { resources: { properties: [number] }[] }).resources[0]!.properties;
        // the properties' shape put inside another value, where no resource is at hand
        assert.match(decoded((file) => ((file.resources[0]!.properties as unknown[])[1] = [shape]))[0]!, /^resources\[0\]\.properties\.nested is written as shape \d+, whose member "arn" is the resource's id, where no resource's id is at hand$/);
        // a file whose resources share no region
        assert.match(decoded((file) => delete file.common.region)[1]!, /^resources\[1\]\.properties is written as shape \d+, whose member "region" is the resource's region, where no resource's region is at hand$/);
        for (const shapeSources of [[[0, 99, 'id']], [[99, 0, 'id']], [[0, 0, 'name']], [0, 0, 'id'], 'id']) {
            const problems = decoded((file) => (file.shapeSources = shapeSources));
            assert.equal(problems.length, 2);
            assert.match(problems[0]!, /^resources\[0\]\.properties cannot be read: the file's "shapeSources" holds .*, which is no \[shape index, member index, "id" or "region"\]$/, JSON.stringify(shapeSources));
        }
    });

    it('builds the objects of a shape in key order with one hidden class', () => {
        setFlagsFromString('--allow-natives-syntax');
        // a V8 intrinsic is only reachable from code compiled after the flag is set
        const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
        const properties = (i: number) => JSON.parse(`{"b": ${i}, "a": "x${i}", "1": ${i}, "tags": {"team": "t${i}"}, "list": [{"k": ${i}}, {"k": "${i}"}]}`) as Record<string, unknown>;
        const resources = Array.from({ length: 20 }, (_, i) => withProperties(properties(i), `i-${i}`));
        const { read } = roundTrip('prod/us-west-2', resources);
        const first = read[0]!.properties;
        for (const r of read.slice(1)) {
            assert.deepEqual(Object.keys(r.properties), ['1', 'b', 'a', 'tags', 'list']);
            assert.ok(haveSameMap(r.properties, first), 'the properties of one shape');
            assert.ok(haveSameMap(r.properties.tags, first.tags), 'a nested object of one shape');
            const [k1, k2] = r.properties.list as object[];
            assert.ok(haveSameMap(k1, (first.list as object[])[0]) && haveSameMap(k2, (first.list as object[])[1]));
        }
        assert.ok(!haveSameMap(first, first.tags), 'another shape, another class');
    });

    it('reads back pulumi/pulumi\'s checkpoint-secrets.json (a real state with secrets) exactly', () => {
        const mirror = process.env.PULUMI_REPO ?? '/work/.mirror/pulumi+pulumi/repo';
        let state: string;
        try {
            state = execFileSync('git', ['-C', mirror, 'show', 'HEAD:pkg/resource/stack/testdata/checkpoint-secrets.json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (error) {
            throw new Error(`pulumi/pulumi's checkpoint-secrets.json is read from the git repository ${mirror}; set PULUMI_REPO to a clone of pulumi/pulumi (${String(error)})`);
        }
        const doc = parseStateDocument(Buffer.from(state), 'checkpoint-secrets.json');
        const resources = stackResources('countdown', { ...doc, project: doc.project!, stack: doc.stack! });
        assert.ok(resources.length > 20);
        const { text, read } = roundTrip('countdown', resources);
        assert.deepEqual(read, structuredClone(resources));
        read.forEach((r, i) => {
            for (const field of ['properties', 'inputs', 'outputs'] as const) if (resources[i]![field] !== undefined) assertReadAsJson(r[field], resources[i]![field], `${r.name}.${field}`);
        });
        assert.ok(read.some((r) => JSON.stringify(r.inputs ?? {}).includes('"4dabf18193072939515e22adb298388d"')), 'the wire form of nested secrets and assets');
        assert.ok(text.length < JSON.stringify(resources).length);
    });
});

describe('a version 4 resources file in the store', () => {
    let home: string;
    let cleanup: () => Promise<void>;
    const stores: Store[] = [];
    const open = async () => {
        const store = await Store.open({ home });
        stores.push(store);
        return store;
    };
    beforeEach(async () => {
        ({ dir: home, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
        for (const store of stores.splice(0)) await store.close();
        await cleanup();
    });

    it('reads a version 2 file as it is and writes it back at version 4, the old text kept as the backup', async () => {
        const { resources } = SHAPES['a stack with secrets, explicit providers, options and propertyDependencies']!();
        const store = await open();
        const file = store.shardPath('shop');
        // exactly what a version 2 store wrote
        const v2 = JSON.stringify({ schemaVersion: 2, account: 'shop', resources });
        await writeFile(file, v2);
        await writeFile(store.shardViolationsPath('shop'), JSON.stringify({ schemaVersion: 2, account: 'shop', violations: [], scans: [] }));

        const fresh = await open();
        const shard = await fresh.readShard('shop');
        assert.deepEqual(structuredClone(shard.resources), resources);
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { schemaVersion: number; common?: unknown; shapes?: unknown };
        assert.equal(onDisk.schemaVersion, 4);
        assert.deepEqual(onDisk.common, { account: 'shop', project: 'shop', stack: 'prod' });
        assert.ok(Array.isArray(onDisk.shapes));
        assert.equal(await readFile(`${file}.bak`, 'utf8'), v2);
        assert.ok((await readFile(file, 'utf8')).length < v2.length);
        assert.deepEqual(fresh.recoveries, []);

        // and read back from the new file by another process
        const third = await open();
        assert.deepEqual(structuredClone((await third.readShard('shop')).resources), resources);
    });

    it('reads a version 3 file (property content written as it is) and writes it back by shape', async () => {
        // what ad0fc1d wrote: the encoding of version 4 without `shapes`, the property content as it is
        const resources = [
            withProperties({ ports: [80, 443], looksLikeAShape: [0, 'x'], minusOne: [-1, 2], tags: { Owner: 'web' } }, 'i-1'),
            withProperties({ ports: [22], looksLikeAShape: [1], minusOne: [-1], tags: {} }, 'i-2'),
        ];
        const v3 = encodeShardResources({ schemaVersion: 3, account: 'prod/us-west-2', resources }) as unknown as Record<string, unknown> & { resources: Record<string, unknown>[] };
        delete v3.shapes;
        v3.resources.forEach((item, i) => (item.properties = resources[i]!.properties));
        const v3Text = JSON.stringify(v3);
        const store = await open();
        const file = store.shardPath('prod/us-west-2');
        await writeFile(file, v3Text);
        await writeFile(store.shardViolationsPath('prod/us-west-2'), JSON.stringify({ schemaVersion: 3, account: 'prod/us-west-2', violations: [], scans: [] }));

        const fresh = await open();
        assert.deepEqual(structuredClone((await fresh.readShard('prod/us-west-2')).resources), resources);
        assert.deepEqual(fresh.recoveries, []);
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { schemaVersion: number; shapes?: unknown; resources: { properties: unknown }[] };
        assert.equal(onDisk.schemaVersion, 4);
        assert.ok(Array.isArray(onDisk.shapes));
        assert.ok(Array.isArray(onDisk.resources[0]!.properties), 'written by shape');
        assert.equal(await readFile(`${file}.bak`, 'utf8'), v3Text);
        assert.deepEqual(structuredClone((await (await open()).readShard('prod/us-west-2')).resources), resources);
    });

    it('sets aside and reports an item whose shapes it cannot read, naming the member', async () => {
        const resources = [
            withProperties({ tags: { Owner: 'a' }, list: [{ k: 1 }] }, 'i-0'),
            withProperties({ tags: { Owner: 'b' }, list: [{ k: 2 }] }, 'i-1'),
            withProperties({ tags: { Owner: 'c' }, list: [{ k: 3 }] }, 'i-2'),
            withProperties({ tags: { Owner: 'd' }, list: [{ k: 4 }] }, 'i-3'),
        ];
        const store = await open();
        await store.updateShard('prod/us-west-2', (shard) => void shard.resources.push(...resources));
        const file = store.shardPath('prod/us-west-2');
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { shapes: string[][]; resources: { properties: unknown[] }[] };
        const [, tags] = onDisk.resources[0]!.properties as [number, unknown[]];
        // hand edits: a shape that is not in the file, a value too few, a shape index that is no integer
        tags[0] = onDisk.shapes.length + 5;
        (onDisk.resources[1]!.properties[2] as unknown[][])[0]!.pop();
        onDisk.resources[2]!.properties[0] = 0.5;
        await writeFile(file, JSON.stringify(onDisk));

        const fresh = await open();
        const read = await fresh.readShard('prod/us-west-2');
        assert.deepEqual(structuredClone(read.resources), [resources[3]]);
        const [report] = fresh.recoveries;
        assert.equal(report?.quarantined, 3);
        const kept = JSON.parse(await readFile(report.movedTo!, 'utf8')) as { where: string; problem: string; item: Record<string, unknown> }[];
        assert.deepEqual(kept.map((k) => k.problem), [
            `resources[0].properties.tags is written as shape ${onDisk.shapes.length + 5}, which is not in the file's "shapes"`,
            'resources[1].properties.list[0] is written as shape 1 with 0 values, not 1',
            'resources[2].properties is written as shape 0.5, which is not in the file\'s "shapes"',
        ]);
        assert.deepEqual(kept.map((k) => k.item.id), ['i-0', 'i-1', 'i-2'], 'each item as written');
        assert.deepEqual((await open()).recoveries, [], 'written back without them, so reported once');
    });

    it('sets aside every item when the file\'s "shapes" cannot be read', async () => {
        const store = await open();
        await store.updateShard('prod/us-west-2', (shard) => void shard.resources.push(...awsResources()));
        const file = store.shardPath('prod/us-west-2');
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { shapes: unknown };
        onDisk.shapes = [['a'], 'b'];
        await writeFile(file, JSON.stringify(onDisk));
        const fresh = await open();
        assert.deepEqual((await fresh.readShard('prod/us-west-2')).resources, []);
        const kept = JSON.parse(await readFile(fresh.recoveries[0]!.movedTo!, 'utf8')) as { problem: string }[];
        assert.equal(kept.length, 3);
        assert.equal(kept[0]!.problem, 'resources[0].properties cannot be read: the file\'s "shapes" is not a list of lists of member names');
    });

    it('sets aside and reports an item it cannot decode, and keeps the others', async () => {
        const { resources } = SHAPES['a stack with no outputs, empty outputs and providers missing from the shard']!();
        const store = await open();
        await store.updateShard('edge', (shard) => void shard.resources.push(...resources));
        const file = store.shardPath('edge');
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { resources: Record<string, unknown>[] };
        const db = onDisk.resources.findIndex((r) => r.name === 'db');
        const queue = onDisk.resources.findIndex((r) => r.name === 'no-outputs');
        const bucket = onDisk.resources.findIndex((r) => r.name === 'old-provider');
        assert.ok(Array.isArray(onDisk.resources[bucket]!.inputs));
        // hand edits: the provider renamed, the inputs the properties refer to deleted, the outputs the inputs come from deleted
        onDisk.resources[db]!.provider = 'urn:pulumi:dev::edge::pulumi:providers:aws::renamed::p1';
        delete onDisk.resources[queue]!.inputs;
        delete onDisk.resources[bucket]!.outputs;
        // and a hash that is not what the file's "hashes" says
        const stack = onDisk.resources.findIndex((r) => r.name === 'edge-dev');
        assert.equal((onDisk as { hashes?: string }).hashes, 'base64url');
        onDisk.resources[stack]!.hash = 'abc';
        await writeFile(file, JSON.stringify(onDisk));

        const fresh = await open();
        const read = await fresh.readShard('edge');
        const bad = ['db', 'edge-dev', 'no-outputs', 'old-provider'];
        assert.deepEqual(read.resources.map((r) => r.name).sort(), resources.map((r) => r.name).filter((n) => !bad.includes(n)).sort());
        const [report] = fresh.recoveries;
        assert.equal(report?.quarantined, 4);
        assert.match(report.reason, /and 1 more/);
        const kept = JSON.parse(await readFile(report.movedTo!, 'utf8')) as { where: string; problem: string; item: Record<string, unknown> }[];
        assert.deepEqual(kept.map((k) => k.item.name).sort(), bad);
        const problems = kept.map((k) => k.problem).join('\n');
        assert.match(problems, new RegExp(`resources\\[${db}\\]\\.providerResource names the provider .*renamed.*, which is not in the shard`));
        assert.match(problems, new RegExp(`resources\\[${queue}\\]\\.properties is "inputs" but the resource has no inputs`));
        assert.match(problems, new RegExp(`resources\\[${bucket}\\]\\.inputs is taken from the outputs but the resource has no outputs`));
        assert.match(problems, new RegExp(`resources\\[${stack}\\]\\.hash is not the base64url of a sha256 digest`));
        // written back without them, so reported once
        assert.deepEqual((await open()).recoveries, []);
    });
});
