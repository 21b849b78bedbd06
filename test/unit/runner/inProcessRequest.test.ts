/**
 * The host's in-process request gives @pulumi/policy the values a real AnalyzeRequest gives
 * after the trip over gRPC (Struct built, serialized, parsed, converted back).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { buildAnalyzeRequest, buildResourceOptions, marshalledProperties, resourceName, type PropertyPurpose } from '../../../server/src/runner/analyzerRequests';
import { InProcessAnalyzeRequest, InProcessProviderResource, structRoundTrip } from '../../../server/src/runner/inProcessRequest';
import type { RunnerResource } from '../../../server/src/runner/runnerTypes';

const req = createRequire(__filename);
const pbPath = req.resolve('@pulumi/pulumi/proto/analyzer_pb');
const pb = req(pbPath);
const { Struct } = createRequire(pbPath)('google-protobuf/google/protobuf/struct_pb.js');

function overTheWire(value: Record<string, unknown>): unknown {
    return Struct.deserializeBinary(Struct.fromJavaScript(value).serializeBinary()).toJavaScript();
}

const samples: Record<string, unknown>[] = [
    {},
    { b: 1, a: 2, C: 3, _x: 4, 'é': 5, '10': 6, '2': 7, 'a b': 8, '': 9 },
    { nested: { z: { y: { x: [3, 2, 1] } }, a: [] }, list: [{ b: 1, a: 2 }, null, 'x', true, [[], {}]] },
    { numbers: [0, -0, 1.5, -2.25, 1e21, 2 ** 53 + 2, Number.MIN_VALUE], big: 123456789012 },
    { tags: { Owner: 'me', owner: 'you', Environment: 'dev' }, flag: false, none: null, text: 'line\nbreak "quoted" ✓ 🚀' },
    { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) },
];

describe('structRoundTrip', () => {
    samples.forEach((sample, i) => {
        it(`gives what google.protobuf.Struct gives back over the wire (sample ${i})`, () => {
            const expected = overTheWire(sample);
            const actual = structRoundTrip(sample);
            assert.deepStrictEqual(actual, expected);
            // Key order too: policies may iterate keys.
            assert.equal(JSON.stringify(actual), JSON.stringify(expected));
        });
    });

    it('rejects what Struct rejects', () => {
        for (const bad of [{ u: undefined }, { f: () => 1 }, { n: [1, undefined] }, { s: Symbol('x') }]) {
            assert.throws(() => Struct.fromJavaScript(bad));
            assert.throws(() => structRoundTrip(bad), /Unexpected struct type/);
        }
    });

    it('does not mutate or share its input', () => {
        const input = { a: { b: [1, { c: 2 }] } };
        const out = structRoundTrip(input) as typeof input;
        assert.notEqual(out.a, input.a);
        assert.notEqual(out.a.b, input.a.b);
        assert.deepEqual(input, { a: { b: [1, { c: 2 }] } });
    });
});

describe('InProcessAnalyzeRequest', () => {
    const protos = { ...pb, Struct };
    const overGrpc = (resource: RunnerResource, purpose: PropertyPurpose) =>
        pb.AnalyzeRequest.deserializeBinary((buildAnalyzeRequest(protos, resource, purpose) as { serializeBinary(): Uint8Array }).serializeBinary());
    const inProcess = (resource: RunnerResource, purpose: PropertyPurpose) =>
        new InProcessAnalyzeRequest(
            resource.type,
            resource.urn,
            resourceName(resource),
            marshalledProperties(resource.properties, purpose),
            buildResourceOptions(protos, resource),
            resource.provider && new InProcessProviderResource(resource.provider.urn, resource.provider.type, resource.provider.name, marshalledProperties(resource.provider.properties, 'analyze')),
        );
    const secret = (value: unknown) => ({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value });
    const urn = 'urn:pulumi:dev::p::aws:s3/bucket:Bucket::b';
    const cases: [string, RunnerResource][] = [
        ['no options, no provider', { urn, type: 'aws:s3/bucket:Bucket', name: 'b', properties: samples[4] }],
        [
            'every option, a provider, secrets and internal keys',
            {
                urn,
                type: 'aws:s3/bucket:Bucket',
                parent: 'urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev',
                properties: { ...samples[2], pw: secret('x'), __internal: { a: 1 }, nested: { __kept: true } },
                options: { protect: true, ignoreChanges: ['a', 'b'], deleteBeforeReplace: false, additionalSecretOutputs: ['pw'], aliases: ['urn:pulumi:dev::p::aws:s3/bucket:Bucket::old'], customTimeouts: { create: 1.5, update: 2, delete: 3, read: 4 } },
                provider: { urn: 'urn:pulumi:dev::p::pulumi:providers:aws::default', type: 'pulumi:providers:aws', name: 'default', properties: { region: 'us-east-1', __sig: 'x', token: secret('t') } },
            },
        ],
        ['deleteBeforeReplace true', { urn, type: 'aws:s3/bucket:Bucket', properties: {}, options: { deleteBeforeReplace: true } }],
    ];
    for (const [label, resource] of cases) {
        for (const purpose of ['analyze', 'remediate'] as const) {
            it(`answers the getters @pulumi/policy calls as a parsed ${purpose} request does (${label})`, () => {
                const wire = overGrpc(resource, purpose);
                const local = inProcess(resource, purpose);
                assert.equal(local.getType(), wire.getType());
                assert.equal(local.getUrn(), wire.getUrn());
                assert.equal(local.getName(), wire.getName());
                assert.deepStrictEqual(local.getProperties().toJavaScript(), wire.getProperties().toJavaScript());
                assert.deepStrictEqual((local.getOptions() as { toObject(): unknown }).toObject(), wire.getOptions().toObject());
                const provider = local.getProvider();
                const wireProvider = wire.getProvider();
                if (!resource.provider) {
                    assert.equal(provider, undefined);
                    assert.equal(wireProvider, undefined);
                    return;
                }
                assert.ok(provider && wireProvider);
                assert.deepStrictEqual(
                    [provider.getUrn(), provider.getType(), provider.getName(), provider.getProperties().toJavaScript()],
                    [wireProvider.getUrn(), wireProvider.getType(), wireProvider.getName(), wireProvider.getProperties().toJavaScript()],
                );
            });
        }
    }

    it('strips top-level `__` keys for analyze and the provider, keeps them for remediate, as the engine marshals', () => {
        const [, resource] = cases[1];
        const analyzed = overGrpc(resource, 'analyze').getProperties().toJavaScript();
        assert.ok(!('__internal' in analyzed));
        assert.deepStrictEqual(analyzed.nested, { __kept: true });
        assert.deepStrictEqual(overGrpc(resource, 'remediate').getProperties().toJavaScript().__internal, { a: 1 });
        assert.ok(!('__sig' in overGrpc(resource, 'remediate').getProvider().getProperties().toJavaScript()));
        assert.deepStrictEqual(overGrpc(resource, 'analyze').getOptions().toObject(), {
            protect: true,
            ignorechangesList: ['a', 'b'],
            deletebeforereplace: false,
            deletebeforereplacedefined: true,
            additionalsecretoutputsList: ['pw'],
            aliasesList: ['urn:pulumi:dev::p::aws:s3/bucket:Bucket::old'],
            customtimeouts: { create: 1.5, update: 2, pb_delete: 3, read: 4 },
            parent: 'urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev',
        });
    });
});
