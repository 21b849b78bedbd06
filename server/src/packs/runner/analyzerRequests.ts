/**
 * Builds Analyzer protocol requests (pulumirpc AnalyzeRequest, AnalyzerResource,
 * ConfigureAnalyzerRequest) for a resource or a config, from whichever copy of the generated
 * classes the caller passes: the pack's own (in the host) or the client's (gRPC baseline).
 * One builder for both paths, so both send the pack the same request.
 */
import type { ResolvedPolicyConfig, RunnerResource } from './runnerTypes';
import { enforcementLevelToProto } from './analyzerProto';

/** The generated message classes a request is built from. */
export interface RequestProtos {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [name: string]: any;
}

/** A resource's logical name: explicit, else the URN's last `::` segment. */
export function resourceName(resource: RunnerResource): string {
    if (resource.name) return resource.name;
    const at = resource.urn.lastIndexOf('::');
    return at >= 0 ? resource.urn.slice(at + 2) : resource.urn;
}

function resourceOptions(protos: RequestProtos, resource: RunnerResource): unknown {
    // The SDK refuses requests without options ("A more recent version of the Pulumi CLI is required").
    const options = new protos.AnalyzerResourceOptions();
    if (resource.parent) options.setParent(resource.parent);
    return options;
}

/** `analyze` request for one resource (its inputs, as the engine sends before an update). */
export function buildAnalyzeRequest(protos: RequestProtos, resource: RunnerResource): unknown {
    const req = new protos.AnalyzeRequest();
    req.setType(resource.type);
    req.setUrn(resource.urn);
    req.setName(resourceName(resource));
    req.setProperties(protos.Struct.fromJavaScript(resource.properties ?? {}));
    req.setOptions(resourceOptions(protos, resource));
    return req;
}

/** One resource of an `analyzeStack` request. */
export function buildAnalyzerResource(protos: RequestProtos, resource: RunnerResource): unknown {
    const r = new protos.AnalyzerResource();
    r.setType(resource.type);
    r.setUrn(resource.urn);
    r.setName(resourceName(resource));
    r.setProperties(protos.Struct.fromJavaScript(resource.properties ?? {}));
    r.setOptions(resourceOptions(protos, resource));
    if (resource.parent) r.setParent(resource.parent);
    if (resource.dependencies?.length) r.setDependenciesList(resource.dependencies);
    if (resource.propertyDependencies) {
        const map = r.getPropertydependenciesMap();
        for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
            const deps = new protos.AnalyzerPropertyDependencies();
            deps.setUrnsList(urns);
            map.set(key, deps);
        }
    }
    return r;
}

export function buildAnalyzeStackRequest(protos: RequestProtos, resources: RunnerResource[]): unknown {
    const req = new protos.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => buildAnalyzerResource(protos, r)));
    return req;
}

/** `configure` request: every policy's level and properties (properties always set, as the SDK reads them unconditionally). */
export function buildConfigureRequest(protos: RequestProtos, config: Record<string, ResolvedPolicyConfig>): unknown {
    const req = new protos.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(config)) {
        const pc = new protos.PolicyConfig();
        pc.setEnforcementlevel(enforcementLevelToProto(entry.enforcementLevel ?? 'advisory'));
        pc.setProperties(protos.Struct.fromJavaScript(entry.properties ?? {}));
        map.set(name, pc);
    }
    return req;
}
