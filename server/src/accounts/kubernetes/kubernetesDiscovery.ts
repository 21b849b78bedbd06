/**
 * Lists a cluster's objects of every kind in KUBERNETES_KINDS: cluster-scoped kinds once,
 * namespaced kinds across the cluster (all namespaces) or per namespace (the account's
 * `--namespaces`), each list paginated with `limit`/`continue` and every call under one
 * limiter. A kind that fails (403 Forbidden for an RBAC-limited user, a kind the cluster does
 * not serve, a fault) is recorded as a ServiceError for its namespace and the others complete.
 */
import type { ServiceError } from '../../shared/model';
import { CallLimiter } from '../callLimiter';
import { ScanCancelledError } from '../aws/awsClients';
import type { DiscoveredResource } from '../aws/discoveryTypes';
import { KubernetesApi, KubernetesApiError } from './kubernetesApi';
import { apiVersionOf, kindServiceName, KUBERNETES_KINDS, listPath, pulumiTypeOf, type KubernetesKind } from './kubernetesKinds';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '../../shared/errors';

/** Objects per list call: kubectl's chunk size. */
export const DEFAULT_KUBERNETES_PAGE_SIZE = 500;
/** Lists restarted after their continue token expired (410) before the kind counts as failed. */
const MAX_LIST_RESTARTS = 3;
/**
 * The annotation `kubectl apply` writes holds the whole object as applied: for a Secret, its
 * data in clear. Dropped with the data itself.
 */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface KubernetesDiscoveryOptions {
    config: KubeConfig;
    /** Namespaces to list namespaced kinds in; undefined: the whole cluster in one list per kind. */
    namespaces?: readonly string[];
    /** List the cluster-scoped kinds (Namespaces, ClusterRoles...): only when the whole account is scanned. */
    includeClusterScoped: boolean;
    signal?: AbortSignal;
    /** HTTP calls in flight at most (default 16). */
    concurrency?: number;
    requestTimeoutMs?: number;
    maxAttempts?: number;
    /** Objects per list call (default 500). */
    pageSize?: number;
    onProgress?: (p: { service: string; region?: string; done: number; total: number }) => void;
    /** Every HTTP attempt, by path. */
    onCall?: (path: string) => void;
}

export interface KubernetesDiscoveryResult {
    /** Every object found; a namespaced one carries its namespace as `region`. */
    resources: DiscoveredResource[];
    errors: ServiceError[];
    /** Kind/namespace lists that ran (failed ones included). */
    tasks: number;
}

interface ListTask {
    kind: KubernetesKind;
    /** The namespace listed; undefined for cluster-scoped kinds and cluster-wide lists. */
    namespace?: string;
}

interface ObjectList {
    metadata?: { continue?: string };
    items?: Record<string, unknown>[];
}

/** The object as stored: apiVersion and kind set (list items come without them), a Secret without its data. */
export function objectProperties(kind: KubernetesKind, item: Record<string, unknown>): Record<string, unknown> {
    const properties: Record<string, unknown> = { apiVersion: apiVersionOf(kind), kind: kind.kind, ...item };
    if (kind.group === '' && kind.kind === 'Secret') {
        delete properties.data;
        delete properties.stringData;
        const metadata = properties.metadata as { annotations?: Record<string, string> } | undefined;
        if (metadata?.annotations && LAST_APPLIED in metadata.annotations) {
            const { [LAST_APPLIED]: _applied, ...annotations } = metadata.annotations;
            const { annotations: _all, ...rest } = metadata;
            // the API server leaves out an empty map, so does the stored object
            properties.metadata = Object.keys(annotations).length ? { ...rest, annotations } : rest;
        }
    }
    return properties;
}

function toDiscovered(kind: KubernetesKind, item: Record<string, unknown>): DiscoveredResource | undefined {
    const metadata = item.metadata as { name?: string; namespace?: string } | undefined;
    if (!metadata?.name) return undefined;
    const namespace = kind.namespaced ? metadata.namespace : undefined;
    return {
        type: pulumiTypeOf(kind),
        key: metadata.name,
        name: metadata.name,
        // the Kubernetes provider's resource id: `namespace/name`, or `name` for cluster-scoped kinds
        id: namespace ? `${namespace}/${metadata.name}` : metadata.name,
        ...(namespace ? { region: namespace } : {}),
        properties: objectProperties(kind, item),
    };
}

/**
 * Every object of one list, page by page. A continue token that expired (410 Gone, reason
 * Expired: the server compacted the revision the list started from) restarts the list from the
 * first page, as client-go's pager does: the objects of a half-read list would mix two revisions.
 */
async function listAll(api: KubernetesApi, task: ListTask, pageSize: number): Promise<Record<string, unknown>[]> {
    const path = listPath(task.kind, task.namespace);
    for (let restart = 0; ; restart++) {
        const items: Record<string, unknown>[] = [];
        let token: string | undefined;
        try {
            do {
                const page = (await api.get(path, { limit: pageSize, continue: token })) as ObjectList;
                for (const item of page.items ?? []) items.push(item);
                token = page.metadata?.continue || undefined;
            } while (token);
            return items;
        } catch (error) {
            const expired = error instanceof KubernetesApiError && error.status === 410 && token !== undefined;
            if (!expired || restart >= MAX_LIST_RESTARTS) throw error;
        }
    }
}

function planTasks(options: KubernetesDiscoveryOptions): ListTask[] {
    const tasks: ListTask[] = [];
    for (const kind of KUBERNETES_KINDS) {
        if (!kind.namespaced) {
            if (options.includeClusterScoped) tasks.push({ kind });
        } else if (options.namespaces === undefined) tasks.push({ kind });
        else for (const namespace of options.namespaces) tasks.push({ kind, namespace });
    }
    return tasks;
}

/** A failure as the scan status records it: the API server's Status reason and message, nothing else. */
function kindError(task: ListTask, error: unknown): ServiceError {
    const service = kindServiceName(task.kind);
    const code = error instanceof KubernetesApiError ? error.code : error instanceof Error ? error.name : 'Error';
    const message = errorMessage(error).split('\n')[0].slice(0, 500);
    return { service, ...(task.namespace !== undefined ? { region: task.namespace } : {}), code, message: message || code };
}

export async function discoverKubernetes(options: KubernetesDiscoveryOptions): Promise<KubernetesDiscoveryResult> {
    const limiter = new CallLimiter(options.concurrency ?? 16);
    const api = new KubernetesApi({ config: options.config, limiter, signal: options.signal, requestTimeoutMs: options.requestTimeoutMs, maxAttempts: options.maxAttempts, onCall: options.onCall });
    const pageSize = options.pageSize ?? DEFAULT_KUBERNETES_PAGE_SIZE;
    const tasks = planTasks(options);
    const resources: DiscoveredResource[] = [];
    const errors: ServiceError[] = [];
    let done = 0;
    try {
        await Promise.all(
            tasks.map(async (task) => {
                try {
                    for (const item of await listAll(api, task, pageSize)) {
                        const found = toDiscovered(task.kind, item);
                        if (found) resources.push(found);
                    }
                } catch (error) {
                    if (options.signal?.aborted) return;
                    errors.push(kindError(task, error));
                } finally {
                    options.onProgress?.({ service: kindServiceName(task.kind), ...(task.namespace !== undefined ? { region: task.namespace } : {}), done: ++done, total: tasks.length });
                }
            }),
        );
    } finally {
        api.dispose();
    }
    if (options.signal?.aborted) throw new ScanCancelledError();
    errors.sort((a, b) => `${a.service}/${a.region ?? ''}`.localeCompare(`${b.service}/${b.region ?? ''}`));
    return { resources, errors, tasks: tasks.length };
}

/** The namespaces of the cluster (names), paginated: what an account without `--namespaces` has as children. */
export async function listNamespaces(config: KubeConfig, options: { signal?: AbortSignal; requestTimeoutMs?: number; maxAttempts?: number; pageSize?: number } = {}): Promise<string[]> {
    const api = new KubernetesApi({ config, limiter: new CallLimiter(1), ...options });
    const kind = KUBERNETES_KINDS.find((k) => k.kind === 'Namespace')!;
    const items = await listAll(api, { kind }, options.pageSize ?? DEFAULT_KUBERNETES_PAGE_SIZE).finally(() => api.dispose());
    return items.map((i) => (i.metadata as { name?: string } | undefined)?.name).filter((n): n is string => !!n).sort();
}

/** One call that proves the credentials may read `namespace` (a list of at most one Pod). */
export async function checkNamespaceAccess(config: KubeConfig, namespace: string, options: { requestTimeoutMs?: number; maxAttempts?: number } = {}): Promise<void> {
    const api = new KubernetesApi({ config, limiter: new CallLimiter(1), ...options });
    const pods = KUBERNETES_KINDS.find((k) => k.kind === 'Pod')!;
    await api.get(listPath(pods, namespace), { limit: 1 }).finally(() => api.dispose());
}
