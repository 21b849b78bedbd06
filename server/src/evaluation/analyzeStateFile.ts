/**
 * `policy-insights analyze --file STATE.json --policy-pack DIR`: what `pulumi policy analyze --file`
 * does (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go `AnalyzeSnapshot`). Per resource not
 * pending deletion: remediations first (reported with the inputs before and the properties after;
 * the state is never modified), then resource policies on its inputs; then stack policies on every
 * resource's outputs. Secrets reach packs decrypted when the state's passphrase is at hand, else as
 * "[secret]"; nothing this module returns holds a secret's value.
 */
import { resolvePackConfig } from '../groups';
import { rootStackUrn, RunnerError, type PolicyDiagnostic, type PolicyPackConfig, type PolicyRunError, type RunnerPool } from '../runner';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { hasCiphertext, openSecrets } from '../accounts/stacks/pulumiSecrets';
import { blindSecrets, isSecret } from '../pulumiSecretValues';
import { stackRuntimeContext } from '../accounts/stacks/stackConfig';
import { providersByUrn, runnerResourceOf } from '../accounts/stacks/stackResources';
import { parseUrn, readStateDocument } from '../accounts/stacks/stackState';
import { UserError } from '../userErrors';

export interface AnalyzeStateArgs {
    stateFile: string;
    packDirs: string[];
    /** One config file per pack, in the same order (as Pulumi's --policy-pack-config). */
    configFiles?: string[];
    /** The stack's `Pulumi.<stack>.yaml`; default: the one beside the state file, when its Pulumi.yaml names the project. */
    stackConfigFile?: string;
    /** Where the passphrase is read from (PULUMI_CONFIG_PASSPHRASE[_FILE]). Default: process.env. */
    env?: NodeJS.ProcessEnv;
    /**
     * Packs from policy groups (`--policy-group`, `--stack`): published artifact directories, each
     * with its group's config in memory. Run after `packDirs`, in the same way.
     */
    groupPacks?: { dir: string; config?: PolicyPackConfig }[];
}

/** A violation, attributed to a resource of the state as the engine attributes it. */
export interface AnalyzeViolation {
    kind: 'violation';
    urn: string;
    diagnostic: PolicyDiagnostic;
}

/** A change a remediation would make. Secrets in `before`/`after` are blinded (`ciphertext: "[secret]"`). */
export interface AnalyzeRemediation {
    kind: 'remediation';
    urn: string;
    policyPackName: string;
    policyPackVersion: string;
    policyName: string;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
}

export type AnalyzeEvent = AnalyzeViolation | AnalyzeRemediation;

export interface AnalyzeStateResult {
    stateFile: string;
    /** The state holds no resources at all: nothing was analyzed (Pulumi says so and succeeds). */
    empty: boolean;
    project?: string;
    stack?: string;
    /** Resources analyzed: those not pending deletion. */
    resourceCount: number;
    /** Per resource in state order: its remediations, then its violations; then stack policies' violations. */
    events: AnalyzeEvent[];
    /** Policy errors; any fails the run. */
    errors: (PolicyRunError & { policyPack: string })[];
    /** Pack name -> version, as the summary event lists them. */
    policyPacks: Record<string, string>;
    /** Things said once to stderr (secrets redacted and why). */
    warnings: string[];
    /** The stack config file read for the packs' runtime context, if any. */
    stackConfigFile?: string;
    hasMandatory: boolean;
}

/** Thrown for bad input (an unreadable config file, an invalid URN, a pack that does not load), with the file and the reason. */
export class AnalyzeInputError extends UserError {}

/** Reads a --policy-pack-config file (JSON or YAML): policy name or "all" -> level or {enforcementLevel, ...props}. */
export function readPackConfig(file: string): PolicyPackConfig {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (err) {
        throw new AnalyzeInputError(`Cannot read the policy pack config ${file}: ${(err as Error).message}`);
    }
    let value: unknown;
    try {
        value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
        throw new AnalyzeInputError(`The policy pack config ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new AnalyzeInputError(`The policy pack config ${file} must be an object of policy name (or "all") to a level or {enforcementLevel, ...properties}.`);
    }
    return value as PolicyPackConfig;
}

/**
 * A remediation's properties as shown: secrets blinded; a top-level value the remediation left as
 * the secret's decrypted value (the SDK hands policies plain values) stays a secret.
 */
function remediatedAfter(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(after)) {
        const was = before[key];
        out[key] = isSecret(was) && isDeepStrictEqual(was.value, value) ? was : value;
    }
    return blindSecrets(out);
}

async function loadPack(runner: RunnerPool, dir: string) {
    try {
        return await runner.loadPack(dir);
    } catch (error) {
        if (!(error instanceof RunnerError)) throw error;
        const where = error.details.location ? ` (${error.details.location.file}:${error.details.location.line}:${error.details.location.column})` : '';
        throw new AnalyzeInputError(`the policy pack ${dir} cannot be loaded${where}: ${error.message}`);
    }
}

export async function analyzeStateFile(runner: RunnerPool, args: AnalyzeStateArgs): Promise<AnalyzeStateResult> {
    if (args.configFiles?.length && args.configFiles.length !== args.packDirs.length) {
        throw new AnalyzeInputError(
            `${args.configFiles.length} --policy-pack-config file(s) for ${args.packDirs.length} --policy-pack: when given, the number of --policy-pack-config paths must match the number of --policy-pack paths (one per pack, in the same order).`,
        );
    }
    const env = args.env ?? process.env;
    const configs = args.configFiles?.map(readPackConfig);
    const document = await readStateDocument(args.stateFile);
    const result: AnalyzeStateResult = { stateFile: args.stateFile, empty: !document.resources.length, resourceCount: 0, events: [], errors: [], policyPacks: {}, warnings: [], hasMandatory: false };
    if (result.empty) return result;
    for (const r of document.resources) {
        // the engine dereferences each URN: one without the urn:pulumi:<stack>::<project>::<type>::<name> shape cannot be analyzed
        if (!parseUrn(r.urn)) throw new AnalyzeInputError(`the state file ${args.stateFile} contains a resource with an invalid URN "${r.urn}"; expected urn:pulumi:<stack>::<project>::<type>::<name>`);
    }
    const project = document.project!;
    const stack = document.stack!;
    Object.assign(result, { project, stack });

    const secrets = await openSecrets(document.secretsProvider, args.stateFile, env, document.resources.some((r) => hasCiphertext(r.inputs) || hasCiphertext(r.outputs)));
    const live = document.resources.filter((r) => !r.delete);
    const providers = providersByUrn(document.resources);
    const inputs = live.map((r) => runnerResourceOf(r, 'inputs', providers, secrets.reveal));
    const outputs = live.map((r) => runnerResourceOf(r, 'outputs', providers, secrets.reveal));
    result.resourceCount = live.length;

    const { context, configFile, warning } = await stackRuntimeContext(args.stateFile, project, stack, env, args.stackConfigFile);
    if (configFile) result.stackConfigFile = configFile;
    if (warning) result.warnings.push(warning);
    const secretsWarning = secrets.warning();
    if (secretsWarning) result.warnings.unshift(secretsWarning);

    const perResource = new Map<string, { remediations: AnalyzeEvent[]; violations: AnalyzeEvent[] }>(inputs.map((r) => [r.urn, { remediations: [], violations: [] }]));
    const stackEvents: AnalyzeEvent[] = [];
    // the runner attributes findings as the engine does (diagnosticAttribution.ts): a resource policy's to the
    // analyzed resource, a stack policy's to a resource of the state or the root stack, `remediate` as mandatory
    const rootUrn = rootStackUrn(inputs);
    const bucketOf = (urn: string) => perResource.get(urn) ?? perResource.get(rootUrn);
    const violation = (urn: string, d: PolicyDiagnostic): AnalyzeViolation => {
        if (d.enforcementLevel === 'mandatory') result.hasMandatory = true;
        return { kind: 'violation', urn, diagnostic: d };
    };

    const packs = [...args.packDirs.map((dir, index) => ({ dir, config: configs?.[index] })), ...(args.groupPacks ?? [])];
    for (const { dir, config } of packs) {
        const packDir = path.resolve(dir);
        const info = await loadPack(runner, packDir);
        result.policyPacks[info.name] = info.version;
        const options = { config, context };
        const errors = (list: PolicyRunError[]) => result.errors.push(...list.map((e) => ({ ...e, policyPack: info.name })));
        // Remediate only does something for policies at `remediate`: skip the pass when there are none
        const levels = resolvePackConfig(info, config);
        if (Object.values(levels).some((l) => l.enforcementLevel === 'remediate')) {
            const remediated = await runner.remediate(packDir, inputs, options);
            errors(remediated.errors);
            const byUrn = new Map(inputs.map((r) => [r.urn, r]));
            for (const rem of remediated.remediations) {
                const bucket = bucketOf(rem.urn);
                if (!bucket) continue;
                if (rem.diagnostic) {
                    // a remediation that could not run reports why, as an advisory finding
                    const d: PolicyDiagnostic = { policyPackName: rem.policyPackName, policyPackVersion: rem.policyPackVersion, policyName: rem.policyName, description: rem.description, message: rem.diagnostic, enforcementLevel: 'advisory', urn: rem.urn };
                    bucket.remediations.push(violation(rem.urn, d));
                } else if (rem.properties) {
                    const before = byUrn.get(rem.urn)?.properties ?? {};
                    bucket.remediations.push({ kind: 'remediation', urn: rem.urn, policyPackName: rem.policyPackName, policyPackVersion: rem.policyPackVersion, policyName: rem.policyName, before: blindSecrets(before), after: remediatedAfter(before, rem.properties) });
                }
            }
        }
        const analyzed = await runner.analyze(packDir, inputs, options);
        errors(analyzed.errors);
        for (const d of analyzed.diagnostics) bucketOf(d.urn)?.violations.push(violation(d.urn, d));
        const stackResult = await runner.analyzeStack(packDir, outputs, options);
        errors(stackResult.errors);
        for (const d of stackResult.diagnostics) stackEvents.push(violation(d.urn, d));
    }
    for (const bucket of perResource.values()) result.events.push(...bucket.remediations, ...bucket.violations);
    result.events.push(...stackEvents);
    return result;
}
