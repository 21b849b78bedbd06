/**
 * `policy validate` and `policy publish` warn where a pack validates a type no configured
 * account discovers, and only there; the exit code stays what validation alone gives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { insertAccount } from '../../../server/src/accounts/accountRegistry';
import { runCli } from '../../../server/src/cli/runCli';
import type { Account } from '../../../server/src/shared/model';
import { Store } from '../../../server/src/store';
import { fixture } from '../packs/packTestSupport';
import { hostScript } from '../runner/runnerTestEnv';

const temp = mkdtempSync(path.join(tmpdir(), 'pi-typewarn-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const home = path.join(temp, 'home');
const pack = fixture('validated-types');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
    const code = await runCli([...argv, '--home', home], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Recorded through the store: `account add` would check credentials against a live provider, which is not what this is about. */
async function addAccount(name: string, provider: Account['provider']): Promise<void> {
    const store = await Store.open({ home });
    try {
        await insertAccount(store, { name, provider, settings: {}, children: [], scanSchedule: 'none', createdAt: new Date().toISOString() });
    } finally {
        await store.close();
    }
}

const DOMAIN = /index\.ts:18:31: warning policy "sagemaker-domain-vpc-only" validates aws:sagemaker\/domain:Domain, which no account here discovers \(AWS accounts read 66 types: see `account coverage`\)\. \[undiscovered-type\]/;
const NOTEBOOK = /index\.ts:27:66: warning policy "instances-and-notebooks-tagged" validates aws:sagemaker\/notebookInstance:NotebookInstance, which no account here discovers/;

describe('undiscovered validated types in the CLI', () => {
    before(() => assert.equal(existsSync(home), false));

    it('without any account: no warning, and the store is not created', async () => {
        const run = await cli('policy', 'validate', pack);
        assert.equal(run.code, 0, `${run.out}\n${run.err}`);
        assert.doesNotMatch(run.out, /validates/);
        assert.match(run.out, /0 error\(s\), 0 warning\(s\)/);
        assert.equal(existsSync(home), false);
    });

    it('with an AWS account: policy validate warns for the undiscovered types only, and exits 0 as before', async () => {
        await addAccount('demo', 'aws');
        const run = await cli('policy', 'validate', pack);
        assert.equal(run.code, 0, `${run.out}\n${run.err}`);
        assert.match(run.out, DOMAIN);
        assert.match(run.out, NOTEBOOK);
        assert.equal(run.out.match(/\[undiscovered-type\]/g)?.length, 2, run.out);
        assert.doesNotMatch(run.out, /aws:s3\/bucket:Bucket|aws:ec2\/instance:Instance/);
        assert.match(run.out, /0 error\(s\), 2 warning\(s\)/);
    });

    it('policy publish warns the same on stderr and publishes', async () => {
        const run = await cli('policy', 'publish', pack);
        assert.equal(run.code, 0, `${run.out}\n${run.err}`);
        assert.match(run.err, DOMAIN);
        assert.match(run.err, NOTEBOOK);
        assert.match(run.out, /Published validated-types: version 1/);
    });

    it('a Pulumi stack account can hold any type: no warning', async () => {
        await addAccount('stack', 'pulumi-stack');
        const run = await cli('policy', 'validate', pack);
        assert.equal(run.code, 0, `${run.out}\n${run.err}`);
        assert.doesNotMatch(run.out, /undiscovered-type/);
    });
});
