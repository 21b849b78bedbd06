/**
 * What a scan of a Kubernetes cluster account (or one of its namespaces) finds, per child, in the
 * shape scanAccount merges: resources with their URN and hash, the kinds that failed (whose
 * stored resources are kept as they were), and the namespaces that are now the children.
 */
import type { Account, Resource, ServiceError } from '../../shared/model';
import { childName } from '../accountNames';
import { resourceHash, resourceUrn } from '../resourceIdentity';
import { loadKubeContext } from './kubeconfigFile';
import { discoverKubernetes } from './kubernetesDiscovery';
import { kindServiceName, KUBERNETES_KINDS, pulumiTypeOf } from './kubernetesKinds';

/** What a scan of a cluster (or one namespace) found, in the shape scanAccount merges. */
export interface ClusterFindings {
    byChild: Map<string, Resource[]>;
    errors: ServiceError[];
    allFailed: boolean;
    keep: (child: string, r: Resource) => boolean;
    /** The account's children after this scan, when the cluster decides them (no `--namespaces`). */
    children?: string[];
}

export interface ClusterScanOptions {
    signal?: AbortSignal;
    concurrency?: number;
    requestTimeoutMs?: number;
    maxAttempts?: number;
    pageSize?: number;
    onProgress?: (p: { service: string; region?: string; done: number; total: number }) => void;
}

/** Lists the cluster (`namespace` undefined) or one namespace of `account`. */
export async function findKubernetes(account: Account, namespace: string | undefined, options: ClusterScanOptions): Promise<ClusterFindings> {
    const { settings } = account;
    const { config } = loadKubeContext(settings.kubeconfig ?? '', settings.context);
    const whole = namespace === undefined;
    const result = await discoverKubernetes({
        config,
        namespaces: whole ? settings.namespaces : [namespace],
        includeClusterScoped: whole,
        signal: options.signal,
        concurrency: options.concurrency,
        requestTimeoutMs: options.requestTimeoutMs,
        maxAttempts: options.maxAttempts,
        pageSize: options.pageSize,
        onProgress: options.onProgress,
    });
    const byChild = new Map<string, Resource[]>();
    const scope = whole ? [account.name, ...account.children] : [childName(account.name, namespace)];
    for (const child of scope) byChild.set(child, []);
    for (const d of result.resources) {
        const child = d.region ? childName(account.name, d.region) : account.name;
        const resource: Resource = {
            account: child,
            ...(d.region ? { region: d.region } : {}),
            urn: resourceUrn(account.name, d.region, d.type, d.key),
            type: d.type,
            name: d.name,
            id: d.id,
            provider: 'kubernetes',
            properties: d.properties,
            hash: resourceHash(d.type, d.properties),
        };
        // an object in a namespace created since the last scan: a new child (only when the cluster decides the children)
        if (!byChild.has(child)) {
            if (!whole || settings.namespaces) continue;
            byChild.set(child, []);
        }
        byChild.get(child)!.push(resource);
    }
    let children: string[] | undefined;
    const typeOf = new Map(KUBERNETES_KINDS.map((k) => [kindServiceName(k), pulumiTypeOf(k)]));
    const namespaceListFailed = result.errors.some((e) => e.service === 'namespaces');
    if (whole && !settings.namespaces && !namespaceListFailed) {
        // the cluster's namespaces as listed, plus any holding objects (listed before a namespace appeared)
        // (a namespace gone since the last scan is no child any more; its child was scanned empty, so its resources are removed)
        const listed = result.resources.filter((r) => r.type === 'kubernetes:core/v1:Namespace').map((r) => childName(account.name, r.name));
        const holding = [...byChild].filter(([child, found]) => child !== account.name && found.length > 0).map(([child]) => child);
        children = [...new Set([...listed, ...holding])].sort();
    }
    const keep = (child: string, r: Resource) =>
        result.errors.some((e) => {
            if (typeOf.get(e.service) !== r.type) return false;
            // an error without a namespace covers the kind everywhere (a cluster-wide list)
            return e.region === undefined || child === childName(account.name, e.region);
        });
    return { byChild, errors: result.errors, allFailed: result.tasks > 0 && result.errors.length >= result.tasks, keep, ...(children ? { children } : {}) };
}
