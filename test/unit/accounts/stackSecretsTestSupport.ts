/**
 * Writes Pulumi states and stack configs with secrets the way Pulumi does (pulumi/pulumi
 * pkg/resource/stack/deployment.go, pkg/secrets/passphrase/manager.go): a secret is
 * `{<sig key>: <secret sig>, "plaintext": "<JSON>"}` in an export made with --show-secrets, or
 * `"ciphertext": "v1:<nonce>:<sealed>"` under a passphrase provider whose state is
 * `{"salt": "v1:<salt>:<encrypted \"pulumi\">"}`.
 */
import { newPassphraseState, openPassphraseCrypter, type PassphraseCrypter } from '../../../server/src/accounts/stacks/passphraseSecrets';
import { SECRET_SIG, SIG_KEY } from '../../../server/src/pulumiSecretValues';

/** The passphrase of the committed fixtures under test/fixtures/stacks/shop/. */
export const FIXTURE_PASSPHRASE = 'correct horse battery staple';

/** A secret as an export made with `--show-secrets` holds it. */
export function plaintextSecret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) };
}

function mapPlaintextSecrets(value: unknown, crypter: PassphraseCrypter): unknown {
    if (Array.isArray(value)) return value.map((v) => mapPlaintextSecrets(v, crypter));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG && typeof record.plaintext === 'string') return { [SIG_KEY]: SECRET_SIG, ciphertext: crypter.encrypt(record.plaintext) };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, mapPlaintextSecrets(v, crypter)]));
}

/**
 * The export with every plaintext secret encrypted under `passphrase` and the passphrase provider
 * recorded, as `pulumi stack export` writes a passphrase stack. `salt` reuses a provider state
 * (a stack's config and state share it).
 */
export async function encryptExport(exported: unknown, passphrase: string, salt?: string): Promise<{ exported: Record<string, unknown>; salt: string }> {
    const opened = salt ? { state: salt, crypter: await openPassphraseCrypter(passphrase, salt) } : await newPassphraseState(passphrase);
    const out = mapPlaintextSecrets(exported, opened.crypter) as { deployment: Record<string, unknown> };
    out.deployment.secrets_providers = { type: 'passphrase', state: { salt: opened.state } };
    return { exported: out, salt: opened.state };
}

/** A `secure:` config value encrypted under the provider state `salt`. */
export async function secureConfigValue(passphrase: string, salt: string, plaintext: string): Promise<{ secure: string }> {
    return { secure: (await openPassphraseCrypter(passphrase, salt)).encrypt(plaintext) };
}

const STACK = 'urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod';
const AWS_DEFAULT = 'urn:pulumi:prod::shop::pulumi:providers:aws::default_7_4_0';
const AWS_WEST = 'urn:pulumi:prod::shop::pulumi:providers:aws::west';
const RANDOM = 'urn:pulumi:prod::shop::pulumi:providers:random::default_4_16_0';
const DATABASE = 'urn:pulumi:prod::shop::shop:data:Database::orders';
export const SHOP_URNS = {
    stack: STACK,
    awsDefault: AWS_DEFAULT,
    awsWest: AWS_WEST,
    random: RANDOM,
    database: DATABASE,
    password: 'urn:pulumi:prod::shop::shop:data:Database$random:index/randomPassword:RandomPassword::orders-password',
    rds: 'urn:pulumi:prod::shop::shop:data:Database$aws:rds/instance:Instance::orders-db',
    assets: 'urn:pulumi:prod::shop::aws:s3/bucket:Bucket::assets',
    oldLogs: 'urn:pulumi:prod::shop::aws:s3/bucket:Bucket::old-logs',
};
/** The plaintext secrets of the shop export, to grep for. */
export const SHOP_SECRETS = { dbPassword: 'Xq7#mR2!vL9pZ4wK8sT1nB3e', westSecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', apiToken: 'tok_live_51H8sUperSecret' };

/**
 * What `pulumi stack export --show-secrets` writes for a small AWS program (project shop, stack
 * prod): the Stack, a default and an explicit aws provider (with a secret key), a random provider,
 * a component with a random password and an RDS instance using it (protected, ignoreChanges,
 * customTimeouts, propertyDependencies), a public-read bucket on the explicit provider with an
 * alias, and a bucket pending deletion.
 */
export function shopExport(): Record<string, unknown> {
    const pw = SHOP_SECRETS.dbPassword;
    const password = {
        urn: SHOP_URNS.password,
        custom: true,
        id: 'none',
        type: 'random:index/randomPassword:RandomPassword',
        inputs: { length: 24, special: true, overrideSpecial: '!#%' },
        outputs: { id: 'none', length: 24, special: true, overrideSpecial: '!#%', result: plaintextSecret(pw), bcryptHash: plaintextSecret('$2a$10$abcdefghijklmnopqrstuv') },
        parent: DATABASE,
        provider: `${RANDOM}::7a1e0a9e-3c7b-4b59-8c36-0f6d3f1c2a11`,
        additionalSecretOutputs: ['result', 'bcryptHash'],
        created: '2026-11-02T09:14:03.118Z',
        modified: '2026-11-02T09:14:03.118Z',
        sourcePosition: 'project:///data/database.ts#14,26',
    };
    return {
        version: 3,
        deployment: {
            manifest: { time: '2026-11-02T09:16:44.402Z', magic: '8f1a3e5b2c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f', version: 'v3.248.0' },
            resources: [
                {
                    urn: STACK,
                    custom: false,
                    type: 'pulumi:pulumi:Stack',
                    outputs: { assetsBucket: 'assets-4f2a9c1', dbEndpoint: 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com:5432', dbPassword: plaintextSecret(pw) },
                    created: '2026-11-02T09:13:58.002Z',
                    modified: '2026-11-02T09:16:44.120Z',
                },
                {
                    urn: AWS_DEFAULT,
                    custom: true,
                    id: '5c3f2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
                    type: 'pulumi:providers:aws',
                    inputs: { __internal: {}, region: 'us-east-1', skipCredentialsValidation: 'false', skipRegionValidation: 'true', version: '7.4.0' },
                    outputs: { region: 'us-east-1', skipCredentialsValidation: 'false', skipRegionValidation: 'true', version: '7.4.0' },
                    created: '2026-11-02T09:13:59.310Z',
                    modified: '2026-11-02T09:13:59.310Z',
                },
                {
                    urn: AWS_WEST,
                    custom: true,
                    id: '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a',
                    type: 'pulumi:providers:aws',
                    inputs: { accessKey: 'AKIAIOSFODNN7EXAMPLE', defaultTags: '{"tags":{"owner":"platform"}}', region: 'us-west-2', secretKey: plaintextSecret(SHOP_SECRETS.westSecretKey), version: '7.4.0' },
                    outputs: { accessKey: 'AKIAIOSFODNN7EXAMPLE', defaultTags: '{"tags":{"owner":"platform"}}', region: 'us-west-2', secretKey: plaintextSecret(SHOP_SECRETS.westSecretKey), version: '7.4.0' },
                    parent: STACK,
                    created: '2026-11-02T09:13:59.402Z',
                    modified: '2026-11-02T09:13:59.402Z',
                    sourcePosition: 'project:///index.ts#6,20',
                },
                {
                    urn: RANDOM,
                    custom: true,
                    id: '7a1e0a9e-3c7b-4b59-8c36-0f6d3f1c2a11',
                    type: 'pulumi:providers:random',
                    inputs: { __internal: {}, version: '4.16.0' },
                    outputs: { version: '4.16.0' },
                    created: '2026-11-02T09:13:59.500Z',
                    modified: '2026-11-02T09:13:59.500Z',
                },
                {
                    urn: DATABASE,
                    custom: false,
                    type: 'shop:data:Database',
                    parent: STACK,
                    created: '2026-11-02T09:14:00.001Z',
                    modified: '2026-11-02T09:14:00.001Z',
                    sourcePosition: 'project:///index.ts#9,16',
                },
                password,
                {
                    urn: SHOP_URNS.rds,
                    custom: true,
                    id: 'orders-db',
                    type: 'aws:rds/instance:Instance',
                    inputs: {
                        allocatedStorage: 20,
                        engine: 'postgres',
                        engineVersion: '16.3',
                        identifier: 'orders-db',
                        instanceClass: 'db.t3.micro',
                        password: plaintextSecret(pw),
                        publiclyAccessible: false,
                        skipFinalSnapshot: true,
                        storageEncrypted: false,
                        username: 'orders',
                    },
                    outputs: {
                        address: 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com',
                        allocatedStorage: 20,
                        arn: 'arn:aws:rds:us-east-1:123456789012:db:orders-db',
                        endpoint: 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com:5432',
                        engine: 'postgres',
                        engineVersion: '16.3',
                        id: 'orders-db',
                        identifier: 'orders-db',
                        instanceClass: 'db.t3.micro',
                        password: plaintextSecret(pw),
                        port: 5432,
                        publiclyAccessible: false,
                        skipFinalSnapshot: true,
                        storageEncrypted: false,
                        username: 'orders',
                    },
                    parent: DATABASE,
                    protect: true,
                    dependencies: [SHOP_URNS.password],
                    provider: `${AWS_DEFAULT}::5c3f2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f`,
                    propertyDependencies: { allocatedStorage: [], engine: [], password: [SHOP_URNS.password], username: [] },
                    ignoreChanges: ['password'],
                    customTimeouts: { create: 2400, delete: 1200 },
                    created: '2026-11-02T09:14:05.771Z',
                    modified: '2026-11-02T09:16:40.009Z',
                    sourcePosition: 'project:///data/database.ts#18,22',
                },
                {
                    urn: SHOP_URNS.assets,
                    custom: true,
                    id: 'assets-4f2a9c1',
                    type: 'aws:s3/bucket:Bucket',
                    inputs: { acl: 'public-read', bucket: 'assets-4f2a9c1', forceDestroy: false, tags: { app: 'shop' } },
                    outputs: { acl: 'public-read', arn: 'arn:aws:s3:::assets-4f2a9c1', bucket: 'assets-4f2a9c1', forceDestroy: false, id: 'assets-4f2a9c1', region: 'us-west-2', tags: { app: 'shop' }, tagsAll: { app: 'shop', owner: 'platform' } },
                    parent: STACK,
                    provider: `${AWS_WEST}::9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a`,
                    aliases: ['urn:pulumi:prod::shop::aws:s3/bucket:Bucket::static-assets'],
                    created: '2026-11-02T09:14:02.310Z',
                    modified: '2026-11-02T09:14:02.310Z',
                    sourcePosition: 'project:///index.ts#22,15',
                },
                {
                    urn: SHOP_URNS.oldLogs,
                    custom: true,
                    id: 'old-logs-0b1c2d',
                    type: 'aws:s3/bucket:Bucket',
                    delete: true,
                    inputs: { acl: 'public-read-write', bucket: 'old-logs-0b1c2d' },
                    outputs: { acl: 'public-read-write', bucket: 'old-logs-0b1c2d', id: 'old-logs-0b1c2d' },
                    parent: STACK,
                    provider: `${AWS_DEFAULT}::5c3f2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f`,
                    pendingReplacement: false,
                },
            ],
        },
    };
}
