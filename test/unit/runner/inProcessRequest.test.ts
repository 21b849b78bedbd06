/**
 * The host's in-process request gives @pulumi/policy the values a real AnalyzeRequest gives
 * after the trip over gRPC (Struct built, serialized, parsed, converted back).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { buildAnalyzeRequest } from '../../../server/src/packs/runner/analyzerRequests';
import { InProcessAnalyzeRequest, structRoundTrip } from '../../../server/src/packs/runner/inProcessRequest';

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
    it('answers the getters @pulumi/policy calls as a parsed AnalyzeRequest does', () => {
        const resource = { urn: 'urn:pulumi:dev::p::aws:s3/bucket:Bucket::b', type: 'aws:s3/bucket:Bucket', name: 'b', properties: samples[4] };
        const protos = { ...pb, Struct };
        const wire = pb.AnalyzeRequest.deserializeBinary((buildAnalyzeRequest(protos, resource) as { serializeBinary(): Uint8Array }).serializeBinary());
        const local = new InProcessAnalyzeRequest(resource.type, resource.urn, resource.name, resource.properties, new pb.AnalyzerResourceOptions());
        assert.equal(local.getType(), wire.getType());
        assert.equal(local.getUrn(), wire.getUrn());
        assert.equal(local.getName(), wire.getName());
        assert.deepStrictEqual(local.getProperties().toJavaScript(), wire.getProperties().toJavaScript());
        assert.deepStrictEqual((local.getOptions() as { toObject(): unknown }).toObject(), wire.getOptions().toObject());
        assert.equal(local.getProvider(), wire.getProvider());
    });
});
