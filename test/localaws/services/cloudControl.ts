// AWS Cloud Control API (JSON 1.0, `X-Amz-Target: CloudApiService.<Operation>`, signed as
// `cloudcontrolapi`): ListResources and GetResource over the fixture's `cloudcontrol` section.
// Properties travel as JSON text, as Cloud Control sends them.
import * as cloudcontrolSdk from '@aws-sdk/client-cloudcontrol';
import type { FixtureCloudControl, Shape } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { registryTypesOf } from './cloudFormationRegistry';
import type { OperationContext, ServiceDefinition } from './types';

const EMPTY: FixtureCloudControl = {};

/** The region's Cloud Control section of the caller's account. */
export function cloudControlOf(ctx: OperationContext, region = ctx.region): FixtureCloudControl {
    return ctx.account.resources?.[region]?.cloudcontrol ?? EMPTY;
}

function typeName(ctx: OperationContext): string {
    const name = ctx.json.TypeName;
    if (typeof name !== 'string' || !/^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$/.test(name)) {
        throw new AwsError('ValidationException', 400, `1 validation error detected: Value '${String(name)}' at 'typeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}`);
    }
    return name;
}

/** Refuses the request the way the type's handler would, if the fixture says it does. */
function checkHandler(ctx: OperationContext, cc: FixtureCloudControl, type: string, action: 'LIST' | 'READ'): void {
    if (!registryTypesOf(ctx, ctx.region).has(type)) throw new AwsError('TypeNotFoundException', 400, `The type ${type} cannot be found.`);
    if (cc.denied?.includes(type)) {
        throw new AwsError('AccessDeniedException', 400, `User: ${ctx.caller.arn} is not authorized to perform the ${action} handler of ${type}: its handler's own permissions are missing`);
    }
    if (cc.throttled?.includes(type)) throw new AwsError('ThrottlingException', 400, 'Rate exceeded');
    if (action === 'LIST' && cc.unsupported?.includes(type)) throw new AwsError('UnsupportedActionException', 400, `Resource type ${type} does not support LIST action`);
    const parent = cc.needsParent?.[type];
    if (action === 'LIST' && parent !== undefined && !(typeof ctx.json.ResourceModel === 'string' && ctx.json.ResourceModel.includes(`"${parent}"`))) {
        throw new AwsError('InvalidRequestException', 400, `Missing or invalid ResourceModel property in ${type} list handler request input. Required property: [${parent}]`);
    }
}

/** What the list handler shows of a model: all of it, or only the properties that make up its identifier. */
function listedModel(cc: FixtureCloudControl, type: string, resource: { Identifier: string; Properties: Shape }): Shape {
    if (!cc.identifierOnly?.includes(type)) return resource.Properties;
    const parts = new Set(resource.Identifier.split('|'));
    return Object.fromEntries(Object.entries(resource.Properties).filter(([, v]) => typeof v === 'string' && parts.has(v)));
}

export const cloudcontrolapi: ServiceDefinition = {
    name: 'cloudcontrolapi',
    protocol: 'awsJson1_0',
    jsonTarget: 'CloudApiService',
    smithyNamespace: 'com.amazonaws.cloudcontrolapi',
    sdk: cloudcontrolSdk,
    errors: {
        throttle: { code: 'ThrottlingException', status: 400 },
        accessDenied: { code: 'AccessDeniedException', status: 400 },
        unknownKey: { code: 'UnrecognizedClientException', status: 400 },
        badSignature: { code: 'InvalidSignatureException', status: 400 },
        expiredToken: { code: 'ExpiredTokenException', status: 400 },
        missingAuth: { code: 'MissingAuthenticationTokenException', status: 400 },
        unknownOperation: { code: 'UnknownOperationException', status: 400 },
        internal: { code: 'ServiceInternalErrorException', status: 500 },
    },
    handlers: {
        ListResources: (ctx) => {
            const type = typeName(ctx);
            const cc = cloudControlOf(ctx);
            checkHandler(ctx, cc, type, 'LIST');
            const limit = pageSize(ctx.json.MaxResults, 'MaxResults', 1, 100, 20, (m) => new AwsError('ValidationException', 400, m));
            const all = cc.resources?.[type] ?? [];
            const token = typeof ctx.json.NextToken === 'string' ? ctx.json.NextToken : undefined;
            const page = pageOf(all, token, limit, `cloudcontrol:${ctx.region}:${type}`, new AwsError('InvalidRequestException', 400, 'The NextToken is not valid for this listing.'));
            return {
                TypeName: type,
                ResourceDescriptions: page.items.map((r) => ({ Identifier: r.Identifier, Properties: JSON.stringify(listedModel(cc, type, r)) })),
                NextToken: page.next,
            };
        },
        GetResource: (ctx) => {
            const type = typeName(ctx);
            const cc = cloudControlOf(ctx);
            checkHandler(ctx, cc, type, 'READ');
            const identifier = typeof ctx.json.Identifier === 'string' ? ctx.json.Identifier : '';
            const resource = cc.goneBeforeRead?.includes(identifier) ? undefined : (cc.resources?.[type] ?? []).find((r) => r.Identifier === identifier);
            if (!resource) throw new AwsError('ResourceNotFoundException', 400, `${type} with identifier '${identifier}' was not found`);
            return { TypeName: type, ResourceDescription: { Identifier: resource.Identifier, Properties: JSON.stringify(resource.Properties) } };
        },
    },
};
