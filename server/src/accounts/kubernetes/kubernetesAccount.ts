/**
 * Adding a Kubernetes cluster as an account: a kubeconfig file and one of its contexts, checked
 * against the API server. Namespaces are the children (`name/namespace`, as regions are for
 * AWS); cluster-scoped kinds are stored in the parent.
 */
import type { Account, ScanSchedule } from '../../shared/model';
import type { Store } from '../../store';
import { AccountInputError } from '../accountNames';
import { childName } from '../../shared/names';
import { checkNewName, checkSchedule, insertAccount } from '../accountRegistry';
import { absoluteKubeconfig, loadKubeContext } from './kubeconfigFile';
import { KubernetesApiError } from './kubernetesApi';
import { checkNamespaceAccess, listNamespaces } from './kubernetesDiscovery';
import { errorMessage } from '../../shared/errors';

export interface AddKubernetesAccountArgs {
    name: string;
    /** The kubeconfig file (relative paths are taken from the working directory). */
    kubeconfig: string;
    /** A context of that file; absent: its current-context (recorded, so a later `kubectl config use-context` does not switch clusters). */
    context?: string;
    /** Scan only these namespaces; absent: every namespace (the credentials must be allowed to list them). */
    namespaces?: string[];
    scanSchedule?: ScanSchedule;
    /** Per attempt of the check (default 10 s), so a wrong server fails quickly. */
    requestTimeoutMs?: number;
}

/** A namespace name: a DNS label (RFC 1123), as the API server requires. */
const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why a call to the cluster failed, in words that say what to do. */
export function describeClusterError(error: unknown, context: string, server: string): string {
    if (!(error instanceof KubernetesApiError)) return errorMessage(error);
    if (error.status === 401) return `the API server ${server} rejected the credentials of context "${context}" (401 Unauthorized); refresh them (e.g. \`kubectl --context ${context} get ns\` or your cloud's get-credentials command)`;
    if (error.status === 403) return `context "${context}" may not do this on ${server}: ${error.message}`;
    if (error.status === 0) return `cannot reach the API server ${server} of context "${context}": ${error.message}`;
    return `${server}: ${error.code}: ${error.message}`;
}

/** Checks the context reaches the cluster with its credentials, learns its namespaces (or checks the given ones) and records the account. */
export async function addKubernetesAccount(store: Store, args: AddKubernetesAccountArgs): Promise<Account> {
    await checkNewName(store, args.name);
    checkSchedule(args.scanSchedule);
    const namespaces = args.namespaces ? [...new Set(args.namespaces)] : undefined;
    if (namespaces && !namespaces.length) throw new AccountInputError('--namespaces is empty: give namespace names (a,b) or leave it out to scan every namespace');
    for (const ns of namespaces ?? []) {
        if (!NAMESPACE_PATTERN.test(ns)) throw new AccountInputError(`"${ns}" is not a namespace name (lower-case letters, digits and "-", at most 63)`);
    }
    const kubeconfig = absoluteKubeconfig(args.kubeconfig);
    const { config, context, server } = loadKubeContext(kubeconfig, args.context);
    const check = { requestTimeoutMs: args.requestTimeoutMs ?? 10_000, maxAttempts: 2 };
    let children: string[];
    try {
        if (namespaces) {
            for (const ns of namespaces) await checkNamespaceAccess(config, ns, check);
            children = namespaces;
        } else {
            children = await listNamespaces(config, check);
        }
    } catch (error) {
        const hint = !namespaces && error instanceof KubernetesApiError && error.status === 403 ? '; pass --namespaces a,b to scan only the namespaces it may read' : '';
        throw new AccountInputError(`cluster "${args.name}": ${describeClusterError(error, context, server)}${hint}`);
    }
    const account: Account = {
        name: args.name,
        provider: 'kubernetes',
        settings: { kubeconfig, context, server, ...(namespaces ? { namespaces } : {}) },
        children: children.map((ns) => childName(args.name, ns)),
        scanSchedule: args.scanSchedule ?? 'none',
        createdAt: new Date().toISOString(),
    };
    return insertAccount(store, account);
}
