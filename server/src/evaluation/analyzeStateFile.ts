/**
 * `policy-insights analyze --file STATE.json --policy-pack DIR`: evaluates a Pulumi stack's
 * state (a `pulumi stack export`, or a file-backend checkpoint) against working-copy packs,
 * the way `pulumi preview --policy-pack` would: every resource through each resource
 * policy, the whole stack through each stack policy.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readStackState } from '../accounts/stacks/stackState';
import { stackResources } from '../accounts/stacks/stackResources';
import type { RunnerPool } from '../packs/runner/runnerPool';
import type { PolicyDiagnostic, PolicyPackConfig, PolicyRunError } from '../packs/runner/runnerTypes';

export interface AnalyzeStateArgs {
    stateFile: string;
    packDirs: string[];
    /** One config file per pack, in the same order (as Pulumi's --policy-pack-config). */
    configFiles?: string[];
}

export interface AnalyzeStateResult {
    project: string;
    stack: string;
    resourceCount: number;
    diagnostics: PolicyDiagnostic[];
    errors: (PolicyRunError & { policyPack: string })[];
}

/** Thrown for bad input (an unreadable config file), with the file and the reason. */
export class AnalyzeInputError extends Error {}

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

export async function analyzeStateFile(runner: RunnerPool, args: AnalyzeStateArgs): Promise<AnalyzeStateResult> {
    if (args.configFiles && args.configFiles.length > args.packDirs.length) {
        throw new AnalyzeInputError(`${args.configFiles.length} --policy-pack-config files for ${args.packDirs.length} --policy-pack: give one config per pack, in the same order.`);
    }
    const state = await readStackState(args.stateFile);
    const resources = stackResources(`${state.project}/${state.stack}`, state).map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r.properties,
        parent: r.parent,
        dependencies: r.dependencies,
    }));
    const diagnostics: PolicyDiagnostic[] = [];
    const errors: AnalyzeStateResult['errors'] = [];
    for (const [index, dir] of args.packDirs.entries()) {
        const packDir = path.resolve(dir);
        const configFile = args.configFiles?.[index];
        const config = configFile ? readPackConfig(configFile) : undefined;
        const info = await runner.loadPack(packDir);
        for (const result of [await runner.analyze(packDir, resources, { config }), await runner.analyzeStack(packDir, resources, { config })]) {
            diagnostics.push(...result.diagnostics);
            errors.push(...result.errors.map((e) => ({ ...e, policyPack: info.name })));
        }
    }
    return { project: state.project, stack: state.stack, resourceCount: resources.length, diagnostics, errors };
}
