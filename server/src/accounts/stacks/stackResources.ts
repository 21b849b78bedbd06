/**
 * Stack state resources as the engine analyzes them and as the store keeps them: Pulumi's own
 * URNs, types, inputs, outputs, options, provider and property dependencies
 * (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go `stateToAnalyzerResource`).
 */
import type { ProviderResource, Resource, ResourceOptions } from '../../shared/model';
import type { RunnerResource } from '../../runner';
import { isDeepStrictEqual } from 'node:util';
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
    const collector = new StackResourceCollector(account);
    for (const r of state.resources) collector.add(r);
    return collector.finish(state.project, state.stack);
}

/**
 * stackResources, one parsed resource at a time (the stream of stateStream.ts): each is kept only
 * in its redacted form, and what resources share is held once. A provider's redacted inputs are
 * one object for the provider and every resource it serves; an input equal to the output of the
 * same name is the output's object. Provider, project and stack are resolved in `finish`, as the
 * state may name a provider after the resources that use it.
 */
export class StackResourceCollector {
    private readonly resources: StackResource[] = [];
    /** Redacted inputs of each provider by URN, pending deletion included: the last copy of a URN wins, as in providersByUrn. */
    private readonly providerInputs = new Map<string, { type: string; inputs: Record<string, unknown> }>();
    /**
     * One string per URN: a state repeats each URN wherever it is referred to (parent,
     * dependencies, propertyDependencies, provider), and the parser makes a copy at each place.
     */
    private readonly urns = new Map<string, string>();

    constructor(private readonly account: string) {}

    private urn(value: string): string {
        const known = this.urns.get(value);
        if (known !== undefined) return known;
        this.urns.set(value, value);
        return value;
    }

    private urnList(values: string[]): string[] {
        for (let i = 0; i < values.length; i++) values[i] = this.urn(values[i]);
        return values;
    }

    add(r: StateResource): void {
        const isProvider = r.type.startsWith('pulumi:providers:');
        if (r.delete) {
            if (isProvider) this.providerInputs.set(r.urn, { type: r.type, inputs: r.inputs ? redactSecrets(r.inputs) : {} });
            return;
        }
        const outputs = r.outputs ? redactSecrets(r.outputs) : undefined;
        const inputs = r.inputs ? shareEqualMembers(redactSecrets(r.inputs), outputs) : undefined;
        const properties = outputs && Object.keys(outputs).length ? outputs : (inputs ?? {});
        const resource: StackResource = { account: this.account, urn: this.urn(r.urn), type: r.type, name: parseUrn(r.urn)?.name ?? r.urn, properties, hash: '', project: '', stack: '' };
        if (r.id) resource.id = r.id;
        if (r.provider) resource.provider = r.provider;
        if (r.parent) resource.parent = this.urn(r.parent);
        if (r.dependencies?.length) resource.dependencies = this.urnList(r.dependencies);
        const position = parseSourcePosition(r.sourcePosition);
        if (position) resource.sourcePosition = position;
        if (inputs) resource.inputs = inputs;
        if (outputs) resource.outputs = outputs;
        const options = resourceOptionsOf(r);
        if (options) resource.options = options;
        if (r.propertyDependencies && Object.keys(r.propertyDependencies).length) {
            for (const urns of Object.values(r.propertyDependencies)) if (Array.isArray(urns)) this.urnList(urns);
            resource.propertyDependencies = r.propertyDependencies;
        }
        if (isProvider) this.providerInputs.set(r.urn, { type: r.type, inputs: inputs ?? {} });
        this.resources.push(resource);
    }

    /** The stored resources, with their provider resource and hash; the collector is spent. */
    finish(project: string, stack: string): StackResource[] {
        const providers = new Map<string, ProviderResource>();
        const providerOf = (urn: string): ProviderResource | undefined => {
            let provider = providers.get(urn);
            const found = provider ? undefined : this.providerInputs.get(urn);
            if (found) providers.set(urn, (provider = { urn, type: found.type, name: parseUrn(urn)?.name ?? urn, properties: found.inputs }));
            return provider;
        };
        for (const resource of this.resources) {
            resource.project = project;
            resource.stack = stack;
            const reference = resource.provider ? parseProviderReference(resource.provider) : undefined;
            const provider = reference ? providerOf(reference.urn) : undefined;
            if (provider) resource.providerResource = provider;
            const { properties, inputs, outputs, options, propertyDependencies } = resource;
            // everything evaluation sends is in the hash, so a change of any of it re-runs the policies
            resource.hash = resourceHash(resource.type, { properties, inputs, outputs, options, provider, propertyDependencies });
        }
        return this.resources;
    }
}

/**
 * `inputs` with each member that deeply equals the output of the same name replaced by that
 * output's value: inputs and outputs mostly agree, and a shared value is held once in memory
 * (the stored JSON is the same text either way).
 */
function shareEqualMembers(inputs: Record<string, unknown>, outputs: Record<string, unknown> | undefined): Record<string, unknown> {
    if (!outputs) return inputs;
    for (const [key, value] of Object.entries(inputs)) {
        const output = outputs[key];
        if (typeof value === 'object' && value !== null && output !== value && isDeepStrictEqual(value, output)) inputs[key] = output;
    }
    return inputs;
}
