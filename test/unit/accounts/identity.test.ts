/** URNs, content hashes and the merge of a scan into the stored resources. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, resourceHash, resourceUrn } from '../../../server/src/accounts/resourceIdentity';
import { mergeScan } from '../../../server/src/accounts/scanDelta';
import { checkAccountName } from '../../../server/src/accounts/accountNames';
import { parseAccountRef } from '../../../server/src/shared/names';
import type { Resource } from '../../../server/src/shared/model';

function resource(urn: string, type: string, properties: Record<string, unknown>): Resource {
    return { account: 'a', urn, type, name: urn, properties, hash: resourceHash(type, properties) };
}

describe('resource identity', () => {
    it('builds URNs from account, region (or global), type and key', () => {
        assert.equal(resourceUrn('prod', 'us-west-2', 'aws:s3/bucket:Bucket', 'b'), 'urn:pulumi:prod::us-west-2::aws:s3/bucket:Bucket::b');
        assert.equal(resourceUrn('prod', undefined, 'aws:iam/role:Role', 'r'), 'urn:pulumi:prod::global::aws:iam/role:Role::r');
    });

    it('hashes content, not the order AWS returned fields in', () => {
        assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
        assert.equal(resourceHash('t', { a: 1, b: 2 }), resourceHash('t', { b: 2, a: 1 }));
        assert.notEqual(resourceHash('t', { a: 1 }), resourceHash('t', { a: 2 }));
        assert.notEqual(resourceHash('t', { a: 1 }), resourceHash('u', { a: 1 }));
        assert.match(resourceHash('t', {}), /^[0-9a-f]{64}$/);
    });

    it('parses and checks account names', () => {
        assert.deepEqual(parseAccountRef('prod/us-west-2'), { account: 'prod', region: 'us-west-2' });
        assert.deepEqual(parseAccountRef('prod'), { account: 'prod' });
        assert.throws(() => checkAccountName('a/b'), /contains "\/"/);
        assert.throws(() => checkAccountName(''), /not valid/);
        assert.doesNotThrow(() => checkAccountName('insights-aws-account'));
    });
});

describe('mergeScan', () => {
    const bucket = resource('u:bucket', 's3', { acl: 'private' });
    const queue = resource('u:queue', 'sqs', { n: 1 });
    const key = resource('u:key', 'kms', { rotation: true });

    it('reports added, changed, removed and unchanged by URN and hash', () => {
        const { resources, delta } = mergeScan([bucket, queue, key], [resource('u:bucket', 's3', { acl: 'public-read' }), queue, resource('u:new', 'sqs', {})], () => false);
        assert.deepEqual(delta, { added: ['u:new'], changed: ['u:bucket'], removed: ['u:key'], unchanged: 1 });
        assert.deepEqual(resources.map((r) => r.urn), ['u:bucket', 'u:new', 'u:queue']);
        assert.equal(resources[0].properties.acl, 'public-read');
    });

    it('keeps the stored resources of failed services as they were', () => {
        const failedKms = (r: Resource) => r.type === 'kms';
        const { resources, delta } = mergeScan([bucket, queue, key], [bucket, resource('u:key', 'kms', { rotation: false })], failedKms);
        assert.deepEqual(delta, { added: [], changed: [], removed: ['u:queue'], unchanged: 2 });
        assert.equal(resources.find((r) => r.urn === 'u:key')?.properties.rotation, true, 'a partial answer of a failed service is ignored');
    });
});
