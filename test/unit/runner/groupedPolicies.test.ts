/**
 * The host runs a resource's policies in one SDK call. A policy that hangs after others
 * already ran on the resource is still named, timed from its own start, and skipped for the
 * rest; the others' diagnostics on that resource are kept; policies that are each slow but
 * under the timeout are not cut off by their sum.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RunnerPool } from '../../../server/src/runner/runnerPool';
import { conformancePack } from './conformanceEnv';
import { copyPackToTemp, hostScript, tempCacheDir } from './runnerTestEnv';

const urn = (name: string) => `urn:pulumi:dev::grouped::aws:s3/bucket:Bucket::${name}`;
const resource = (name: string) => ({ urn: urn(name), type: 'aws:s3/bucket:Bucket', properties: {} });
const reported = (diagnostics: { message: string }[]) => diagnostics.map((d) => d.message.split('\n')[1]);

describe('policies of one resource evaluated together', () => {
    const pack = copyPackToTemp(conformancePack('late-hangs'));
    const pool = new RunnerPool({ hostScript, cacheDir: tempCacheDir(), hostsPerPack: 1 });
    after(async () => {
        await pool.dispose();
        pack.cleanup();
    });

    it('slow policies each under the timeout all report, though together they take longer', async () => {
        const { diagnostics, errors } = await pool.analyze(pack.dir, [resource('slow')], { timeoutMs: 400 });
        assert.deepStrictEqual(errors, []);
        assert.deepStrictEqual(reported(diagnostics), ['first slow', 'slow slow', 'spins-late slow', 'waits-late slow', 'last slow']);
    });

    it('a later policy stuck in a loop is named, the host restarted, the others report on every resource', async () => {
        const { diagnostics, errors } = await pool.analyze(pack.dir, ['a', 'spin', 'b'].map(resource), { timeoutMs: 400 });
        assert.deepStrictEqual(errors.map((e) => [e.code, e.policyName, e.urn]), [['policy-timeout', 'spins-late', urn('spin')]]);
        assert.deepStrictEqual(reported(diagnostics), [
            'first a', 'slow a', 'spins-late a', 'waits-late a', 'last a',
            'first spin', 'slow spin', 'waits-late spin', 'last spin',
            'first b', 'slow b', 'waits-late b', 'last b',
        ]);
    });

    it('a later policy that never settles is named and skipped after it; the others report on every resource', async () => {
        const { diagnostics, errors } = await pool.analyze(pack.dir, ['a', 'wait', 'b'].map(resource), { timeoutMs: 300 });
        assert.deepStrictEqual(errors.map((e) => [e.code, e.policyName, e.urn]), [['policy-timeout', 'waits-late', urn('wait')]]);
        assert.deepStrictEqual(reported(diagnostics), [
            'first a', 'slow a', 'spins-late a', 'waits-late a', 'last a',
            'first wait', 'slow wait', 'spins-late wait', 'last wait',
            'first b', 'slow b', 'spins-late b', 'last b',
        ]);
    });
});
