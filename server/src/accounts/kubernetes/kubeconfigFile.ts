/**
 * Reading a kubeconfig file with @kubernetes/client-node: its contexts, and a KubeConfig set to
 * one of them. Only the file's path and the context's name are ever stored; the credentials it
 * holds (tokens, client keys, exec plugins) are read when a scan runs, in this process only.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeContextInfo } from '../../shared/protocol';
import { AccountInputError } from '../accountNames';

export type { KubeContextInfo };

/** `$KUBECONFIG`'s first file, else ~/.kube/config: where kubectl looks. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
    const first = env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':').find(Boolean);
    return first ? resolve(first) : join(homedir(), '.kube', 'config');
}

/** An absolute path for `file` (relative to the working directory). */
export function absoluteKubeconfig(file: string): string {
    return isAbsolute(file) ? file : resolve(file);
}

/**
 * Parses the file. A YAML error is reported by line only: js-yaml's message quotes the offending
 * line, which may be a token or a key.
 */
function parse(file: string): KubeConfig {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new AccountInputError(`cannot read the kubeconfig ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}; pass --kubeconfig with the file kubectl uses (e.g. ~/.kube/config)`);
    }
    const kc = new KubeConfig();
    try {
        kc.loadFromString(text);
        kc.makePathsAbsolute(resolve(file, '..'));
    } catch (error) {
        const line = (error as { mark?: { line?: number } }).mark?.line;
        const where = line !== undefined ? ` at line ${line + 1}` : '';
        const reason = (error as { reason?: string }).reason ?? (error instanceof Error && !('mark' in error) ? error.message : 'not valid YAML');
        throw new AccountInputError(`the kubeconfig ${file} cannot be read${where}: ${reason}; check it with \`kubectl config view --kubeconfig ${file}\``);
    }
    if (!kc.getContexts().length) throw new AccountInputError(`the kubeconfig ${file} has no contexts; add one with \`kubectl config set-context\``);
    return kc;
}

/** The contexts of `file`, the current one first. */
export function listKubeContexts(file: string): KubeContextInfo[] {
    const path = absoluteKubeconfig(file);
    const kc = parse(path);
    const current = kc.getCurrentContext();
    return kc
        .getContexts()
        .map((c) => ({
            name: c.name,
            cluster: c.cluster,
            ...(kc.getCluster(c.cluster)?.server ? { server: kc.getCluster(c.cluster)!.server } : {}),
            ...(c.namespace ? { namespace: c.namespace } : {}),
            current: c.name === current,
        }))
        .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * A KubeConfig of `file` set to `context` (default: the file's current-context), with the
 * context's cluster and user resolved. Throws AccountInputError naming the known contexts.
 */
export function loadKubeContext(file: string, context?: string): { config: KubeConfig; context: string; server: string } {
    const path = absoluteKubeconfig(file);
    const kc = parse(path);
    const names = kc.getContexts().map((c) => c.name);
    const chosen = context ?? kc.getCurrentContext();
    if (!chosen) throw new AccountInputError(`the kubeconfig ${path} has no current-context; pass --context (one of ${names.join(', ')})`);
    const found = kc.getContextObject(chosen);
    if (!found) throw new AccountInputError(`the kubeconfig ${path} has no context "${chosen}" (its contexts: ${names.join(', ')})`);
    kc.setCurrentContext(chosen);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new AccountInputError(`context "${chosen}" of ${path} names the cluster "${found.cluster}", which the file does not define`);
    if (found.user && !kc.getCurrentUser()) throw new AccountInputError(`context "${chosen}" of ${path} names the user "${found.user}", which the file does not define`);
    return { config: kc, context: chosen, server: cluster.server };
}
