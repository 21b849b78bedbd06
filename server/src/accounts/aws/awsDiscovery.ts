/**
 * Runs every service's discovery for an AWS account: services and regions concurrently,
 * every HTTP call under one limiter. A service that fails in a region is recorded as a
 * ServiceError; the others complete.
 */
import { classicLoadBalancingDiscoverer } from './classicLoadBalancingDiscovery';
import { cloudFrontDiscoverer } from './cloudFrontDiscovery';
import { containerDiscoverers } from './containerDiscovery';
import type { Account, ServiceError } from '../../shared/model';
import { CallLimiter } from '../callLimiter';
import { AwsClients, ScanCancelledError, type AwsServiceName } from './awsClients';
import { credentialProvider } from './awsCredentials';
import { apiCertificateDiscoverers } from './apiCertificateDiscovery';
import { autoScalingDiscoverer } from './autoScalingDiscovery';
import { dataServiceDiscoverers } from './dataServicesDiscovery';
import type { DiscoveredResource, ServiceDiscoverer } from './discoveryTypes';
import { ec2Discoverer } from './ec2Discovery';
import { iamDiscoverer } from './iamDiscovery';
import { loadBalancingDiscoverer } from './loadBalancingDiscovery';
import { errorCode } from './mappingHelpers';
import { s3Discoverer } from './s3Discovery';
import { storageSearchDiscoverers } from './storageSearchDiscovery';
import { errorMessage } from '../../shared/errors';

/** Every service a scan reads, in the order progress is reported: one entry (or one list) per service, one service per discoverer. */
export const DISCOVERERS: readonly ServiceDiscoverer[] = [
    s3Discoverer,
    ec2Discoverer,
    iamDiscoverer,
    ...dataServiceDiscoverers,
    loadBalancingDiscoverer,
    autoScalingDiscoverer,
    ...storageSearchDiscoverers,
    ...apiCertificateDiscoverers,
    classicLoadBalancingDiscoverer,
    ...containerDiscoverers,
    cloudFrontDiscoverer,
];

/** Default number of HTTP calls in flight per scan. */
export const DEFAULT_SCAN_CONCURRENCY = 16;

export interface AwsDiscoveryOptions {
    /** The regions to scan (a subset of the account's). */
    regions: string[];
    /** Scan global services (IAM, CloudFront) too: only when the whole account is scanned. */
    includeGlobal: boolean;
    signal?: AbortSignal;
    /** HTTP calls in flight at most (default 16). */
    concurrency?: number;
    /** Per attempt, default 30 s. */
    requestTimeoutMs?: number;
    /** Attempts per call, default 5. */
    maxAttempts?: number;
    /** Page size asked of list calls (default: each API's maximum); tests use small pages. */
    pageSize?: number;
    onProgress?: (p: { service: string; region?: string; done: number; total: number }) => void;
    onCall?: (service: AwsServiceName, operation: string, region: string) => void;
}

export interface AwsDiscoveryResult {
    /** Every resource found; each carries its region (none for global services). */
    resources: DiscoveredResource[];
    errors: ServiceError[];
    /** Service/region pairs that ran (failed ones included). */
    tasks: number;
}

interface Task {
    discoverer: ServiceDiscoverer;
    /** The region the task reports in its errors; undefined for account-wide tasks. */
    region?: string;
    /** The region its clients are signed for. */
    callRegion: string;
}

function planTasks(options: AwsDiscoveryOptions): Task[] {
    const home = options.regions.includes('us-east-1') ? 'us-east-1' : options.regions[0];
    const tasks: Task[] = [];
    for (const discoverer of DISCOVERERS) {
        if (discoverer.scope === 'regional') for (const region of options.regions) tasks.push({ discoverer, region, callRegion: region });
        else if (discoverer.scope === 's3') tasks.push({ discoverer, region: options.regions.length === 1 ? options.regions[0] : undefined, callRegion: home });
        else if (options.includeGlobal) tasks.push({ discoverer, callRegion: home });
    }
    return tasks;
}

/** A failure as the scan status records it: no stack traces, no request ids, no secrets. */
export function serviceErrorOf(service: string, region: string | undefined, error: unknown): ServiceError {
    const code = errorCode(error);
    const message = errorMessage(error).split('\n')[0].slice(0, 500);
    return { service, ...(region ? { region } : {}), code, message: message || code };
}

export async function discoverAws(account: Account, options: AwsDiscoveryOptions): Promise<AwsDiscoveryResult> {
    const limiter = new CallLimiter(options.concurrency ?? DEFAULT_SCAN_CONCURRENCY);
    const tasks = planTasks(options);
    const { settings } = account;
    const credentials = credentialProvider({ ...settings, region: tasks[0]?.callRegion ?? 'us-east-1' });
    const clients = new AwsClients({ credentials, endpoint: settings.endpoint, limiter, signal: options.signal, requestTimeoutMs: options.requestTimeoutMs, maxAttempts: options.maxAttempts, onCall: options.onCall });
    const resources: DiscoveredResource[] = [];
    const errors: ServiceError[] = [];
    let done = 0;
    try {
        await Promise.all(
            tasks.map(async (task) => {
                const service = task.discoverer.service;
                try {
                    const found = await task.discoverer.discover({ clients, region: task.callRegion, regions: options.regions, accountId: account.awsAccountId, pageSize: options.pageSize });
                    // not push(...found): a spread of hundreds of thousands of arguments overflows the stack
                    for (const resource of found) resources.push(resource);
                } catch (error) {
                    if (options.signal?.aborted) return;
                    errors.push(serviceErrorOf(service, task.region, error));
                } finally {
                    options.onProgress?.({ service, region: task.region, done: ++done, total: tasks.length });
                }
            }),
        );
    } finally {
        clients.destroy();
    }
    if (options.signal?.aborted) throw new ScanCancelledError();
    errors.sort((a, b) => `${a.service}/${a.region ?? ''}`.localeCompare(`${b.service}/${b.region ?? ''}`));
    return { resources, errors, tasks: tasks.length };
}
