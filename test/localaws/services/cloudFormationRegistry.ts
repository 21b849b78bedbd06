// The CloudFormation registry (AWS Query, signed as `cloudformation`): ListTypes over the
// registry of REGISTRY_TYPES plus every type a region's `cloudcontrol` fixture section names.
// Filters as AWS documents them: Visibility, Type, ProvisioningType, DeprecatedStatus,
// Filters.Category / Filters.TypeNamePrefix; MaxResults 1-100, NextToken.
import * as cloudformationSdk from '@aws-sdk/client-cloudformation';
import type { FixtureAccount } from '../fixture';
import { pageOf, pageSize } from '../pagination';
import { AwsError } from '../wire/protocols';
import { REGISTRY_TYPES } from './registryTypes';
import { queryErrors } from './queryServices';
import type { OperationContext, ServiceDefinition } from './types';

// Provisioning types the local AWS gives a few types so both listings (and the exclusion of
// NON_PROVISIONABLE) are exercised; every other type is FULLY_MUTABLE.
const PROVISIONING: Readonly<Record<string, 'IMMUTABLE' | 'NON_PROVISIONABLE'>> = {
    'AWS::EC2::VPCCidrBlock': 'IMMUTABLE',
    'AWS::IAM::OIDCProvider': 'IMMUTABLE',
    'AWS::ApiGateway::UsagePlanKey': 'IMMUTABLE',
    'AWS::CloudFormation::CustomResource': 'NON_PROVISIONABLE',
    'AWS::CloudFormation::WaitCondition': 'NON_PROVISIONABLE',
};

/** Types that are not in the registry by default but whose provisioning type the registry knows (the non-provisionable ones). */
const EXTRA_TYPES = ['AWS::CloudFormation::CustomResource', 'AWS::CloudFormation::WaitCondition'];

const registries = new WeakMap<FixtureAccount, Map<string, ReadonlySet<string>>>();

/** Every type name the registry of `region` holds for the caller's account. */
export function registryTypesOf(ctx: OperationContext, region: string): ReadonlySet<string> {
    let perRegion = registries.get(ctx.account);
    if (!perRegion) registries.set(ctx.account, (perRegion = new Map()));
    let types = perRegion.get(region);
    if (!types) {
        const cc = ctx.account.resources?.[region]?.cloudcontrol ?? {};
        const named = [...Object.keys(cc.resources ?? {}), ...(cc.identifierOnly ?? []), ...(cc.unsupported ?? []), ...Object.keys(cc.needsParent ?? {}), ...(cc.denied ?? []), ...(cc.throttled ?? [])];
        types = new Set([...REGISTRY_TYPES, ...EXTRA_TYPES, ...named].sort());
        perRegion.set(region, types);
    }
    return types;
}

const invalid = (message: string) => new AwsError('ValidationError', 400, message);

export const cloudformation: ServiceDefinition = {
    name: 'cloudformation',
    protocol: 'awsQuery',
    xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    sdk: cloudformationSdk,
    errors: queryErrors,
    handlers: {
        ListTypes: (ctx) => {
            const p = ctx.params;
            const visibility = p.get('Visibility') ?? 'PRIVATE';
            const kind = p.get('Type');
            const provisioning = p.get('ProvisioningType') ?? 'FULLY_MUTABLE';
            const category = p.get('Filters.Category');
            const prefix = p.get('Filters.TypeNamePrefix') ?? '';
            if (!['PUBLIC', 'PRIVATE'].includes(visibility)) throw invalid(`Visibility must be PUBLIC or PRIVATE, got ${visibility}`);
            if (!['FULLY_MUTABLE', 'IMMUTABLE', 'NON_PROVISIONABLE'].includes(provisioning)) throw invalid(`ProvisioningType must be FULLY_MUTABLE, IMMUTABLE or NON_PROVISIONABLE, got ${provisioning}`);
            // AWS's own types are public and never of a private registry; a category other than AWS_TYPES/ACTIVATED lists none of them
            const listsAwsTypes = visibility === 'PUBLIC' && (kind === null || kind === 'RESOURCE') && (category === null || category === 'AWS_TYPES' || category === 'ACTIVATED');
            const types = listsAwsTypes ? [...registryTypesOf(ctx, ctx.region)].filter((t) => t.startsWith(prefix) && (PROVISIONING[t] ?? 'FULLY_MUTABLE') === provisioning) : [];
            const limit = pageSize(p.get('MaxResults') ?? undefined, 'MaxResults', 1, 100, 100, invalid);
            const page = pageOf(types, p.get('NextToken') ?? undefined, limit, `registry:${ctx.region}:${visibility}:${provisioning}:${category ?? ''}:${prefix}`, invalid('Invalid NextToken'));
            return {
                TypeSummaries: page.items.map((name) => ({
                    Type: 'RESOURCE',
                    TypeName: name,
                    TypeArn: `arn:aws:cloudformation:${ctx.region}::type/resource/${name.replaceAll('::', '-')}`,
                    LastUpdated: '2024-01-15T10:00:00Z',
                    Description: `${name} (a type of the local AWS's registry)`,
                    IsActivated: true,
                })),
                NextToken: page.next,
            };
        },
    },
};
