// Fixture and fault-rule validation: mistakes are reported with where they are and what to do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannedAclGrants, readFixtureFile, validateFixture, type LocalAwsFixture } from '../../localaws/fixture';
import { validateFaultRules } from '../../localaws/faults';
import { startLocalAws } from '../../localaws/server';
import { DEMO_FIXTURE } from './localawsSupport';

const account = (extra: Record<string, unknown> = {}) => ({ name: 'a', accountId: '123456789012', regions: ['us-east-1'], accessKeys: [{ accessKeyId: 'AKIA1', secretAccessKey: 's' }], ...extra });

describe('fixture format', () => {
    it('accepts the demo fixture', () => {
        assert.doesNotThrow(() => validateFixture(readFixtureFile(DEMO_FIXTURE), DEMO_FIXTURE));
    });

    it('names the account and field that is wrong', () => {
        const cases: [unknown, RegExp][] = [
            [{}, /has no "accounts" array/],
            [{ accounts: [account({ accountId: '12' })] }, /accounts\[0\] \(a\) "accountId" must be 12 digits/],
            [{ accounts: [account({ regions: [] })] }, /needs "regions"/],
            [{ accounts: [account(), account({ name: 'b', accountId: '210987654321' })] }, /accounts\[1\] \(b\) reuses access key AKIA1/],
            [{ accounts: [account({ s3: { buckets: [{ Name: 'x' }, { Name: 'x' }] } })] }, /bucket "x" exists twice/],
            [{ accounts: [account({ resources: { 'eu-west-1': {} } })] }, /resources in eu-west-1, which is not in its "regions"/],
        ];
        for (const [fixture, message] of cases) assert.throws(() => validateFixture(fixture as LocalAwsFixture, 'f.json'), message);
    });

    it('refuses an unknown canned ACL and unreadable files', async () => {
        assert.throws(() => cannedAclGrants('public' as never, 'x'), /unknown canned ACL "public"/);
        const dir = mkdtempSync(join(tmpdir(), 'localaws-fixture-'));
        try {
            writeFileSync(join(dir, 'bad.json'), '{ "accounts": [');
            assert.throws(() => readFixtureFile(join(dir, 'bad.json')), /bad\.json is not valid JSON/);
            await assert.rejects(startLocalAws({ fixture: join(dir, 'missing.json') }), /cannot read fixture .*missing\.json/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('checks fault rules field by field', () => {
        assert.deepEqual(validateFaultRules({ rules: [{ service: 's3', throttle: 2 }] }, 'x'), [{ service: 's3', throttle: 2 }]);
        assert.throws(() => validateFaultRules({}, 'faults.json'), /faults\.json must be a JSON array/);
        assert.throws(() => validateFaultRules([{ latency: 5 }], 'faults.json'), /rule 0 has unknown field "latency"/);
        assert.throws(() => validateFaultRules([{ throttle: -1 }], 'faults.json'), /rule 0 field "throttle" must be a non-negative integer/);
    });
});
