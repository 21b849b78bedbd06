/**
 * Pulumi stack accounts: v3 exports, gzipped file-backend states, re-import on change; secrets
 * (passphrase decryption, --show-secrets plaintext, redaction in the store), the options and
 * provider the engine sends, and stack config.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { addStackAccount, listResources, ScanCoordinator, scanAccount, type ScanFinishedEvent, type StackResource } from '../../../server/src/accounts';
import { openPassphraseCrypter, PassphraseError } from '../../../server/src/accounts/stacks/passphraseSecrets';
import { hasCiphertext, openSecrets } from '../../../server/src/accounts/stacks/pulumiSecrets';
import { REDACTED_SECRET, SECRET_SIG, SIG_KEY, wireSecret } from '../../../server/src/pulumiSecretValues';
import { findStackConfigFile, readStackConfig } from '../../../server/src/accounts/stacks/stackConfig';
import { parseProviderReference, providersByUrn, runnerResourceOf } from '../../../server/src/accounts/stacks/stackResources';
import { parseSourcePosition, parseStateDocument, parseUrn, type StateResource } from '../../../server/src/accounts/stacks/stackState';
import { encryptExport, FIXTURE_PASSPHRASE, plaintextSecret, shopExport, SHOP_SECRETS, SHOP_URNS } from './stackSecretsTestSupport';
import { Store } from '../../../server/src/store';
import { STACK_FIXTURES, tempDir } from './accountsTestSupport';
import { within } from '../../support/waits';

const EXPORT = join(STACK_FIXTURES, 'aws-app.dev.export.json');
const CHECKPOINT = join(STACK_FIXTURES, 'file-backend/.pulumi/stacks/aws-app/dev.json');
const BUCKET_URN = 'urn:pulumi:dev::aws-app::my:web:Site$aws:s3/bucket:Bucket::site-bucket';
const SG_URN = 'urn:pulumi:dev::aws-app::aws:ec2/securityGroup:SecurityGroup::web-sg';

describe('stack state parsing', () => {
    it('splits URNs, including parent-qualified types and names with "::"', () => {
        assert.deepEqual(parseUrn(BUCKET_URN), { stack: 'dev', project: 'aws-app', type: 'aws:s3/bucket:Bucket', name: 'site-bucket' });
        assert.equal(parseUrn('urn:pulumi:dev::p::t:m:T::a::b')?.name, 'a::b');
        assert.equal(parseUrn('not-a-urn'), undefined);
    });

    it('reads sourcePosition as uri, line and column', () => {
        assert.deepEqual(parseSourcePosition('project:///components/site.ts#12,23'), { uri: 'project:///components/site.ts', line: 12, column: 23 });
        assert.deepEqual(parseSourcePosition('project:///index.ts#4'), { uri: 'project:///index.ts', line: 4 });
        assert.equal(parseSourcePosition(42), undefined);
    });
});

describe('stack accounts', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let store: Store;
    before(async () => {
        ({ dir, cleanup } = await tempDir('pi-stacks-'));
        store = await Store.open({ home: join(dir, 'store') });
    });
    after(async () => {
        await store.close();
        await cleanup();
    });

    it('imports a `pulumi stack export` file with types, URNs, inputs, outputs, parents, dependencies and source positions', async () => {
        const account = await addStackAccount(store, { name: 'app-dev', stateFile: EXPORT });
        assert.equal(account.provider, 'pulumi-stack');
        assert.equal(account.project, 'aws-app');
        assert.equal(account.stack, 'dev');
        assert.deepEqual(account.children, []);
        const outcome = await scanAccount(store, 'app-dev');
        assert.deepEqual(Object.keys(outcome.children), ['app-dev']);
        const resources = (await listResources(store, 'app-dev')) as StackResource[];
        assert.equal(outcome.children['app-dev'].added.length, resources.length);
        assert.equal(resources.length, 6, 'the resource pending deletion is left out');
        assert.equal(resources.some((r) => r.name === 'old-logs'), false);
        const bucket = resources.find((r) => r.urn === BUCKET_URN)!;
        assert.equal(bucket.type, 'aws:s3/bucket:Bucket');
        assert.equal(bucket.name, 'site-bucket');
        assert.equal(bucket.id, 'site-bucket-1a2b3c');
        assert.equal(bucket.properties.acl, 'public-read');
        assert.equal(bucket.inputs?.acl, 'public-read');
        assert.equal(bucket.outputs?.arn, 'arn:aws:s3:::site-bucket-1a2b3c');
        assert.equal(bucket.parent, 'urn:pulumi:dev::aws-app::my:web:Site::site');
        assert.equal(bucket.project, 'aws-app');
        assert.equal(bucket.stack, 'dev');
        assert.equal(bucket.account, 'app-dev');
        assert.match(bucket.provider ?? '', /^urn:pulumi:dev::aws-app::pulumi:providers:aws::default_7_0_0::/);
        assert.deepEqual(bucket.sourcePosition, { uri: 'project:///components/site.ts', line: 12, column: 23 });
        assert.match(bucket.hash, /^[0-9a-f]{64}$/);
        assert.deepEqual(bucket.providerResource, { urn: 'urn:pulumi:dev::aws-app::pulumi:providers:aws::default_7_0_0', type: 'pulumi:providers:aws', name: 'default_7_0_0', properties: { region: 'us-west-2', version: '7.0.0' } });
        const policy = resources.find((r) => r.type === 'aws:s3/bucketPolicy:BucketPolicy')!;
        assert.deepEqual(policy.dependencies, [BUCKET_URN]);
        const component = resources.find((r) => r.type === 'my:web:Site')!;
        assert.deepEqual(component.properties, {}, 'a component without inputs or outputs has no properties');
    });

    it('imports a gzipped file-backend state, taking project and stack from the state, not the file name', async () => {
        const gz = join(dir, 'backend/.pulumi/stacks/aws-app/renamed.json.gz');
        await mkdir(join(dir, 'backend/.pulumi/stacks/aws-app'), { recursive: true });
        await writeFile(gz, gzipSync(await readFile(CHECKPOINT)));
        const account = await addStackAccount(store, { name: 'app-dev-backend', stateFile: gz });
        assert.equal(account.project, 'aws-app');
        assert.equal(account.stack, 'dev');
        await scanAccount(store, 'app-dev-backend');
        const fromBackend = await listResources(store, 'app-dev-backend');
        const fromExport = await listResources(store, 'app-dev');
        assert.deepEqual(fromBackend.map((r) => `${r.urn} ${r.hash}`), fromExport.map((r) => `${r.urn} ${r.hash}`));
    });

    it('refuses unreadable, non-Pulumi and old states with the file path, storing nothing', async () => {
        const missing = join(dir, 'missing.json');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: missing }), new RegExp(`cannot read the stack state ${missing}: no such file`));
        const notJson = join(dir, 'not.json');
        await writeFile(notJson, '{ nope');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: notJson }), new RegExp(`${notJson} is not JSON`));
        const other = join(dir, 'other.json');
        await writeFile(other, '{"hello":1}');
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: other }), /neither "deployment" \(pulumi stack export\) nor "checkpoint"/);
        await assert.rejects(addStackAccount(store, { name: 'm', stateFile: join(STACK_FIXTURES, 'old-version.json') }), /version 1 deployment; Policy Insights reads version 3/);
        assert.equal((await store.readCatalog()).accounts.some((a) => a.name === 'm'), false);
    });

    it('keeps the resources and records the failure when the state file disappears', async () => {
        const file = join(dir, 'vanishing.json');
        await copyFile(EXPORT, file);
        await addStackAccount(store, { name: 'vanishing', stateFile: file });
        await scanAccount(store, 'vanishing');
        await rm(file);
        const outcome = await scanAccount(store, 'vanishing');
        assert.equal(outcome.record.status, 'failed');
        assert.equal(outcome.errors[0].code, 'StateUnreadable');
        assert.match(outcome.errors[0].message, /vanishing\.json: no such file/);
        assert.deepEqual(outcome.children['vanishing'].removed, []);
        assert.equal((await listResources(store, 'vanishing')).length, 6);
    });

    it('re-imports a stack by itself when its state file changes, reporting the exact delta', async () => {
        const file = join(dir, 'watched', 'dev.json');
        // A second stack in the same folder: its re-import shows the watcher has handled what came before it.
        const witnessFile = join(dir, 'watched', 'witness.json');
        await mkdir(join(dir, 'watched'));
        await copyFile(EXPORT, file);
        await copyFile(EXPORT, witnessFile);
        await addStackAccount(store, { name: 'watched', stateFile: file });
        await addStackAccount(store, { name: 'witness', stateFile: witnessFile });
        const coordinator = new ScanCoordinator(store, { debounceMs: 50 });
        /** Every finished scan of 'watched'. */
        const events: ScanFinishedEvent[] = [];
        coordinator.onScanFinished((e) => void (e.outcome.account.name === 'watched' && events.push(e)));
        const next = (name = 'watched') =>
            within(
                new Promise<ScanFinishedEvent>((resolve) => {
                    const sub = coordinator.onScanFinished((e) => {
                        if (e.outcome.account.name !== name) return;
                        sub.dispose();
                        resolve(e);
                    });
                }),
                30_000,
                `a finished scan of ${name}`,
            );
        try {
            // never imported: the coordinator imports it on start
            const first = next();
            const witnessFirst = next('witness');
            await coordinator.start();
            assert.equal((await first).outcome.children['watched'].added.length, 6);
            assert.equal((await first).trigger, 'file-change');
            await witnessFirst;

            const state = JSON.parse(await readFile(EXPORT, 'utf8'));
            const resources = state.deployment.resources as { urn: string; outputs?: Record<string, unknown> }[];
            resources.find((r) => r.urn === BUCKET_URN)!.outputs!.acl = 'private';
            state.deployment.resources = resources.filter((r) => r.urn !== SG_URN);
            const changed = next();
            // written the way editors and `pulumi` do: a new file renamed over the old one
            await writeFile(`${file}.tmp`, JSON.stringify(state));
            await import('node:fs/promises').then((fs) => fs.rename(`${file}.tmp`, file));
            const event = await changed;
            assert.equal(event.trigger, 'file-change');
            assert.deepEqual(event.outcome.children['watched'], { added: [], changed: [BUCKET_URN], removed: [SG_URN], unchanged: 4 });
            const bucket = (await listResources(store, 'watched')).find((r) => r.urn === BUCKET_URN);
            assert.equal(bucket?.properties.acl, 'private');

            // the same content written again is not a change: written, then the witness's file
            // changed; once the witness is re-imported, the watcher has handled both writes
            const witnessed = next('witness');
            await writeFile(file, JSON.stringify(state));
            await writeFile(witnessFile, JSON.stringify(state));
            await witnessed;
            assert.equal(events.length, 2, `scans of the unchanged file: ${events.map((e) => e.trigger).join(', ')}`);
        } finally {
            coordinator.dispose();
        }
    });
});

const SHOP = join(STACK_FIXTURES, 'shop');
const SHOP_EXPORT = join(SHOP, 'prod.export.json');
// pulumi/pulumi pkg/secrets/passphrase/manager_test.go: a provider state Pulumi's Go code wrote with the passphrase "password"
const PULUMI_GO_STATE = 'v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==';

async function shopState() {
    return parseStateDocument(await readFile(SHOP_EXPORT), SHOP_EXPORT);
}

function resourceOf(resources: StateResource[], urn: string): StateResource {
    const found = resources.find((r) => r.urn === urn);
    assert.ok(found, `${urn} is in the state`);
    return found;
}

describe('passphrase secrets', () => {
    it("opens a provider state written by Pulumi's own Go code, and tells a wrong passphrase and a damaged state apart", async () => {
        const crypter = await openPassphraseCrypter('password', PULUMI_GO_STATE);
        assert.equal(crypter.decrypt(crypter.encrypt('{"a":1}')), '{"a":1}');
        await assert.rejects(openPassphraseCrypter('password123', PULUMI_GO_STATE), (e: unknown) => e instanceof PassphraseError && e.reason === 'wrong-passphrase');
        await assert.rejects(openPassphraseCrypter('password', 'fozI5u6B030=:v1:F+6ZduL'), (e: unknown) => e instanceof PassphraseError && e.reason === 'bad-state');
    });

    it('decrypts a passphrase export with PULUMI_CONFIG_PASSPHRASE into the wire form policies receive', async () => {
        const state = await shopState();
        assert.deepEqual(state.secretsProvider?.type, 'passphrase');
        const rds = resourceOf(state.resources, SHOP_URNS.rds);
        assert.equal(hasCiphertext(rds.inputs), true);
        const secrets = await openSecrets(state.secretsProvider, SHOP_EXPORT, { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE }, true);
        const inputs = secrets.reveal(rds.inputs!);
        assert.deepEqual(inputs.password, { [SIG_KEY]: SECRET_SIG, value: SHOP_SECRETS.dbPassword });
        assert.equal(inputs.engine, 'postgres');
        assert.equal(secrets.warning(), undefined);
    });

    it('reads the passphrase from PULUMI_CONFIG_PASSPHRASE_FILE (a trailing newline is not part of it)', async () => {
        const { dir, cleanup } = await tempDir('pi-passfile-');
        try {
            const file = join(dir, 'passphrase.txt');
            await writeFile(file, `${FIXTURE_PASSPHRASE}\n`);
            const state = await shopState();
            const secrets = await openSecrets(state.secretsProvider, SHOP_EXPORT, { PULUMI_CONFIG_PASSPHRASE_FILE: file }, true);
            const password = resourceOf(state.resources, SHOP_URNS.password);
            assert.deepEqual(secrets.reveal(password.outputs!).result, wireSecret(SHOP_SECRETS.dbPassword));
            const missing = await openSecrets(state.secretsProvider, SHOP_EXPORT, { PULUMI_CONFIG_PASSPHRASE_FILE: join(dir, 'nope') }, true);
            assert.deepEqual(missing.reveal(password.outputs!).result, wireSecret(REDACTED_SECRET));
            assert.match(missing.warning() ?? '', /PULUMI_CONFIG_PASSPHRASE_FILE names .*nope, which cannot be read/);
        } finally {
            await cleanup();
        }
    });

    it('without the passphrase, or with a wrong one, every secret is "[secret]" and one warning says why and what to set', async () => {
        const state = await shopState();
        const rds = resourceOf(state.resources, SHOP_URNS.rds);
        const missing = await openSecrets(state.secretsProvider, SHOP_EXPORT, {}, true);
        assert.deepEqual(missing.reveal(rds.inputs!).password, wireSecret(REDACTED_SECRET));
        missing.reveal(rds.outputs!);
        assert.equal(missing.warning(), `could not decrypt secrets in ${SHOP_EXPORT}: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase to decrypt them; analyzing with secret values redacted`);
        const wrong = await openSecrets(state.secretsProvider, SHOP_EXPORT, { PULUMI_CONFIG_PASSPHRASE: 'hunter2' }, true);
        assert.deepEqual(wrong.reveal(rds.inputs!).password, wireSecret(REDACTED_SECRET));
        assert.match(wrong.warning() ?? '', /the passphrase in PULUMI_CONFIG_PASSPHRASE is not this stack's \(incorrect passphrase\)/);
    });

    it('a provider that cannot be opened offline (awskms, service) redacts, naming the provider', async () => {
        const exported = shopExport();
        const { exported: encrypted } = await encryptExport(exported, 'kms-stand-in');
        (encrypted.deployment as Record<string, unknown>).secrets_providers = { type: 'awskms', state: { url: 'awskms://alias/pulumi?region=us-east-1', encryptedkey: 'AQICAHh...' } };
        const state = parseStateDocument(Buffer.from(JSON.stringify(encrypted)), 'kms.json');
        const secrets = await openSecrets(state.secretsProvider, 'kms.json', { PULUMI_CONFIG_PASSPHRASE: 'kms-stand-in' }, true);
        assert.deepEqual(secrets.reveal(resourceOf(state.resources, SHOP_URNS.rds).inputs!).password, wireSecret(REDACTED_SECRET));
        assert.match(secrets.warning() ?? '', /could not decrypt secrets in kms\.json: its "awskms" secrets provider cannot be opened offline/);
    });

    it('plaintext secrets (an export made with --show-secrets) are JSON-decoded without any passphrase', async () => {
        const state = parseStateDocument(Buffer.from(JSON.stringify(shopExport())), 'plain.json');
        const stack = resourceOf(state.resources, SHOP_URNS.stack);
        const secrets = await openSecrets(undefined, 'plain.json', {}, state.resources.some((r) => hasCiphertext(r.outputs)));
        assert.deepEqual(secrets.reveal(stack.outputs!).dbPassword, wireSecret(SHOP_SECRETS.dbPassword));
        const structured = secrets.reveal({ conn: plaintextSecret({ host: 'db', port: 5432 }) });
        assert.deepEqual(structured.conn, wireSecret({ host: 'db', port: 5432 }));
        assert.equal(secrets.warning(), undefined);
    });

    it('a secret inside a secret is read as the engine reads it (NopEncrypter wrote its JSON as its "ciphertext"), and stays a secret', async () => {
        const inner = (form: 'plaintext' | 'ciphertext') => ({ [SIG_KEY]: SECRET_SIG, [form]: JSON.stringify({ token: 'deep' }) });
        const outer = (form: 'plaintext' | 'ciphertext') => ({ [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ user: 'admin', auth: inner(form) }) });
        const { exported } = await encryptExport({ deployment: { resources: [{ urn: SHOP_URNS.stack, type: 'pulumi:pulumi:Stack', outputs: { creds: outer('ciphertext') } }] } }, FIXTURE_PASSPHRASE);
        const state = parseStateDocument(Buffer.from(JSON.stringify(exported)), 'nested.json');
        const secrets = await openSecrets(state.secretsProvider, 'nested.json', { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE }, true);
        const expected = wireSecret({ user: 'admin', auth: wireSecret({ token: 'deep' }) });
        assert.deepEqual(secrets.reveal(state.resources[0].outputs!).creds, expected);
        // as `--show-secrets` writes it
        assert.deepEqual(secrets.reveal({ creds: outer('plaintext') }).creds, expected);
        assert.equal(secrets.warning(), undefined);
    });
});

describe('what the engine sends from a state', () => {
    it('maps options, provider (by its reference), property dependencies; inputs for resource policies, outputs for stack policies', async () => {
        const state = await shopState();
        const providers = providersByUrn(state.resources);
        const secrets = await openSecrets(state.secretsProvider, SHOP_EXPORT, { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE }, true);
        const rdsState = resourceOf(state.resources, SHOP_URNS.rds);
        assert.deepEqual(parseProviderReference(rdsState.provider!), { urn: SHOP_URNS.awsDefault, id: '5c3f2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f' });
        const rds = runnerResourceOf(rdsState, 'inputs', providers, secrets.reveal);
        assert.equal(rds.name, 'orders-db');
        assert.equal(rds.parent, SHOP_URNS.database);
        assert.deepEqual(rds.dependencies, [SHOP_URNS.password]);
        assert.deepEqual(rds.options, { protect: true, ignoreChanges: ['password'], customTimeouts: { create: 2400, delete: 1200 } });
        assert.deepEqual(rds.propertyDependencies, { allocatedStorage: [], engine: [], password: [SHOP_URNS.password], username: [] });
        assert.deepEqual(rds.provider, {
            urn: SHOP_URNS.awsDefault,
            type: 'pulumi:providers:aws',
            name: 'default_7_4_0',
            properties: { __internal: {}, region: 'us-east-1', skipCredentialsValidation: 'false', skipRegionValidation: 'true', version: '7.4.0' },
        });
        assert.equal(rds.properties.address, undefined, 'resource policies see inputs');
        assert.equal(runnerResourceOf(rdsState, 'outputs', providers, secrets.reveal).properties.address, 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com', 'stack policies see outputs');

        const assets = runnerResourceOf(resourceOf(state.resources, SHOP_URNS.assets), 'inputs', providers, secrets.reveal);
        assert.deepEqual(assets.options, { aliases: ['urn:pulumi:prod::shop::aws:s3/bucket:Bucket::static-assets'] });
        assert.equal(assets.provider?.name, 'west');
        assert.deepEqual(assets.provider?.properties.secretKey, wireSecret(SHOP_SECRETS.westSecretKey), "the explicit provider's secret input arrives decrypted");
        const password = runnerResourceOf(resourceOf(state.resources, SHOP_URNS.password), 'inputs', providers, secrets.reveal);
        assert.deepEqual(password.options, { additionalSecretOutputs: ['result', 'bcryptHash'] });
        assert.equal(password.provider?.type, 'pulumi:providers:random');
        const component = runnerResourceOf(resourceOf(state.resources, SHOP_URNS.database), 'outputs', providers, secrets.reveal);
        assert.deepEqual([component.properties, component.options, component.provider], [{}, undefined, undefined]);
    });
});

describe('stack config', () => {
    it("finds Pulumi.<stack>.yaml beside the state when Pulumi.yaml names the project, and reads it namespaced with secure values decrypted", async () => {
        assert.equal(await findStackConfigFile(SHOP_EXPORT, 'shop', 'prod'), join(SHOP, 'Pulumi.prod.yaml'));
        assert.equal(await findStackConfigFile(SHOP_EXPORT, 'other-project', 'prod'), undefined);
        assert.equal(await findStackConfigFile(SHOP_EXPORT, 'shop', 'dev'), undefined);
        const read = await readStackConfig(join(SHOP, 'Pulumi.prod.yaml'), 'shop', { PULUMI_CONFIG_PASSPHRASE: FIXTURE_PASSPHRASE });
        assert.deepEqual(read.config, {
            'aws:region': 'us-east-1',
            'shop:apiToken': SHOP_SECRETS.apiToken,
            'shop:allowedCidrs': '["10.0.0.0/16","10.1.0.0/16"]',
            'shop:dbUser': 'orders',
        });
        assert.equal(read.warning, undefined);
        const redacted = await readStackConfig(join(SHOP, 'Pulumi.prod.yaml'), 'shop', {});
        assert.equal(redacted.config['shop:apiToken'], REDACTED_SECRET);
        assert.match(redacted.warning ?? '', /Pulumi\.prod\.yaml: set PULUMI_CONFIG_PASSPHRASE/);
    });
});

describe('secrets in the store', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let store: Store;
    before(async () => {
        ({ dir, cleanup } = await tempDir('pi-stack-secrets-'));
        store = await Store.open({ home: join(dir, 'store') });
    });
    after(async () => {
        await store.close();
        await cleanup();
    });

    async function storeText(): Promise<string> {
        const files = (await readdir(join(dir, 'store'), { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
        return (await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8')))).join('\n');
    }

    it('stores "[secret]" in place of every secret, never plaintext or ciphertext, even with the passphrase at hand', async () => {
        const plainFile = join(dir, 'plain.json');
        await writeFile(plainFile, JSON.stringify(shopExport()));
        const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
        process.env.PULUMI_CONFIG_PASSPHRASE = FIXTURE_PASSPHRASE;
        try {
            await addStackAccount(store, { name: 'shop-prod', stateFile: SHOP_EXPORT });
            await scanAccount(store, 'shop-prod');
            await addStackAccount(store, { name: 'shop-plain', stateFile: plainFile });
            await scanAccount(store, 'shop-plain');
        } finally {
            if (saved === undefined) delete process.env.PULUMI_CONFIG_PASSPHRASE;
            else process.env.PULUMI_CONFIG_PASSPHRASE = saved;
        }
        const text = await storeText();
        for (const secret of Object.values(SHOP_SECRETS)) assert.equal(text.includes(secret), false, `the plaintext ${secret} is not stored`);
        assert.equal(text.includes(SECRET_SIG), false, 'no secret envelope (ciphertext or plaintext) is stored');
        const exported = await readFile(SHOP_EXPORT, 'utf8');
        const ciphertexts = [...exported.matchAll(/"ciphertext": "([^"]+)"/g)].map((m) => m[1]);
        assert.equal(ciphertexts.length, 7);
        for (const c of ciphertexts) assert.equal(text.includes(c), false, 'no ciphertext is stored');

        for (const account of ['shop-prod', 'shop-plain']) {
            const resources = await listResources(store, account);
            assert.equal(resources.length, 8, 'the resource pending deletion is left out');
            const rds = resources.find((r) => r.urn === SHOP_URNS.rds)!;
            assert.equal(rds.properties.password, REDACTED_SECRET);
            assert.equal(rds.inputs?.password, REDACTED_SECRET);
            assert.equal(rds.outputs?.password, REDACTED_SECRET);
            assert.deepEqual(rds.options, { protect: true, ignoreChanges: ['password'], customTimeouts: { create: 2400, delete: 1200 } });
            assert.deepEqual(rds.propertyDependencies?.password, [SHOP_URNS.password]);
            const assets = resources.find((r) => r.urn === SHOP_URNS.assets)!;
            assert.equal(assets.providerResource?.properties.secretKey, REDACTED_SECRET);
            assert.equal(resources.find((r) => r.urn === SHOP_URNS.password)!.properties.result, REDACTED_SECRET);
        }
    });

    it('re-evaluates a stack resource whose options alone changed: they are part of its hash', async () => {
        const exported = shopExport() as { deployment: { resources: { urn: string; protect?: boolean }[] } };
        const file = join(dir, 'options.json');
        await writeFile(file, JSON.stringify(exported));
        await addStackAccount(store, { name: 'shop-options', stateFile: file });
        await scanAccount(store, 'shop-options');
        exported.deployment.resources.find((r) => r.urn === SHOP_URNS.assets)!.protect = true;
        await writeFile(file, JSON.stringify(exported));
        const outcome = await scanAccount(store, 'shop-options');
        assert.deepEqual(outcome.children['shop-options'].changed, [SHOP_URNS.assets]);
    });
});

describe('a stack account evaluated through the CLI', () => {
    it('resource policies see the inputs (as the engine does), and `account resources` shows "[secret]"', async () => {
        const { runCli } = await import('../../../server/src/cli/runCli');
        const { scaffoldPack } = await import('../../../server/src/packs/scaffold');
        const { hostScript, repoRoot } = await import('../runner/runnerTestEnv');
        process.env.POLICY_INSIGHTS_PACK_HOST = hostScript;
        const { dir, cleanup } = await tempDir('pi-stack-cli-');
        const cli = async (...args: string[]) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = await runCli([...args, '--home', join(dir, 'home')], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
            return { code, out: out.join('\n'), err: err.join('\n') };
        };
        try {
            const pack = join(dir, 'aws-typescript');
            await scaffoldPack({ template: 'aws-typescript', dir: pack, templatesDir: join(repoRoot, 'templates'), force: true });
            const { symlink } = await import('node:fs/promises');
            await symlink(join(repoRoot, 'node_modules'), join(pack, 'node_modules'), 'dir');
            assert.equal((await cli('policy', 'publish', pack)).code, 0);
            assert.equal((await cli('policy', 'enable', 'aws-typescript', 'latest')).code, 0);
            // drift: the program asks for public-read (inputs), the bucket reads private (outputs)
            const exported = shopExport() as { deployment: { resources: { urn: string; outputs?: Record<string, unknown> }[] } };
            exported.deployment.resources.find((r) => r.urn === SHOP_URNS.assets)!.outputs!.acl = 'private';
            const file = join(dir, 'prod.json');
            await writeFile(file, JSON.stringify(exported));
            assert.equal((await cli('account', 'add', 'shop', '--provider', 'pulumi-stack', '--state', file)).code, 0);
            const scan = await cli('account', 'scan', 'shop');
            assert.equal(scan.code, 0, scan.err);
            const violations = await cli('violations', '--json');
            const list = (JSON.parse(violations.out) as { violations: { policyName: string; resourceURN: string }[] }).violations;
            assert.deepEqual(list.map((v) => [v.policyName, v.resourceURN]), [['s3-no-public-read', SHOP_URNS.assets]]);
            const resources = await cli('account', 'resources', 'shop', '--json');
            assert.equal(resources.code, 0);
            for (const secret of Object.values(SHOP_SECRETS)) assert.equal((resources.out + violations.out).includes(secret), false);
            assert.match(resources.out, /"password": "\[secret\]"/);
        } finally {
            await cleanup();
        }
    });
});
