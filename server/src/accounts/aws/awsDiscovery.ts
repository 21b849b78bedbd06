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
import { cloudControlDiscoverers, type TypeFault } from './cloudControlDiscovery';
import { CLOUD_CONTROL_SERVICE } from './awsServiceTypes';
import { dataServiceDiscoverers } from './dataServicesDiscovery';
import type { DiscoveredResource, ServiceDiscoverer } from './discoveryTypes';
import { ec2Discoverer } from './ec2Discovery';
import { iamDiscoverer } from './iamDiscovery';
import { loadBalancingDiscoverer } from './loadBalancingDiscovery';
import { errorCode } from './awsShapeConversions';
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
    /**
     * Where each task's resources go, the only way results leave (nothing is collected here,
     * so the caller decides what stays in memory): called once per task as it starts.
     */
    onTask: () => TaskResourceSink;
}

/** One task's resources: batches as they come (large listings page by page), then the task's end; a failed (or cancelled) task's are to be dropped. */
export interface TaskResourceSink {
    add(resources: readonly DiscoveredResource[]): void;
    end(succeeded: boolean): void;
}

export interface AwsDiscoveryResult {
    errors: ServiceError[];
    /** Cloud Control types not listed because they cannot be listed on their own (`--all-types`). */
    skipped: ServiceError[];
    /** Service/region pairs that ran (failed ones included). */
    tasks: number;
    /** Tasks that failed as a whole (a Cloud Control type's error is not one). */
    failedTasks: number;
}

interface Task {
    discoverer: ServiceDiscoverer;
    /** The region the task reports in its errors; undefined for account-wide tasks. */
    region?: string;
    /** The region its clients are signed for. */
    callRegion: string;
}

function planTasks(options: AwsDiscoveryOptions, discoverers: readonly ServiceDiscoverer[]): Task[] {
    const home = options.regions.includes('us-east-1') ? 'us-east-1' : options.regions[0];
    const tasks: Task[] = [];
    for (const discoverer of discoverers) {
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
    const { settings } = account;
    const errors: ServiceError[] = [];
    const skipped: ServiceError[] = [];
    // --all-types: Cloud Control's per-type faults are recorded as ServiceErrors naming their type
    const typeFault = (region: string | undefined, f: TypeFault): ServiceError => ({ ...serviceErrorOf(CLOUD_CONTROL_SERVICE, region, f.error), type: f.type });
    const allTypes = settings.allTypes
        ? cloudControlDiscoverers((region, result) => {
              for (const f of result.failed) errors.push(typeFault(region, f));
              for (const f of result.skipped) skipped.push(typeFault(region, f));
          })
        : [];
    const tasks = planTasks(options, [...DISCOVERERS, ...allTypes]);
    const credentials = credentialProvider({ ...settings, region: tasks[0]?.callRegion ?? 'us-east-1' });
    const clients = new AwsClients({ credentials, endpoint: settings.endpoint, limiter, signal: options.signal, requestTimeoutMs: options.requestTimeoutMs, maxAttempts: options.maxAttempts, onCall: options.onCall });
    let done = 0;
    let failedTasks = 0;
    try {
        await Promise.all(
            tasks.map(async (task) => {
                const service = task.discoverer.service;
                const sink = options.onTask();
                let ended = false;
                const end = (succeeded: boolean) => {
                    ended = true;
                    sink.end(succeeded);
                };
                // a failed task's other listings may still hand pages over: they are not its result
                const emit = (resources: readonly DiscoveredResource[]) => {
                    if (!ended && resources.length) sink.add(resources);
                };
                try {
                    const found = await task.discoverer.discover({ clients, region: task.callRegion, regions: options.regions, accountId: account.awsAccountId, pageSize: options.pageSize, emit });
                    emit(found);
                    end(!options.signal?.aborted);
                } catch (error) {
                    end(false);
                    if (options.signal?.aborted) return;
                    failedTasks++;
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
    const order = (a: ServiceError, b: ServiceError) => `${a.service}/${a.region ?? ''}/${a.type ?? ''}`.localeCompare(`${b.service}/${b.region ?? ''}/${b.type ?? ''}`);
    return { errors: errors.sort(order), skipped: skipped.sort(order), tasks: tasks.length, failedTasks };
}
