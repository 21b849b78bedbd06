/**
 * Every AWS type the Classic discoverers do not read, through AWS Cloud Control, as
 * `@pulumi/aws-native` resources (`--all-types`). The types come from the CloudFormation
 * registry of the region (ListTypes: public AWS resource types that can be provisioned);
 * each is listed with ListResources and, where the list gave only the identifier,
 * read with GetResource. A type Cloud Control cannot list (no list handler, or a list
 * that needs a parent's property) is skipped; any other error fails that type only.
 */
import { GetResourceCommand, paginateListResources, type ResourceDescription } from '@aws-sdk/client-cloudcontrol';
import { paginateListTypes, type ProvisioningType } from '@aws-sdk/client-cloudformation';
import type { Resource, ServiceError } from '../../shared/model';
import { childName } from '../../shared/names';
import { ScanCancelledError, type AwsClients } from './awsClients';
import { CLOUD_CONTROL_SERVICE } from './awsServiceTypes';
import { coveredByClassic } from './cloudControlClassicTypes';
import { awsNativeToken, cfnToSdk } from './cloudControlNaming';
import { mapAll, pageLimit, type DiscoveredResource, type DiscoveryContext, type ServiceDiscoverer } from './discoveryTypes';
import { errorCode } from './awsShapeConversions';

/** Every token Cloud Control produces starts so. */
export const AWS_NATIVE_PREFIX = 'aws-native:';

/** CloudFormation services whose resources are global: listed once (home region), stored in the parent account like IAM. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(['IAM', 'Route53', 'CloudFront', 'Organizations', 'GlobalAccelerator', 'WAF']);

/** Which types a task lists: a region's own, or the global ones. */
export type CloudControlScope = 'regional' | 'global';

/** One type that was not listed: its CloudFormation name, aws-native token and why. */
export interface TypeFault {
    cfnType: string;
    type: string;
    error: unknown;
}

export interface CloudControlResult {
    resources: DiscoveredResource[];
    /** Types that failed (AccessDenied, throttling beyond the retries, ...): their stored resources are kept. */
    failed: TypeFault[];
    /** Types Cloud Control cannot list on its own: not failures, nothing is stored for them. */
    skipped: TypeFault[];
}

/** Whether `cfnType` belongs to a global service (listed once, stored in the parent account). */
export function isGlobalType(cfnType: string): boolean {
    return GLOBAL_SERVICES.has(cfnType.split('::')[1]);
}

const AWS_TYPE_NAME = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;

/** What ListTypes asks for: AWS's own public resource types that CloudFormation (and so Cloud Control) can create. */
const PROVISIONING_TYPES: readonly ProvisioningType[] = ['FULLY_MUTABLE', 'IMMUTABLE'];

/** The registry's AWS resource types of `ctx.region` that Cloud Control should list for `scope`. */
export async function registryTypes(ctx: DiscoveryContext, scope: CloudControlScope): Promise<string[]> {
    const client = ctx.clients.get('cloudformation', ctx.region);
    const MaxResults = pageLimit(ctx, 1, 100);
    const names = new Set<string>();
    // ListTypes filters on one provisioning type per listing
    await Promise.all(
        PROVISIONING_TYPES.map(async (ProvisioningType) => {
            const pages = paginateListTypes({ client, pageSize: MaxResults }, { Visibility: 'PUBLIC', Type: 'RESOURCE', ProvisioningType, Filters: { Category: 'AWS_TYPES' }, MaxResults });
            for await (const page of pages) for (const summary of page.TypeSummaries ?? []) if (summary.TypeName) names.add(summary.TypeName);
        }),
    );
    // AWS's own types only (aws-native models no third-party type), each once: the Classic ones are read by Classic
    return [...names].filter((t) => AWS_TYPE_NAME.test(t) && !coveredByClassic(t) && isGlobalType(t) === (scope === 'global')).sort();
}

/** Cloud Control's answers meaning "this type cannot be listed on its own", not "listing failed". */
export function isUnlistable(error: unknown): boolean {
    const code = errorCode(error);
    if (code === 'UnsupportedActionException' || code === 'TypeNotFoundException') return true;
    // a list handler that needs its parent's id: "Missing or invalid ResourceModel property ... Required property: [ApiId]"
    const message = error instanceof Error ? error.message : '';
    return code === 'InvalidRequestException' && /required propert|ResourceModel property/i.test(message);
}

function parseModel(description: ResourceDescription): Record<string, unknown> | undefined {
    if (!description.Properties) return undefined;
    try {
        const model: unknown = JSON.parse(description.Properties);
        return model !== null && typeof model === 'object' && !Array.isArray(model) ? (model as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/** Whether a listed model holds nothing but its identifier (many list handlers return only that): then GetResource reads the rest. */
export function onlyIdentifier(model: Record<string, unknown> | undefined, identifier: string | undefined): boolean {
    if (!model) return true;
    const parts = new Set((identifier ?? '').split('|'));
    return Object.values(model).every((v) => typeof v === 'string' && parts.has(v));
}

function toResource(cfnType: string, description: ResourceDescription, model: Record<string, unknown>, region: string | undefined): DiscoveredResource {
    const identifier = description.Identifier ?? '';
    return { type: awsNativeToken(cfnType), key: identifier, name: identifier, id: identifier, ...(region ? { region } : {}), properties: cfnToSdk(model) as Record<string, unknown> };
}

/** Every resource of one type: its pages one after the other, then GetResource for models the list left bare. */
async function listType(clients: AwsClients, region: string, cfnType: string, pageSize: number, storedRegion: string | undefined): Promise<DiscoveredResource[]> {
    const client = clients.get('cloudcontrol', region);
    const listed: ResourceDescription[] = [];
    for await (const page of paginateListResources({ client, pageSize }, { TypeName: cfnType, MaxResults: pageSize })) for (const d of page.ResourceDescriptions ?? []) listed.push(d);
    const found = await mapAll(listed, async (description) => {
        let model = parseModel(description);
        if (onlyIdentifier(model, description.Identifier)) {
            try {
                const read = await client.send(new GetResourceCommand({ TypeName: cfnType, Identifier: description.Identifier }));
                model = parseModel(read.ResourceDescription ?? {}) ?? model;
            } catch (error) {
                // deleted between the list and the read: gone, not a failure of the type
                if (errorCode(error) === 'ResourceNotFoundException') return undefined;
                throw error;
            }
        }
        return toResource(cfnType, description, model ?? {}, storedRegion);
    });
    return found.filter((r): r is DiscoveredResource => r !== undefined);
}

/**
 * Lists every type of `scope` in `ctx.region`. Throws only when the registry cannot be read
 * (the whole task failed); a type's own failure lands in `failed`.
 */
export async function discoverCloudControl(ctx: DiscoveryContext, scope: CloudControlScope): Promise<CloudControlResult> {
    const types = await registryTypes(ctx, scope);
    const pageSize = pageLimit(ctx, 1, 100);
    const result: CloudControlResult = { resources: [], failed: [], skipped: [] };
    await mapAll(types, async (cfnType) => {
        try {
            const found = await listType(ctx.clients, ctx.region, cfnType, pageSize, scope === 'regional' ? ctx.region : undefined);
            for (const resource of found) result.resources.push(resource);
        } catch (error) {
            if (error instanceof ScanCancelledError) throw error;
            (isUnlistable(error) ? result.skipped : result.failed).push({ cfnType, type: awsNativeToken(cfnType), error });
        }
    });
    result.failed.sort((a, b) => a.cfnType.localeCompare(b.cfnType));
    result.skipped.sort((a, b) => a.cfnType.localeCompare(b.cfnType));
    return result;
}

/**
 * The two discoverers a scan with `--all-types` adds: the regional types of each region, and
 * the global types once. Each hands its per-type faults to `onFaults` (with the region its
 * errors carry, none for the global types) and returns its resources.
 */
export function cloudControlDiscoverers(onFaults: (region: string | undefined, result: CloudControlResult) => void): ServiceDiscoverer[] {
    const discoverer = (scope: CloudControlScope): ServiceDiscoverer => ({
        service: CLOUD_CONTROL_SERVICE,
        scope: scope === 'regional' ? 'regional' : 'global',
        // which aws-native types a failed task keeps is decided by keptByCloudControlError
        types: [],
        async discover(ctx) {
            const result = await discoverCloudControl(ctx, scope);
            onFaults(scope === 'regional' ? ctx.region : undefined, result);
            return result.resources;
        },
    });
    return [discoverer('regional'), discoverer('global')];
}

/**
 * Whether a Cloud Control error keeps `resource` (stored in `child` of account `account`) as
 * it was: a type's error keeps that type, a failed task keeps every aws-native resource of its
 * scope (its region's child, or the parent for the global types).
 */
export function keptByCloudControlError(error: ServiceError, account: string, child: string, resource: Resource): boolean {
    if (error.service !== CLOUD_CONTROL_SERVICE || !resource.type.startsWith(AWS_NATIVE_PREFIX)) return false;
    const inScope = error.region === undefined ? child === account : child === childName(account, error.region);
    return inScope && (error.type === undefined || error.type === resource.type);
}
