/**
 * Stack state resources as the engine analyzes them and as the store keeps them: Pulumi's own
 * URNs, types, inputs, outputs, options, provider and property dependencies
 * (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go `stateToAnalyzerResource`).
 */
import type { ProviderResource, Resource, ResourceOptions } from '../../shared/model';
import type { RunnerResource } from '../../runner';
import { resourceHash } from '../resourceIdentity';
import { redactSecrets } from '../../pulumiSecretValues';
import { parseSourcePosition, parseUrn, type StateDocument, type StateResource } from './stackState';

/** A Resource from a stack: its inputs, outputs, options and provider beside `properties` (see model.ts). */
export type StackResource = Resource;

/** `<provider URN>::<provider id>` (the id follows the last "::"; the URN holds "::" itself). */
export function parseProviderReference(reference: string): { urn: string; id: string } | undefined {
    const at = reference.lastIndexOf('::');
    if (at <= 0 || !reference.startsWith('urn:pulumi:')) return undefined;
    return { urn: reference.slice(0, at), id: reference.slice(at + 2) };
}

/** Provider resources of a state by URN (their type is `pulumi:providers:<package>`). */
export function providersByUrn(resources: readonly StateResource[]): Map<string, StateResource> {
    return new Map(resources.filter((r) => r.type.startsWith('pulumi:providers:')).map((r) => [r.urn, r]));
}

/** The options the engine sends for a state resource; undefined members are left out. */
export function resourceOptionsOf(r: StateResource): ResourceOptions | undefined {
    const options: ResourceOptions = {};
    if (r.protect) options.protect = true;
    if (r.ignoreChanges?.length) options.ignoreChanges = r.ignoreChanges;
    if (r.additionalSecretOutputs?.length) options.additionalSecretOutputs = r.additionalSecretOutputs;
    if (r.aliases?.length) options.aliases = r.aliases;
    if (r.customTimeouts && Object.keys(r.customTimeouts).length) options.customTimeouts = r.customTimeouts;
    return Object.keys(options).length ? options : undefined;
}

/**
 * The provider resource of `r`, looked up from its reference; undefined when it has none or the
 * provider is not in the state (the engine sends none then either). `values` maps the inputs
 * (reveal secrets for a pack, redact them for the store).
 */
export function providerResourceOf(r: StateResource, providers: Map<string, StateResource>, values: <T>(v: T) => T): ProviderResource | undefined {
    const reference = r.provider ? parseProviderReference(r.provider) : undefined;
    const provider = reference ? providers.get(reference.urn) : undefined;
    if (!provider) return undefined;
    return { urn: provider.urn, type: provider.type, name: parseUrn(provider.urn)?.name ?? provider.urn, properties: values(provider.inputs ?? {}) };
}

/**
 * One state resource as the runner takes it, with `properties` the inputs (resource policies,
 * remediations) or the outputs (stack policies), as the engine sends them.
 */
export function runnerResourceOf(
    r: StateResource,
    side: 'inputs' | 'outputs',
    providers: Map<string, StateResource>,
    values: <T>(v: T) => T,
): RunnerResource {
    const resource: RunnerResource = { urn: r.urn, type: r.type, name: parseUrn(r.urn)?.name ?? r.urn, properties: values(r[side] ?? {}) };
    if (r.parent) resource.parent = r.parent;
    if (r.dependencies?.length) resource.dependencies = r.dependencies;
    if (r.propertyDependencies && Object.keys(r.propertyDependencies).length) resource.propertyDependencies = r.propertyDependencies;
    const options = resourceOptionsOf(r);
    if (options) resource.options = options;
    const provider = providerResourceOf(r, providers, values);
    if (provider) resource.provider = provider;
    return resource;
}

/**
 * The stored form of a state's resources, with every secret replaced by "[secret]". `properties`
 * are the outputs (the deployed state, what an audit sees), or the inputs when the state has no
 * outputs. Resources pending deletion are left out: they are gone from the stack's point of view.
 */
export function stackResources(account: string, state: StateDocument & { project: string; stack: string }): StackResource[] {
    const out: StackResource[] = [];
    const providers = providersByUrn(state.resources);
    for (const r of state.resources) {
        if (r.delete) continue;
        const inputs = r.inputs ? redactSecrets(r.inputs) : undefined;
        const outputs = r.outputs ? redactSecrets(r.outputs) : undefined;
        const properties = outputs && Object.keys(outputs).length ? outputs : (inputs ?? {});
        const resource: StackResource = {
            account,
            urn: r.urn,
            type: r.type,
            name: parseUrn(r.urn)?.name ?? r.urn,
            properties,
            hash: '',
            project: state.project,
            stack: state.stack,
        };
        if (r.id) resource.id = r.id;
        if (r.provider) resource.provider = r.provider;
        if (r.parent) resource.parent = r.parent;
        if (r.dependencies?.length) resource.dependencies = r.dependencies;
        const position = parseSourcePosition(r.sourcePosition);
        if (position) resource.sourcePosition = position;
        if (inputs) resource.inputs = inputs;
        if (outputs) resource.outputs = outputs;
        const options = resourceOptionsOf(r);
        if (options) resource.options = options;
        const provider = providerResourceOf(r, providers, redactSecrets);
        if (provider) resource.providerResource = provider;
        if (r.propertyDependencies && Object.keys(r.propertyDependencies).length) resource.propertyDependencies = r.propertyDependencies;
        // everything evaluation sends is in the hash, so a change of any of it re-runs the policies
        resource.hash = resourceHash(r.type, { properties, inputs, outputs, options, provider, propertyDependencies: resource.propertyDependencies });
        out.push(resource);
    }
    return out;
}
