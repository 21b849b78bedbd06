/**
 * The engine's side of the state-level conformance test: `pulumi policy analyze --file` as
 * pulumi/pulumi does it, ported line by line from `pkg/resource/deploy/analyze_snapshot.go`
 * (`AnalyzeSnapshot`, `stateToAnalyzerResource`, `buildSnapshotProviderMap`), reading the
 * `pulumi stack export` JSON itself and decrypting its secrets with the passphrase format of
 * `sdk/go/common/resource/config/crypt.go` and `pkg/secrets/passphrase/manager.go` (node:crypto),
 * and driving the pack over gRPC (GrpcAnalyzer: the pack's own server, one RPC per call).
 * Nothing here calls the code under test (analyzeStateFile, server/src/accounts/stacks/**,
 * pulumiSecretValues): a field both lost would otherwise go unnoticed.
 */
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { GrpcAnalyzer } from '../../../server/src/runner/grpcAnalyzer';
import type { PackRuntimeContext, PolicyDiagnostic, PolicyPackConfig, RunnerResource } from '../../../server/src/runner/runnerTypes';
import type { AnalyzeStateResult } from '../../../server/src/evaluation/analyzeStateFile';

/** sdk/go/common/resource/sig: the key and value that mark a secret. */
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const SHOWN_SECRET = '[secret]';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSecretObject = (v: unknown): v is Json => isObject(v) && v[SIG_KEY] === SECRET_SIG;

// ---- secrets: crypt.go symmetricCrypter + passphrase/manager.go ----

/** NewSymmetricCrypterFromPassphrase: pbkdf2(sha256, 1,000,000 rounds, 32 bytes). */
function passphraseKey(passphrase: string, salt: Buffer): Buffer {
    return pbkdf2Sync(passphrase, salt, 1_000_000, 32, 'sha256');
}

/** symmetricCrypter.DecryptValue: "v1:<nonce b64>:<sealed b64>", AES-256-GCM with the 16-byte tag at the end. */
function decryptValue(key: Buffer, value: string): string {
    const parts = value.split(':');
    if (parts.length !== 3) throw new Error('bad value');
    if (parts[0] !== 'v1') throw new Error('unknown value version');
    const nonce = Buffer.from(parts[1], 'base64');
    const sealed = Buffer.from(parts[2], 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
}

const decrypters = new Map<string, (ciphertext: string) => string>();

/** passphrase manager: state "v1:<salt b64>:<"pulumi" sealed>"; the key is right when that decrypts to "pulumi". Kept per salt (a key costs a second). */
export function passphraseDecrypter(salt: string, passphrase: string): (ciphertext: string) => string {
    const known = decrypters.get(`${salt}\0${passphrase}`);
    if (known) return known;
    const splits = salt.split(':');
    if (splits.length < 3 || splits[0] !== 'v1') throw new Error(`bad passphrase salt ${salt}`);
    const key = passphraseKey(passphrase, Buffer.from(splits[1], 'base64'));
    if (decryptValue(key, splits.slice(2).join(':')) !== 'pulumi') throw new Error('incorrect passphrase');
    const decrypter = (ciphertext: string) => decryptValue(key, ciphertext);
    decrypters.set(`${salt}\0${passphrase}`, decrypter);
    return decrypter;
}

/** config.NopDecrypter: a secret nested in a secret was "encrypted" with NopEncrypter, its ciphertext is its plaintext. */
const nopDecrypter = (ciphertext: string) => ciphertext;

/**
 * A state property value as the engine holds it after DeserializePropertyValue with a decrypter
 * (deployment.go deserializeSecret): a secret `{sig, plaintext|ciphertext}` becomes `{sig, value}`,
 * its JSON deserialized with NopDecrypter (secretPropertyValueFromPlaintext), so a secret nested
 * in it is read as written. Without a decrypter a ciphertext is blinded to "[secret]".
 */
function deserialize(value: unknown, decrypt: ((c: string) => string) | undefined): unknown {
    if (Array.isArray(value)) return value.map((v) => deserialize(v, decrypt));
    if (!isObject(value)) return value;
    if (isSecretObject(value)) {
        if (typeof value.plaintext === 'string') return { [SIG_KEY]: SECRET_SIG, value: deserialize(JSON.parse(value.plaintext), nopDecrypter) };
        if (typeof value.ciphertext === 'string') {
            return { [SIG_KEY]: SECRET_SIG, value: decrypt ? deserialize(JSON.parse(decrypt(value.ciphertext)), nopDecrypter) : SHOWN_SECRET };
        }
        throw new Error('malformed secret value: exactly one of `ciphertext` or `plaintext` must be supplied');
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deserialize(v, decrypt)]));
}

// ---- the snapshot: pkg/resource/state.go fields the analysis reads ----

interface State {
    urn: string;
    type: string;
    delete: boolean;
    inputs: Json;
    outputs: Json;
    parent: string;
    provider: string;
    protect: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    aliases: string[];
    customTimeouts: { create: number; update: number; delete: number };
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface Snapshot {
    resources: State[];
    project: string;
    stack: string;
}

/** urn.URN.Name(): everything after the third "::" (names may hold "::"). */
function urnName(urn: string): string {
    return urn.split('::').slice(3).join('::');
}

/** A `pulumi stack export` file as the engine's Snapshot, secrets decrypted with `passphrase` when given. */
export function readSnapshot(file: string, passphrase: string | undefined): Snapshot {
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { deployment: { resources?: Json[]; secrets_providers?: { type: string; state?: { salt?: string } } } };
    const provider = exported.deployment.secrets_providers;
    const decrypt = provider?.type === 'passphrase' && provider.state?.salt && passphrase !== undefined ? passphraseDecrypter(provider.state.salt, passphrase) : undefined;
    const resources = (exported.deployment.resources ?? []).map(
        (r): State => ({
            urn: r.urn as string,
            type: r.type as string,
            delete: r.delete === true,
            inputs: deserialize(r.inputs ?? {}, decrypt) as Json,
            outputs: deserialize(r.outputs ?? {}, decrypt) as Json,
            parent: (r.parent as string) ?? '',
            provider: (r.provider as string) ?? '',
            protect: r.protect === true,
            ignoreChanges: (r.ignoreChanges as string[]) ?? [],
            additionalSecretOutputs: (r.additionalSecretOutputs as string[]) ?? [],
            aliases: (r.aliases as string[]) ?? [],
            customTimeouts: { create: 0, update: 0, delete: 0, ...(r.customTimeouts as object) },
            dependencies: (r.dependencies as string[]) ?? [],
            propertyDependencies: (r.propertyDependencies as Record<string, string[]>) ?? {},
        }),
    );
    const [stack, project] = resources[0].urn.slice('urn:pulumi:'.length).split('::');
    return { resources, project, stack };
}

/**
 * The packs' stack context as our CLI gives it (pulumi/pulumi's own `policy analyze` passes nil
 * PolicyAnalyzerOptions, so its packs get none; a deployment gives them this): project, stack,
 * not a dry run, and the config of
 * `Pulumi.<stack>.yaml` beside the state (when a Pulumi.yaml there names the project), bare keys
 * namespaced with the project, objects as JSON, `secure:` values decrypted.
 */
export function stackContext(stateFile: string, snap: Snapshot, passphrase: string | undefined): PackRuntimeContext {
    const context: PackRuntimeContext = { project: snap.project, stack: snap.stack, dryRun: false };
    const dir = dirname(stateFile);
    const projectFile = join(dir, 'Pulumi.yaml');
    if (!existsSync(projectFile) || (parseYaml(readFileSync(projectFile, 'utf8')) as { name?: string }).name !== snap.project) return context;
    const stackFile = join(dir, `Pulumi.${snap.stack}.yaml`);
    if (!existsSync(stackFile)) return context;
    const doc = parseYaml(readFileSync(stackFile, 'utf8')) as { encryptionsalt?: string; config?: Json };
    const decrypt = doc.encryptionsalt && passphrase !== undefined ? passphraseDecrypter(doc.encryptionsalt, passphrase) : undefined;
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const name = key.includes(':') ? key : `${snap.project}:${key}`;
        if (isObject(value) && typeof value.secure === 'string') config[name] = decrypt ? decrypt(value.secure) : SHOWN_SECRET;
        else config[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    context.config = config;
    return context;
}

// ---- analyze_snapshot.go ----

/** buildSnapshotProviderMap: provider URN -> provider state (IsProviderType: "pulumi:providers:<pkg>"). */
function buildSnapshotProviderMap(snap: Snapshot): Map<string, State> {
    const providers = new Map<string, State>();
    for (const res of snap.resources) if (res.type.startsWith('pulumi:providers:')) providers.set(res.urn, res);
    return providers;
}

/** providers.ParseReference: "<urn>::<id>", the id after the last "::". */
function parseReference(ref: string): { urn: string; id: string } | undefined {
    const at = ref.lastIndexOf('::');
    if (at < 0 || !ref.startsWith('urn:pulumi:')) return undefined;
    return { urn: ref.slice(0, at), id: ref.slice(at + 2) };
}

/** stateToAnalyzerResource (as a RunnerResource, which GrpcAnalyzer marshals as the engine does). */
function stateToAnalyzerResource(res: State, properties: Json, providers: Map<string, State>): RunnerResource {
    const r: RunnerResource = {
        urn: res.urn,
        type: res.type,
        name: urnName(res.urn),
        properties,
        options: {
            protect: res.protect,
            ignoreChanges: res.ignoreChanges,
            additionalSecretOutputs: res.additionalSecretOutputs,
            aliases: res.aliases,
            customTimeouts: res.customTimeouts,
        },
    };
    // Options.Parent
    if (res.parent) r.parent = res.parent;
    if (res.provider) {
        const ref = parseReference(res.provider);
        const provRes = ref && providers.get(ref.urn);
        if (provRes) r.provider = { urn: provRes.urn, type: provRes.type, name: urnName(provRes.urn), properties: provRes.inputs };
    }
    return r;
}

/** What the engine's events carry, in the order it emits them. */
export interface EngineEvents {
    violations: { urn: string; policy: string; level: string; message: string }[];
    remediations: { urn: string; policy: string; before: unknown; after: unknown }[];
    /** Set when AnalyzeSnapshot returned an error: the first failed RPC, where the analysis stopped. */
    error?: { urn: string; message: string; rpc: 'remediate' | 'analyze' | 'analyzeStack' };
    hasMandatory: boolean;
}

/** What `pulumi policy analyze --file` displays of a property map: every secret as "[secret]". */
export function shown(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(shown);
    if (!isObject(value)) return value;
    if (isSecretObject(value)) return SHOWN_SECRET;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shown(v)]));
}

/**
 * A remediation's new properties as shown. @pulumi/policy hands a policy the plain value of a
 * top-level secret and sends it back plain; the house rule (no secret printed) shows a value the
 * remediation left equal to a secret input as "[secret]" still.
 */
function shownAfter(before: Json, after: Json | undefined): unknown {
    if (!after) return null;
    const out: Json = {};
    for (const [key, value] of Object.entries(after)) {
        const was = before[key];
        out[key] = isSecretObject(was) && isDeepStrictEqual(was.value, value) ? SHOWN_SECRET : shown(value);
    }
    return out;
}

const violationOf = (urn: string, d: Pick<PolicyDiagnostic, 'policyName' | 'enforcementLevel' | 'message'>) => ({ urn, policy: d.policyName, level: d.enforcementLevel, message: d.message });

/** A pack as the CLI's --policy-pack (and its --policy-pack-config, read). */
export interface PackArg {
    dir: string;
    config?: PolicyPackConfig;
}

/**
 * AnalyzeSnapshot with one analyzer per pack, each started with `context` and configured. The
 * engine runs the analyzers of one resource (and the stack calls) in parallel; here they run in
 * pack order, the order analyzeStateFile reports them in.
 */
export async function analyzeSnapshot(snap: Snapshot, packs: PackArg[], context: PackRuntimeContext, cacheDir: string): Promise<EngineEvents> {
    const events: EngineEvents = { violations: [], remediations: [], hasMandatory: false };
    const analyzers: GrpcAnalyzer[] = [];
    try {
        for (const pack of packs) {
            const analyzer = await GrpcAnalyzer.start(pack.dir, { cacheDir, context });
            analyzers.push(analyzer);
            await analyzer.configure(pack.config);
        }
        const providers = buildSnapshotProviderMap(snap);
        // Per-resource analysis: remediations then analysis.
        for (const res of snap.resources) {
            if (res.delete) continue;
            const analyzerRes = stateToAnalyzerResource(res, res.inputs, providers);
            // First pass: report remediations for this resource, without applying them.
            for (const analyzer of analyzers) {
                const remediated = await analyzer.remediate([analyzerRes]);
                if (remediated.errors.length) return { ...events, error: { urn: res.urn, rpc: 'remediate', message: `failed to run remediation: ${remediated.errors[0].message}` } };
                for (const tresult of remediated.remediations) {
                    if (tresult.diagnostic) events.violations.push(violationOf(res.urn, { policyName: tresult.policyName, enforcementLevel: 'advisory', message: tresult.diagnostic }));
                    else events.remediations.push({ urn: res.urn, policy: tresult.policyName, before: shown(analyzerRes.properties), after: shownAfter(analyzerRes.properties, tresult.properties) });
                }
            }
            // Second pass, analyzeResource (dryRun): GrpcAnalyzer applies its remediate -> mandatory and attributes to r.URN.
            for (const analyzer of analyzers) {
                const analyzed = await analyzer.analyze([analyzerRes]);
                if (analyzed.errors.length) return { ...events, error: { urn: res.urn, rpc: 'analyze', message: `failed to run policy: ${analyzed.errors[0].message}` } };
                for (const d of analyzed.diagnostics) {
                    if (d.enforcementLevel === 'mandatory') events.hasMandatory = true;
                    events.violations.push(violationOf(res.urn, d));
                }
            }
        }
        // Stack-level analysis on outputs, with parent, dependencies and property dependencies.
        const stackResources: RunnerResource[] = [];
        for (const res of snap.resources) {
            if (res.delete) continue;
            const r = stateToAnalyzerResource(res, res.outputs, providers);
            if (res.dependencies.length) r.dependencies = res.dependencies;
            if (Object.keys(res.propertyDependencies).length) r.propertyDependencies = res.propertyDependencies;
            stackResources.push(r);
        }
        for (const analyzer of analyzers) {
            let stackDiagnostics: PolicyDiagnostic[];
            try {
                // GrpcAnalyzer applies resolveStackPolicyViolationURN over these (the non-deleted) resources
                stackDiagnostics = (await analyzer.analyzeStack(stackResources)).diagnostics;
            } catch (error) {
                return { ...events, error: { urn: '', rpc: 'analyzeStack', message: `failed to run stack policy: ${(error as Error).message}` } };
            }
            for (const d of stackDiagnostics) {
                if (d.enforcementLevel === 'mandatory') events.hasMandatory = true;
                events.violations.push(violationOf(d.urn, d));
            }
        }
        return events;
    } finally {
        await Promise.all(analyzers.map((a) => a.close()));
    }
}

/** analyzeStateFile's result in the same shape (errors listed, since it keeps going after one). */
export function oursAsEvents(result: AnalyzeStateResult): Omit<EngineEvents, 'error'> & { errors: { urn: string; message: string }[] } {
    const out = { violations: [] as EngineEvents['violations'], remediations: [] as EngineEvents['remediations'], hasMandatory: result.hasMandatory, errors: result.errors.map((e) => ({ urn: e.urn ?? '', message: e.message })) };
    for (const e of result.events) {
        if (e.kind === 'violation') out.violations.push(violationOf(e.urn, e.diagnostic));
        else out.remediations.push({ urn: e.urn, policy: e.policyName, before: shown(e.before), after: shown(e.after) });
    }
    return out;
}
