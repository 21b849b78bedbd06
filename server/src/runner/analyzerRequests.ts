/**
 * Builds Analyzer protocol requests (pulumirpc AnalyzeRequest, AnalyzerResource,
 * ConfigureAnalyzerRequest) for a resource or a config, from whichever copy of the generated
 * classes the caller passes: the pack's own (in the host) or the client's (gRPC baseline).
 * One builder for both paths, so both send the pack the same request, field for field as
 * pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go` fills it.
 */
import { deserializeSecrets } from '../pulumiSecretValues';
import type { ProviderResource } from '../shared/model';
import type { ResolvedPolicyConfig, RunnerResource } from './runnerTypes';
import { enforcementLevelToProto } from './analyzerProto';

/** The generated message classes a request is built from. */
export interface RequestProtos {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [name: string]: any;
}

/** Which RPC a resource's properties are sent to: the engine strips internal keys for all but Remediate. */
export type PropertyPurpose = 'analyze' | 'remediate';

/** A resource's logical name: explicit, else the URN's last `::` segment. */
export function resourceName(resource: RunnerResource): string {
    if (resource.name) return resource.name;
    const at = resource.urn.lastIndexOf('::');
    return at >= 0 ? resource.urn.slice(at + 2) : resource.urn;
}


/**
 * The properties the engine marshals for an RPC. Analyze, AnalyzeStack and a provider's
 * properties go through MarshalProperties with SkipInternalKeys, which drops keys starting
 * with `__` at the top level only (sdk/go/common/resource/plugin/rpc.go: "Only skip top level
 * internal keys"); Remediate keeps them. Secrets end in the wire form: @pulumi/policy reads only
 * a secret's `value` (without it deserializeProperty throws "unexpected undefined property value
 * during deserialization", failing every stack policy), so a checkpoint's `{sig, plaintext}` is
 * read and a `{sig, ciphertext}` the runner cannot decrypt is `[secret]`, as `pulumi policy
 * analyze --file` shows it (deserializeSecrets). Returns the input itself when nothing changes.
 */
export function marshalledProperties(properties: Record<string, unknown> | undefined, purpose: PropertyPurpose): Record<string, unknown> {
    const props = deserializeSecrets(properties ?? {}, () => undefined);
    if (purpose === 'remediate') return props;
    let out: Record<string, unknown> | undefined;
    for (const key in props) {
        if (key.startsWith('__')) {
            if (!out) out = { ...props };
            delete out[key];
        }
    }
    return out ?? props;
}

/**
 * pulumirpc.AnalyzerResourceOptions as `marshalResourceOptions` fills it: every field, absent
 * ones at the proto's defaults, CustomTimeouts always present, deleteBeforeReplaceDefined
 * telling "false" from "not set". The SDK refuses requests without options ("A more recent
 * version of the Pulumi CLI is required").
 */
export function buildResourceOptions(protos: RequestProtos, resource: RunnerResource): unknown {
    const opts = resource.options ?? {};
    const options = new protos.AnalyzerResourceOptions();
    options.setProtect(opts.protect ?? false);
    options.setIgnorechangesList(opts.ignoreChanges ?? []);
    options.setDeletebeforereplace(opts.deleteBeforeReplace ?? false);
    options.setDeletebeforereplacedefined(opts.deleteBeforeReplace !== undefined);
    options.setAdditionalsecretoutputsList(opts.additionalSecretOutputs ?? []);
    options.setAliasesList(opts.aliases ?? []);
    const timeouts = new protos.AnalyzerResourceOptions.CustomTimeouts();
    const t = opts.customTimeouts ?? {};
    timeouts.setCreate(t.create ?? 0);
    timeouts.setUpdate(t.update ?? 0);
    timeouts.setDelete(t.delete ?? 0);
    timeouts.setRead(t.read ?? 0);
    options.setCustomtimeouts(timeouts);
    options.setParent(resource.parent ?? '');
    return options;
}

/** pulumirpc.AnalyzerProviderResource as `marshalProvider` fills it (internal keys skipped), or undefined. */
export function buildProviderResource(protos: RequestProtos, provider: ProviderResource | undefined): unknown {
    if (!provider) return undefined;
    const p = new protos.AnalyzerProviderResource();
    p.setUrn(provider.urn);
    p.setType(provider.type);
    p.setName(provider.name);
    p.setProperties(protos.Struct.fromJavaScript(marshalledProperties(provider.properties, 'analyze')));
    return p;
}

/** `analyze` (or, with purpose 'remediate', `remediate`) request for one resource: its inputs, as the engine sends before an update. */
export function buildAnalyzeRequest(protos: RequestProtos, resource: RunnerResource, purpose: PropertyPurpose = 'analyze'): unknown {
    const req = new protos.AnalyzeRequest();
    req.setType(resource.type);
    req.setUrn(resource.urn);
    req.setName(resourceName(resource));
    req.setProperties(protos.Struct.fromJavaScript(marshalledProperties(resource.properties, purpose)));
    req.setOptions(buildResourceOptions(protos, resource));
    const provider = buildProviderResource(protos, resource.provider);
    if (provider) req.setProvider(provider);
    return req;
}

/** One resource of an `analyzeStack` request. */
export function buildAnalyzerResource(protos: RequestProtos, resource: RunnerResource): unknown {
    const r = new protos.AnalyzerResource();
    r.setType(resource.type);
    r.setUrn(resource.urn);
    r.setName(resourceName(resource));
    r.setProperties(protos.Struct.fromJavaScript(marshalledProperties(resource.properties, 'analyze')));
    r.setOptions(buildResourceOptions(protos, resource));
    const provider = buildProviderResource(protos, resource.provider);
    if (provider) r.setProvider(provider);
    if (resource.parent) r.setParent(resource.parent);
    if (resource.dependencies?.length) r.setDependenciesList(resource.dependencies);
    if (resource.propertyDependencies) {
        const map = r.getPropertydependenciesMap();
        for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
            // The engine skips properties that have no dependencies.
            if (!urns.length) continue;
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
