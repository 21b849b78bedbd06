/**
 * The stack states of the state-level conformance test (test/fixtures/stacks/conformance/), as
 * `pulumi stack export` writes them (deployment version 3). Writing them is not the code under
 * test, so the secrets are sealed with the shared fixture writer (stackSecretsTestSupport.ts);
 * the test reads and decrypts them with its own engine port. Regenerate the committed files with
 * `node esbuild.mjs && node out/test/unit/evaluation/stateConformanceWrite.child.js`.
 *
 * - conf/dev.export.json: project conf, stack dev, secrets as ciphertext (passphrase provider);
 *   conf/Pulumi.yaml + Pulumi.dev.yaml: the stack's config beside it (a `secure:` value sealed
 *   with the same salt), which is the packs' stack context.
 * - conf/dev.plaintext.json: the same export as `--show-secrets` writes it (plaintext secrets).
 * - aws/prod.export.json: project shop, stack prod, 150 AWS resources of the types AWSGuard
 *   checks (bench/lib/awsGuardResources.mjs) with their secrets (RDS, Redshift and Elasticsearch
 *   master passwords, EC2 user data) as ciphertext, a provider, options, outputs that differ from
 *   the inputs, and replaced copies pending deletion.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsGuardResources } from '../../../bench/lib/awsGuardResources.mjs';
import { encryptExport, plaintextSecret, secureConfigValue } from '../accounts/stackSecretsTestSupport';
import { repoRoot } from '../runner/runnerTestEnv';

export const CONFORMANCE_STATES = join(repoRoot, 'test', 'fixtures', 'stacks', 'conformance');
/** The passphrase of every encrypted state here. */
export const CONFORMANCE_PASSPHRASE = 'conformance passphrase 4 tests';

const urn = (type: string, name: string) => `urn:pulumi:dev::conf::${type}::${name}`;
export const CONF = {
    stack: urn('pulumi:pulumi:Stack', 'conf-dev'),
    awsDefault: urn('pulumi:providers:aws', 'default_7_4_0'),
    awsWest: urn('pulumi:providers:aws', 'west'),
    site: urn('conf:web:Site', 'site'),
    full: urn('conf:web:Site$aws:s3/bucket:Bucket', 'full'),
    logs: urn('aws:s3/bucket:Bucket', 'logs'),
    explicit: urn('aws:s3/bucket:Bucket', 'explicit'),
    still: urn('aws:s3/bucket:Bucket', 'still'),
    db: urn('aws:rds/instance:Instance', 'orders-db'),
    gone: urn('aws:s3/bucket:Bucket', 'gone'),
    ghost: 'urn:pulumi:elsewhere::other::aws:s3/bucket:Bucket::ghost',
};
/** The plaintext of the conf state's secrets. */
export const CONF_SECRETS = { westKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', bucketPassword: 'hunter2-bucket', dbPassword: 'Xq7#mR2!vL9pZ4wK8sT1nB3e', nested: 'deep-nested-token', apiToken: 'tok_conf_51H8s' };

const WEST_ID = '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a';
const DEFAULT_ID = '5c3f2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const stamp = { created: '2026-11-02T09:14:03.118Z', modified: '2026-11-02T09:16:40.009Z' };

/**
 * A secret holding another secret, as SerializePropertyValue writes it: the inner one is
 * serialized with NopEncrypter (its "ciphertext" is its plaintext JSON) in an encrypted export,
 * as plaintext in a --show-secrets one; the outer one is then sealed (or left plaintext).
 */
function nestedSecret(outer: Record<string, unknown>, innerKey: string, inner: unknown, form: 'plaintext' | 'ciphertext'): Record<string, unknown> {
    const sealedInner = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', [form]: JSON.stringify(inner) };
    return { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', plaintext: JSON.stringify({ ...outer, [innerKey]: sealedInner }) };
}

/**
 * `pulumi stack export` of project conf, stack dev: every field the engine reads, and then some;
 * `nestedForm` is how a secret inside a secret is written ('plaintext' with --show-secrets).
 */
export function confExport(nestedForm: 'plaintext' | 'ciphertext' = 'plaintext'): Record<string, unknown> {
    const s = CONF_SECRETS;
    return {
        version: 3,
        deployment: {
            manifest: { time: '2026-11-02T09:16:44.402Z', magic: '8f1a3e5b2c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f', version: 'v3.248.0' },
            resources: [
                { urn: CONF.stack, custom: false, type: 'pulumi:pulumi:Stack', outputs: { bucketName: 'full-4f2a9c1', dbPassword: plaintextSecret(s.dbPassword) }, ...stamp },
                {
                    urn: CONF.awsDefault,
                    custom: true,
                    id: DEFAULT_ID,
                    type: 'pulumi:providers:aws',
                    inputs: { __internal: {}, region: 'us-east-1', skipCredentialsValidation: 'false', version: '7.4.0' },
                    outputs: { region: 'us-east-1', skipCredentialsValidation: 'false', version: '7.4.0' },
                    ...stamp,
                },
                {
                    urn: CONF.awsWest,
                    custom: true,
                    id: WEST_ID,
                    type: 'pulumi:providers:aws',
                    inputs: { accessKey: 'AKIAIOSFODNN7EXAMPLE', region: 'us-west-2', secretKey: plaintextSecret(s.westKey), version: '7.4.0' },
                    outputs: { accessKey: 'AKIAIOSFODNN7EXAMPLE', region: 'us-west-2', secretKey: plaintextSecret(s.westKey), version: '7.4.0' },
                    parent: CONF.stack,
                    sourcePosition: 'project:///index.ts#6,20',
                    ...stamp,
                },
                { urn: CONF.site, custom: false, type: 'conf:web:Site', parent: CONF.stack, outputs: { url: 'https://full.example.com' }, ...stamp },
                {
                    urn: CONF.logs,
                    custom: true,
                    id: 'logs-77aa01',
                    type: 'aws:s3/bucket:Bucket',
                    inputs: { acl: 'public-read', bucket: 'logs-77aa01', forceDestroy: true },
                    outputs: { acl: 'public-read', arn: 'arn:aws:s3:::logs-77aa01', bucket: 'logs-77aa01', forceDestroy: true, id: 'logs-77aa01' },
                    parent: CONF.stack,
                    provider: `${CONF.awsDefault}::${DEFAULT_ID}`,
                    ...stamp,
                },
                {
                    urn: CONF.full,
                    custom: true,
                    id: 'full-4f2a9c1',
                    type: 'aws:s3/bucket:Bucket',
                    inputs: {
                        __defaults: ['forceDestroy'],
                        acl: 'private',
                        bucket: 'full-4f2a9c1',
                        forceDestroy: false,
                        password: plaintextSecret(s.bucketPassword),
                        nested: { __inner: 1, pw: plaintextSecret({ token: s.nested }) },
                        list: [plaintextSecret(1), 'a'],
                        credentials: nestedSecret({ user: 'admin' }, 'token', s.nested, nestedForm),
                        loggingTarget: 'logs-77aa01',
                        tags: { app: 'conf' },
                    },
                    outputs: {
                        acl: 'private',
                        arn: 'arn:aws:s3:::full-4f2a9c1',
                        bucket: 'full-4f2a9c1',
                        forceDestroy: false,
                        id: 'full-4f2a9c1',
                        password: plaintextSecret(s.bucketPassword),
                        region: 'us-west-2',
                        tags: { app: 'conf' },
                        tagsAll: { app: 'conf', owner: 'platform' },
                    },
                    parent: CONF.site,
                    protect: true,
                    dependencies: [CONF.logs, CONF.awsWest],
                    provider: `${CONF.awsWest}::${WEST_ID}`,
                    propertyDependencies: { acl: [], bucket: [], loggingTarget: [CONF.logs], tags: [] },
                    ignoreChanges: ['tags'],
                    additionalSecretOutputs: ['password'],
                    aliases: [urn('aws:s3/bucket:Bucket', 'full-old')],
                    customTimeouts: { create: 60, update: 120, delete: 30 },
                    sourcePosition: 'project:///site.ts#12,5',
                    ...stamp,
                },
                {
                    urn: CONF.explicit,
                    custom: true,
                    id: 'explicit-1',
                    type: 'aws:s3/bucket:Bucket',
                    inputs: { reportAs: CONF.ghost, skipRecord: true, noRemediation: true },
                    outputs: { id: 'explicit-1', reportAs: CONF.ghost, skipRecord: true, noRemediation: true },
                    parent: CONF.stack,
                    provider: `${CONF.awsDefault}::${DEFAULT_ID}`,
                    ...stamp,
                },
                {
                    urn: CONF.still,
                    custom: true,
                    id: 'still-1',
                    type: 'aws:s3/bucket:Bucket',
                    inputs: { acl: 'public-read-write', stillViolating: true, skipRecord: true },
                    outputs: { acl: 'public-read-write', id: 'still-1', stillViolating: true, skipRecord: true },
                    parent: CONF.stack,
                    provider: `${CONF.awsDefault}::${DEFAULT_ID}`,
                    ...stamp,
                },
                {
                    urn: CONF.db,
                    custom: true,
                    id: 'orders-db',
                    type: 'aws:rds/instance:Instance',
                    inputs: { allocatedStorage: 20, engine: 'postgres', instanceClass: 'db.t3.micro', password: plaintextSecret(s.dbPassword), storageEncrypted: false, skipFinalSnapshot: true, username: 'orders' },
                    outputs: {
                        address: 'orders-db.c9akciq32.us-east-1.rds.amazonaws.com',
                        allocatedStorage: 20,
                        arn: 'arn:aws:rds:us-east-1:123456789012:db:orders-db',
                        engine: 'postgres',
                        id: 'orders-db',
                        instanceClass: 'db.t3.micro',
                        password: plaintextSecret(s.dbPassword),
                        port: 5432,
                        storageEncrypted: false,
                        skipFinalSnapshot: true,
                        username: 'orders',
                    },
                    parent: CONF.stack,
                    provider: `${CONF.awsDefault}::${DEFAULT_ID}`,
                    additionalSecretOutputs: ['password'],
                    ...stamp,
                },
                {
                    urn: CONF.gone,
                    custom: true,
                    id: 'gone-0b1c2d',
                    type: 'aws:s3/bucket:Bucket',
                    delete: true,
                    inputs: { acl: 'public-read-write', bucket: 'gone-0b1c2d', stillViolating: true, reportAs: CONF.full },
                    outputs: { acl: 'public-read-write', bucket: 'gone-0b1c2d', id: 'gone-0b1c2d' },
                    parent: CONF.stack,
                    provider: `${CONF.awsDefault}::${DEFAULT_ID}`,
                    pendingReplacement: false,
                },
            ],
        },
    };
}

const AWS_ID = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** A resource's outputs: its inputs (secrets as plaintext) plus what the provider computed. */
function awsOutputs(urnOf: string, type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const name = urnOf.slice(urnOf.lastIndexOf('::') + 2);
    const service = type.split(':')[1].split('/')[0];
    return { ...inputs, id: name, arn: `arn:aws:${service}:us-west-2:123456789012:${name}`, tagsAll: { ...((inputs.tags as object) ?? {}), ManagedBy: 'pulumi' } };
}

/** Engine wire-form secrets ({sig, value}) as an export made with --show-secrets holds them. */
function asPlaintextSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(asPlaintextSecrets);
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record['4dabf18193072939515e22adb298388d'] === '1b47061264138c4ac30d75fd1eb44270') return plaintextSecret(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, asPlaintextSecrets(v)]));
}

/** `pulumi stack export --show-secrets` of 150 AWS resources of the types AWSGuard checks. */
export function awsExport(): Record<string, unknown> {
    const resources = awsGuardResources(150) as { urn: string; type: string; parent?: string; properties: Record<string, unknown>; provider?: { urn: string; properties: Record<string, unknown> }; options?: { protect?: boolean; ignoreChanges?: string[] } }[];
    const provider = resources.find((r) => r.provider)!.provider!;
    const out: Record<string, unknown>[] = [];
    for (const [i, r] of resources.entries()) {
        if (r.type === 'pulumi:pulumi:Stack') {
            out.push({ urn: r.urn, custom: false, type: r.type, outputs: { resourceCount: resources.length - 1 }, ...stamp });
            out.push({ urn: provider.urn, custom: true, id: AWS_ID, type: 'pulumi:providers:aws', inputs: { __internal: {}, ...provider.properties }, outputs: provider.properties, ...stamp });
            continue;
        }
        const inputs = asPlaintextSecrets(r.properties) as Record<string, unknown>;
        const resource: Record<string, unknown> = { urn: r.urn, custom: true, id: r.urn.slice(r.urn.lastIndexOf('::') + 2), type: r.type, inputs, outputs: awsOutputs(r.urn, r.type, inputs), parent: r.parent, provider: `${provider.urn}::${AWS_ID}`, ...stamp };
        if (r.options?.protect) resource.protect = true;
        if (r.options?.ignoreChanges) resource.ignoreChanges = r.options.ignoreChanges;
        // every tenth resource was replaced and its old copy waits for deletion
        if (i % 10 === 5) out.push({ ...resource, urn: r.urn, delete: true, id: `${resource.id as string}-old` });
        out.push(resource);
    }
    return { version: 3, deployment: { manifest: { time: '2026-11-02T09:16:44.402Z', magic: '0d1e2f3a', version: 'v3.248.0' }, resources: out } };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 4)}\n`;

/** Writes the committed states (fresh salts and nonces each time). */
export async function writeConformanceStates(dir = CONFORMANCE_STATES): Promise<void> {
    const conf = join(dir, 'conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'dev.plaintext.json'), json(confExport()));
    const { exported, salt } = await encryptExport(confExport('ciphertext'), CONFORMANCE_PASSPHRASE);
    writeFileSync(join(conf, 'dev.export.json'), json(exported));
    writeFileSync(join(conf, 'Pulumi.yaml'), 'name: conf\nruntime: nodejs\ndescription: State-level conformance fixture\n');
    const token = await secureConfigValue(CONFORMANCE_PASSPHRASE, salt, CONF_SECRETS.apiToken);
    writeFileSync(
        join(conf, 'Pulumi.dev.yaml'),
        `encryptionsalt: ${salt}\nconfig:\n  aws:region: us-west-2\n  conf:greeting: hello\n  conf:dbPassword:\n    secure: ${token.secure}\n  conf:tiers:\n    - web\n    - db\n  owner: platform\n`,
    );
    const aws = join(dir, 'aws');
    mkdirSync(aws, { recursive: true });
    writeFileSync(join(aws, 'prod.export.json'), json((await encryptExport(awsExport(), CONFORMANCE_PASSPHRASE)).exported));
}
