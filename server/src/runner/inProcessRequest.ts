/**
 * The `analyze` request the host hands the SDK's handler for one resource, without
 * building the properties' protobuf messages. The SDK's handler reads a request only through
 * its getters (type, urn, name, properties, options, provider); these return what the same
 * getters of a pulumirpc.AnalyzeRequest would after the trip over gRPC:
 * - `getProperties().toJavaScript()` is the value google-protobuf's Struct gives back for
 *   the properties the engine marshals (see {@link structRoundTrip}), computed once per resource,
 * - `getOptions()` is the real AnalyzerResourceOptions message the baseline sends
 *   (analyzerRequests.ts `buildResourceOptions`),
 * - `getProvider()` answers the getters of pulumirpc.AnalyzerProviderResource the SDK calls.
 * Building ~50 protobuf messages per resource was the largest cost of an evaluation;
 * test/unit/runner proves the values are the ones the protobuf path produces.
 */

/**
 * `Struct.fromJavaScript(value).toJavaScript()` without the messages: the same accepted
 * types (null, number, string, boolean, arrays, objects by their enumerable keys), the same
 * error for anything else, and keys in the order google-protobuf's map yields them (sorted).
 */
export function structRoundTrip(value: unknown): unknown {
    if (value === null) return null;
    switch (typeof value) {
        case 'string':
        case 'number':
        case 'boolean':
            return value;
        case 'object': {
            if (Array.isArray(value)) return value.map(structRoundTrip);
            const keys: string[] = [];
            for (const key in value) keys.push(key);
            keys.sort();
            const out: Record<string, unknown> = {};
            for (const key of keys) out[key] = structRoundTrip((value as Record<string, unknown>)[key]);
            return out;
        }
        default:
            throw new Error('Unexpected struct type.');
    }
}

/** What `getProperties()` of a parsed message gives: a Struct whose `toJavaScript()` is the round-tripped value. */
function roundTrippedStruct(properties: Record<string, unknown>): { toJavaScript(): unknown } {
    const value = structRoundTrip(properties ?? {});
    return { toJavaScript: () => value };
}

/** The getters of pulumirpc.AnalyzerProviderResource that @pulumi/policy calls (`getProviderResource`). */
export class InProcessProviderResource {
    private readonly properties: { toJavaScript(): unknown };

    /** `properties`: as the engine marshals them (internal keys already skipped). */
    constructor(
        private readonly urn: string,
        private readonly type: string,
        private readonly name: string,
        properties: Record<string, unknown>,
    ) {
        this.properties = roundTrippedStruct(properties);
    }

    getUrn(): string {
        return this.urn;
    }
    getType(): string {
        return this.type;
    }
    getName(): string {
        return this.name;
    }
    getProperties(): { toJavaScript(): unknown } {
        return this.properties;
    }
}

/** The getters of pulumirpc.AnalyzeRequest that @pulumi/policy's analyze handler calls. */
export class InProcessAnalyzeRequest {
    private readonly properties: { toJavaScript(): unknown };

    /** `properties`: as the engine marshals them for the RPC (analyzerRequests.ts `marshalledProperties`). */
    constructor(
        private readonly type: string,
        private readonly urn: string,
        private readonly name: string,
        properties: Record<string, unknown>,
        private readonly options: unknown,
        private readonly provider?: InProcessProviderResource,
    ) {
        this.properties = roundTrippedStruct(properties);
    }

    getType(): string {
        return this.type;
    }
    getUrn(): string {
        return this.urn;
    }
    getName(): string {
        return this.name;
    }
    getProperties(): { toJavaScript(): unknown } {
        return this.properties;
    }
    getOptions(): unknown {
        return this.options;
    }
    getProvider(): InProcessProviderResource | undefined {
        return this.provider;
    }
}
