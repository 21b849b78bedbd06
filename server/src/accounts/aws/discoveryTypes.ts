/** The shapes shared by the AWS discoverers and the scan that runs them. */
import type { AwsClients } from './awsClients';
import type { AwsServiceTypes } from './awsServiceTypes';

/** One cloud resource as a mapper produces it, before it gets its account, URN and hash. */
export interface DiscoveredResource {
    /** Pulumi type token, e.g. `aws:s3/bucket:Bucket`. */
    type: string;
    /** Unique within the type and region: the URN's last part. */
    key: string;
    /** What people call it (bucket name, Name tag, role name, ...). */
    name: string;
    /** The provider's id, as `pulumi import` would take it. */
    id: string;
    /** Undefined for global services (IAM, CloudFront). */
    region?: string;
    /** Named as the @pulumi/aws resource names its properties. */
    properties: Record<string, unknown>;
}

export interface DiscoveryContext {
    clients: AwsClients;
    /** The region this task scans (for S3: the region its ListBuckets call is signed for). */
    region: string;
    /** Every region of the account: S3 keeps only buckets in these. */
    regions: readonly string[];
    /** The AWS account id recorded when the account was added, for ARNs the APIs leave out. */
    accountId?: string;
    /** Page size asked of list calls, clamped to what each API accepts (default: the API's maximum). */
    pageSize?: number;
    /**
     * Hands resources over before the task ends (a large listing, page by page), so the task
     * need not hold them until then; what `discover` returns is handed over at its end. A
     * failed task's resources are dropped either way. Without it, `discover` returns everything.
     */
    emit?: (resources: readonly DiscoveredResource[]) => void;
}

/** What one service contributes to a scan: its service, scope and types (AWS_SERVICES) and how to read them. */
export interface ServiceDiscoverer extends AwsServiceTypes {
    discover(ctx: DiscoveryContext): Promise<DiscoveredResource[]>;
}

/**
 * Hands `resources` over now when the scan takes them early (`ctx.emit`) and gives back none,
 * else gives them back for the discoverer to return: for lists large enough that holding
 * them to the task's end would matter.
 */
export function handOver(ctx: DiscoveryContext, resources: DiscoveredResource[]): DiscoveredResource[] {
    if (!ctx.emit) return resources;
    ctx.emit(resources);
    return [];
}

/** `pageSize` clamped to [min, max], or max when unset. */
export function pageLimit(ctx: DiscoveryContext, min: number, max: number): number {
    return ctx.pageSize === undefined ? max : Math.min(max, Math.max(min, ctx.pageSize));
}

/**
 * Items of one list whose calls are under way at once. The clients' limiter bounds the HTTP
 * calls in flight, but a call waiting for a slot already holds its signed request and its
 * middleware chain: started all at once, the tens of thousands of per-item calls of a large
 * account held most of the scanning process's heap (issue 14). Many lists run side by side,
 * so this many per list still keeps every slot of the limiter busy.
 */
export const ITEMS_IN_FLIGHT = 16;

/** Runs `fn` over every item, ITEMS_IN_FLIGHT at a time; the results in the items' order. Rejects with the first failure (no item is started after it). */
export async function mapAll<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                results[i] = await fn(items[i]!);
            } catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(ITEMS_IN_FLIGHT, items.length) }, worker));
    return results;
}
