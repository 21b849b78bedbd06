/**
 * Credentials from the real @aws-sdk/credential-providers against the local AWS: a
 * profile file in a temporary HOME (static keys and credential_process), the environment,
 * and a role assumed through the local STS. Adding checks them with GetCallerIdentity.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountInputError, addAwsAccount, awsProfiles, listResources, scanAccount } from '../../../server/src/accounts';
import { demoFixture, startWorld, withEnv, type AwsWorld } from './accountsTestSupport';

const SCANNER = demoFixture().accounts[0].accessKeys[0];
const MEMBER_ROLE = 'arn:aws:iam::222233334444:role/PolicyInsightsAudit';

async function allText(dir: string): Promise<string> {
    let text = '';
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), 'utf8');
    }
    return text;
}

describe('credentials', () => {
    let world: AwsWorld;
    let awsHome: string;
    before(async () => {
        world = await startWorld();
        awsHome = join(world.home, 'user');
        await mkdir(join(awsHome, '.aws'), { recursive: true });
        await writeFile(join(awsHome, '.aws', 'credentials'), `[scanner]\naws_access_key_id = ${SCANNER.accessKeyId}\naws_secret_access_key = ${SCANNER.secretAccessKey}\n\n[stale]\naws_access_key_id = AKIANOSUCHKEY0000001\naws_secret_access_key = nope\n`);
        const process = `node -e "process.stdout.write(JSON.stringify({Version:1,AccessKeyId:'${SCANNER.accessKeyId}',SecretAccessKey:'${SCANNER.secretAccessKey}'}))"`;
        await writeFile(join(awsHome, '.aws', 'config'), `[default]\nregion = us-east-1\n\n[profile scanner]\nregion = us-west-2\n\n[profile from-process]\ncredential_process = ${process}\n\n[sso-session corp]\nsso_region = us-east-1\n`);
    });
    after(() => world.cleanup());

    /** No env credentials: only the profile files under the temp HOME. */
    const profileEnv = () => ({ HOME: awsHome, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });

    it('lists the profiles of both files for the quick pick', () => {
        assert.deepEqual(awsProfiles(awsHome), ['default', 'from-process', 'scanner', 'stale']);
        assert.deepEqual(awsProfiles(join(world.home, 'nobody')), []);
    });

    it('adds an account from a profile of the shared credentials file and scans with it', async () => {
        await withEnv(profileEnv(), async () => {
            const account = await addAwsAccount(world.store, { name: 'by-profile', profile: 'scanner', regions: ['us-west-2'], endpoint: world.aws.url });
            assert.equal(account.awsAccountId, '123456789012');
            assert.deepEqual(account.settings, { profile: 'scanner', regions: ['us-west-2'], endpoint: world.aws.url });
            assert.deepEqual(account.children, ['by-profile/us-west-2']);
            const outcome = await scanAccount(world.store, 'by-profile', { requestTimeoutMs: 2000 });
            assert.deepEqual(outcome.errors, []);
            assert.ok((await listResources(world.store, 'by-profile/us-west-2')).length > 10);
        });
    });

    it('adds an account from a credential_process profile', async () => {
        await withEnv(profileEnv(), async () => {
            const account = await addAwsAccount(world.store, { name: 'by-process', profile: 'from-process', regions: ['us-east-1'], endpoint: world.aws.url });
            assert.equal(account.awsAccountId, '123456789012');
        });
    });

    it('adds an account from the environment (the default chain)', async () => {
        await withEnv({ HOME: join(world.home, 'nobody'), AWS_ACCESS_KEY_ID: SCANNER.accessKeyId, AWS_SECRET_ACCESS_KEY: SCANNER.secretAccessKey }, async () => {
            const account = await addAwsAccount(world.store, { name: 'by-env', regions: ['us-east-1'], endpoint: world.aws.url });
            assert.equal(account.awsAccountId, '123456789012');
            assert.equal(account.settings.profile, undefined);
        });
    });

    it('assumes a role in another account through STS, with its external id', async () => {
        await withEnv(profileEnv(), async () => {
            const account = await addAwsAccount(world.store, { name: 'member', profile: 'scanner', roleArn: MEMBER_ROLE, externalId: 'policy-insights-demo', regions: ['us-west-2'], endpoint: world.aws.url });
            assert.equal(account.awsAccountId, '222233334444');
            const outcome = await scanAccount(world.store, 'member', { requestTimeoutMs: 2000 });
            assert.deepEqual(outcome.errors, []);
            const buckets = await listResources(world.store, 'member', { type: 'aws:s3/bucket:Bucket' });
            assert.deepEqual(buckets.map((b) => [b.name, b.properties.acl]), [['insights-member-artifacts', 'public-read']]);
            assert.ok(world.aws.requests().byOperation['sts:AssumeRole']! >= 1);
        });
    });

    it('refuses a role it cannot assume, naming the role, and stores nothing', async () => {
        await withEnv(profileEnv(), async () => {
            await assert.rejects(
                addAwsAccount(world.store, { name: 'wrong-external-id', profile: 'scanner', roleArn: MEMBER_ROLE, externalId: 'guess', regions: ['us-west-2'], endpoint: world.aws.url }),
                (error: Error) => error instanceof AccountInputError && error.message.includes(MEMBER_ROLE) && /not authorized/.test(error.message),
            );
        });
        assert.equal((await world.store.readCatalog()).accounts.some((a) => a.name === 'wrong-external-id'), false);
    });

    it('refuses an unknown profile, naming the files it looked in', async () => {
        await withEnv(profileEnv(), async () => {
            await assert.rejects(addAwsAccount(world.store, { name: 'nope', profile: 'missing', regions: ['us-east-1'], endpoint: world.aws.url }), (error: Error) => {
                assert.ok(error instanceof AccountInputError);
                assert.match(error.message, /profile "missing" is not in .*\.aws\/config or .*\.aws\/credentials \(profiles there: default, from-process, scanner, stale\)/);
                return true;
            });
        });
    });

    it('refuses credentials AWS rejects', async () => {
        await withEnv(profileEnv(), async () => {
            await assert.rejects(addAwsAccount(world.store, { name: 'stale', profile: 'stale', regions: ['us-east-1'], endpoint: world.aws.url }), /account "stale": cannot get AWS credentials from profile "stale": .*security token/);
        });
    });

    it('refuses names with "/", duplicates, bad regions and bad role ARNs', async () => {
        const args = { regions: ['us-east-1'], endpoint: world.aws.url };
        await assert.rejects(addAwsAccount(world.store, { name: 'prod/us-east-1', ...args }), /contains "\/"/);
        await assert.rejects(addAwsAccount(world.store, { name: 'by-env', ...args }), /already exists/);
        await assert.rejects(addAwsAccount(world.store, { name: 'r', regions: ['mars-1'], endpoint: world.aws.url }), /"mars-1" is not an AWS region/);
        await assert.rejects(addAwsAccount(world.store, { name: 'r', roleArn: 'PolicyInsightsAudit', ...args }), /not an IAM role ARN/);
        await assert.rejects(addAwsAccount(world.store, { name: 'r', externalId: 'x', ...args }), /only used with --role-arn/);
    });

    it('never writes a secret to the store', async () => {
        const stored = await allText(world.store.home);
        assert.ok(stored.includes('by-profile'), 'the store was written');
        assert.equal(stored.includes(SCANNER.secretAccessKey), false);
        assert.equal(stored.includes('secret'), false);
        for (const account of demoFixture().accounts) for (const key of account.accessKeys) assert.equal(stored.includes(key.secretAccessKey), false);
    });
});
