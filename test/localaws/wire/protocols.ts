// Renders handler results and errors in each AWS wire protocol, the way the services do.
import { NormalizedSchema, deref } from '@smithy/core/schema';
import { escapeXml, writeXmlValue } from './xmlWriter';
import { toJsonValue } from './jsonWriter';

/** The wire protocols the local AWS speaks. */
export type WireProtocol = 'awsQuery' | 'ec2Query' | 'restXml' | 'awsJson1_0' | 'awsJson1_1' | 'restJson';

/** A fully rendered HTTP response. */
export interface WireResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

/** How one service is spoken; `sdk` is the @aws-sdk/client-* module whose schemas describe its shapes. */
export interface ProtocolSpec {
    protocol: WireProtocol;
    xmlNamespace?: string;
    /** JSON services: the X-Amz-Target prefix before `.Operation`. */
    jsonTarget?: string;
    /** The Smithy namespace for `__type` in JSON errors (`com.amazonaws.sqs`). */
    smithyNamespace?: string;
    /** REST-XML services other than S3 (CloudFront) wrap errors in `<ErrorResponse>` as Query services do. */
    wrappedXmlErrors?: boolean;
    /** SQS: JSON protocol that also sends the old Query error code in `x-amzn-query-error`. */
    queryCompatible?: boolean;
    sdk: Record<string, unknown>;
}

/** An error as a service returns it: its code, HTTP status and message. */
export class AwsError extends Error {
    constructor(
        readonly code: string,
        readonly status: number,
        message: string,
        readonly extra: { fault?: 'Sender' | 'Receiver'; headers?: Record<string, string>; fields?: Record<string, string> } = {},
    ) {
        super(message);
    }
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The output schema of `operation`, read from the SDK's `<Operation>$` operation schema. */
export function outputSchemaOf(spec: ProtocolSpec, operation: string): NormalizedSchema {
    const op = spec.sdk[`${operation}$`] as unknown[] | undefined;
    if (!op) throw new Error(`localaws: the installed SDK has no operation schema for ${operation}`);
    return NormalizedSchema.of(deref(op[5] as never) as never);
}

/** Renders a successful result. `output` is SDK-shaped (what the client's `send` resolves to). */
export function renderOutput(spec: ProtocolSpec, operation: string, output: Record<string, unknown>, requestId: string): WireResponse {
    const schema = outputSchemaOf(spec, operation);
    switch (spec.protocol) {
        case 'awsQuery': {
            const out: string[] = [`${XML_DECLARATION}<${operation}Response xmlns="${spec.xmlNamespace}">`];
            writeXmlValue(out, schema, output, `${operation}Result`);
            out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
            return xml(200, out.join(''), { 'x-amzn-RequestId': requestId });
        }
        case 'ec2Query': {
            const out: string[] = [];
            writeXmlValue(out, schema, output, `${operation}Response`, ` xmlns="${spec.xmlNamespace}"`);
            out.splice(1, 0, `<requestId>${requestId}</requestId>`);
            return xml(200, XML_DECLARATION + out.join(''), {});
        }
        case 'restXml':
            return renderRestXml(spec, schema, operation, output, requestId);
        case 'awsJson1_0':
        case 'awsJson1_1':
            return {
                status: 200,
                headers: { 'content-type': `application/x-amz-json-${spec.protocol === 'awsJson1_0' ? '1.0' : '1.1'}`, 'x-amzn-RequestId': requestId },
                body: JSON.stringify(toJsonValue(schema, output)),
            };
        case 'restJson': {
            const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-RequestId': requestId };
            const body: Record<string, unknown> = {};
            for (const [name, member] of schema.structIterator()) {
                const value = output[name];
                if (value === undefined) continue;
                const header = member.getMergedTraits().httpHeader as string | undefined;
                if (header) headers[header] = String(value);
                else body[(member.getMergedTraits().jsonName as string | undefined) ?? name] = toJsonValue(member, value, true);
            }
            return { status: 200, headers, body: JSON.stringify(body) };
        }
    }
}

function renderRestXml(spec: ProtocolSpec, schema: NormalizedSchema, operation: string, output: Record<string, unknown>, requestId: string): WireResponse {
    const headers: Record<string, string> = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
    const ns = ` xmlns="${spec.xmlNamespace}"`;
    if (operation === 'GetBucketLocation') {
        // S3 writes the location as the root element's text; empty means us-east-1.
        const location = (output.LocationConstraint as string | undefined) ?? '';
        return xml(200, `${XML_DECLARATION}<LocationConstraint${ns}>${escapeXml(location)}</LocationConstraint>`, headers);
    }
    const bodyMembers: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator()) {
        const value = output[name];
        if (value === undefined) continue;
        const traits = member.getMergedTraits();
        if (traits.httpHeader) {
            headers[traits.httpHeader as string] = String(value);
        } else if (traits.httpPayload) {
            if (member.isStringSchema()) return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: String(value) };
            const out: string[] = [XML_DECLARATION];
            writeXmlValue(out, member, value, (traits.xmlName as string | undefined) ?? member.getName() ?? name, ns);
            return xml(200, out.join(''), headers);
        } else {
            bodyMembers[name] = value;
        }
    }
    const out: string[] = [XML_DECLARATION];
    writeXmlValue(out, schema, bodyMembers, (schema.getMergedTraits().xmlName as string | undefined) ?? schema.getName() ?? operation, ns);
    return xml(200, out.join(''), headers);
}

/** Renders an error as `spec`'s service would. */
export function renderError(spec: ProtocolSpec, error: AwsError, requestId: string): WireResponse {
    const fault = error.extra.fault ?? (error.status >= 500 ? 'Receiver' : 'Sender');
    const extraHeaders = error.extra.headers ?? {};
    const message = escapeXml(error.message);
    switch (spec.wrappedXmlErrors ? 'awsQuery' : spec.protocol) {
        case 'awsQuery':
            return xml(
                error.status,
                `${XML_DECLARATION}<ErrorResponse xmlns="${spec.xmlNamespace}"><Error><Type>${fault}</Type><Code>${escapeXml(error.code)}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                { 'x-amzn-RequestId': requestId, ...extraHeaders },
            );
        case 'ec2Query':
            return xml(
                error.status,
                `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
                extraHeaders,
            );
        case 'restXml': {
            const fields = Object.entries(error.extra.fields ?? {})
                .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
                .join('');
            return xml(
                error.status,
                `${XML_DECLARATION}<Error><Code>${escapeXml(error.code)}</Code><Message>${message}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`,
                { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId, ...extraHeaders },
            );
        }
        case 'awsJson1_0':
        case 'awsJson1_1': {
            const headers: Record<string, string> = {
                'content-type': `application/x-amz-json-${spec.protocol === 'awsJson1_0' ? '1.0' : '1.1'}`,
                'x-amzn-RequestId': requestId,
                ...(spec.queryCompatible ? { 'x-amzn-query-error': `${error.code};${fault}` } : {}),
                ...extraHeaders,
            };
            const type = spec.smithyNamespace ? `${spec.smithyNamespace}#${error.code}` : error.code;
            return { status: error.status, headers, body: JSON.stringify({ __type: type, message: error.message }) };
        }
        case 'restJson':
            return {
                status: error.status,
                headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': `${error.code}:`, ...extraHeaders },
                body: JSON.stringify({ Type: fault === 'Sender' ? 'User' : 'Service', Message: error.message, message: error.message }),
            };
    }
}

function xml(status: number, body: string, headers: Record<string, string>): WireResponse {
    return { status, headers: { 'content-type': 'text/xml', ...headers }, body };
}
