/**
 * The Kubernetes kinds a cluster scan lists: the ones the kubernetes policy templates and common
 * packs check (workloads, services and ingresses, config and secrets, RBAC, network policies,
 * storage, jobs, namespaces). Each is typed with its @pulumi/kubernetes token, so
 * `validateResourceOfType(k8s.apps.v1.Deployment, ...)` applies to a scanned Deployment as it does
 * to one a Pulumi program declares.
 */

export interface KubernetesKind {
    /** API group; '' is the core group (served under /api). */
    group: string;
    version: string;
    kind: string;
    /** The resource name in the URL path (`deployments`). */
    plural: string;
    /** Namespaced kinds are stored in the child `account/namespace`; cluster-scoped ones in the parent. */
    namespaced: boolean;
}

export const KUBERNETES_KINDS: readonly KubernetesKind[] = [
    { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
    { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
    { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
    { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
    { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
    { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
    { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
    { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
    { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
    { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
    { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true },
];

/** `apiVersion` as objects carry it: `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(kind: KubernetesKind): string {
    return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

/**
 * The @pulumi/kubernetes type token: `kubernetes:<group>/<version>:<Kind>` with `core` for the
 * core group (`kubernetes:core/v1:Pod`, `kubernetes:rbac.authorization.k8s.io/v1:Role`), as the
 * provider's schema names its resources.
 */
export function pulumiTypeOf(kind: KubernetesKind): string {
    return `kubernetes:${kind.group || 'core'}/${kind.version}:${kind.kind}`;
}

/**
 * How scan errors name a kind: `<plural>` for the core group, `<plural>.<group>` otherwise
 * (`deployments.apps`), as kubectl and RBAC messages name resources.
 */
export function kindServiceName(kind: KubernetesKind): string {
    return kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
}

/** The list path of `kind`, in `namespace` or across the cluster. */
export function listPath(kind: KubernetesKind, namespace?: string): string {
    const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
    return kind.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}` : `${base}/${kind.plural}`;
}
