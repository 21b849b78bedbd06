// What the local API server serves: the resources a real cluster's discovery lists, with their
// group, version, plural and scope. Kept apart from the scanner's own table
// (server/src/accounts/kubernetes/kubernetesKinds.ts) on purpose: the server stands for the
// real API, so a wrong path or plural in the scanner fails against it.

export interface ApiResource {
    group: string;
    version: string;
    kind: string;
    plural: string;
    namespaced: boolean;
}

export const API_RESOURCES: readonly ApiResource[] = [
    { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
    { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
    { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false },
    { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
    { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
    { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
    { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
    { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
    { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
    { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
    { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true },
    { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
    { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
    { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
    { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
];

export function apiVersionOf(r: ApiResource): string {
    return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The served resource of an object's apiVersion and kind. */
export function resourceOfObject(apiVersion: string, kind: string): ApiResource | undefined {
    return API_RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** A request path, parsed: /api/v1[/namespaces/NS]/PLURAL[/NAME] or /apis/G/V[/namespaces/NS]/PLURAL[/NAME]. */
export function parseResourcePath(path: string): { resource: ApiResource; namespace?: string; name?: string } | undefined {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1], parts.slice(2)];
    else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    else return undefined;
    let namespace: string | undefined;
    // `namespaces/NS/PLURAL...` scopes to a namespace; `namespaces` or `namespaces/NAME` is the Namespace resource itself
    if (rest[0] === 'namespaces' && rest.length >= 3) {
        namespace = rest[1];
        rest = rest.slice(2);
    }
    const resource = API_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === rest[0]);
    if (!resource || rest.length > 2) return undefined;
    if (namespace !== undefined && !resource.namespaced) return undefined;
    return { resource, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] !== undefined ? { name: rest[1] } : {}) };
}
