/**
 * The `analyze` request the host hands the SDK's handler for one resource, without
 * building protobuf messages. The SDK's handler reads a request only through its getters
 * (type, urn, name, properties, options, provider); these return what the same getters
 * of a pulumirpc.AnalyzeRequest would after the trip over gRPC:
 * - `getProperties().toJavaScript()` is the value google-protobuf's Struct gives back for
 *   the resource's properties (see {@link structRoundTrip}), computed once per resource,
 * - `getOptions()` is a real, empty AnalyzerResourceOptions (plus parent), as the baseline sends.
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

/** The getters of pulumirpc.AnalyzeRequest that @pulumi/policy's analyze handler calls. */
export class InProcessAnalyzeRequest {
    private readonly properties: { toJavaScript(): unknown };

    constructor(
        private readonly type: string,
        private readonly urn: string,
        private readonly name: string,
        properties: Record<string, unknown>,
        private readonly options: unknown,
    ) {
        const value = structRoundTrip(properties ?? {});
        this.properties = { toJavaScript: () => value };
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
    getProvider(): undefined {
        return undefined;
    }
}
