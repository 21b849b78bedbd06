/** Stack state resources as stored Resources: Pulumi's own URNs, types, inputs and outputs. */
import type { Resource } from '../../model';
import { resourceHash } from '../resourceIdentity';
import { parseSourcePosition, parseUrn, type StackState } from './stackState';

/** A Resource from a stack keeps its inputs and outputs beside `properties`. */
export interface StackResource extends Resource {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/**
 * `properties` are the outputs (the deployed state, what an audit sees), or the inputs
 * when the state has no outputs. Resources pending deletion are left out: they are gone
 * from the stack's point of view.
 */
export function stackResources(account: string, state: StackState): StackResource[] {
    const out: StackResource[] = [];
    for (const r of state.resources) {
        if (r.delete) continue;
        const parsed = parseUrn(r.urn);
        const outputs = r.outputs && Object.keys(r.outputs).length ? r.outputs : undefined;
        const properties = outputs ?? r.inputs ?? {};
        const resource: StackResource = {
            account,
            urn: r.urn,
            type: r.type,
            name: parsed?.name ?? r.urn,
            properties,
            hash: resourceHash(r.type, properties),
            project: state.project,
            stack: state.stack,
        };
        if (r.id) resource.id = r.id;
        if (r.provider) resource.provider = r.provider;
        if (r.parent) resource.parent = r.parent;
        if (r.dependencies?.length) resource.dependencies = r.dependencies;
        const position = parseSourcePosition(r.sourcePosition);
        if (position) resource.sourcePosition = position;
        if (r.inputs) resource.inputs = r.inputs;
        if (outputs) resource.outputs = outputs;
        out.push(resource);
    }
    return out;
}
