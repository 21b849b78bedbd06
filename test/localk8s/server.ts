// The local Kubernetes API server: one HTTP(S) server on 127.0.0.1 that answers list and get
// requests as kube-apiserver does (JSON `<Kind>List` objects whose items carry no apiVersion or
// kind, `limit`/`continue` chunking with `metadata.continue` and `remainingItemCount`, `Status`
// errors with code and reason), checks bearer tokens, limits users to namespaces as RBAC would,
// and injects faults (403 per resource, 429/5xx, expired continue tokens).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { API_RESOURCES, apiVersionOf, parseResourcePath, resourceOfObject, type ApiResource } from './apiResources';

/** One identity the server accepts. */
export interface LocalK8sUser {
    /** As RBAC messages name it, e.g. `system:serviceaccount:scanner:policy-insights`. */
    name: string;
    token: string;
    /** Namespaces this user may list in; absent: the whole cluster. Cluster-wide and cluster-scoped lists are then forbidden. */
    namespaces?: string[];
}

export interface LocalK8sFixture {
    users: LocalK8sUser[];
    /** Objects as `kubectl get -o json` shows them: apiVersion, kind, metadata (name, namespace), spec, status. */
    objects: Record<string, unknown>[];
}

/** A fault: matching requests (by resource plural and namespace, when given) fail `times` times (default: always). */
export interface LocalK8sFault {
    resource?: string;
    namespace?: string;
    /** 403 Forbidden, as RBAC answers. */
    forbidden?: boolean;
    /** An HTTP status to answer with (429 with Retry-After: 0, 500, 503...). */
    status?: number;
    /** Requests carrying a continue token get 410 Expired, as after an etcd compaction. */
    expireContinue?: boolean;
    times?: number;
}

export interface LocalK8sOptions {
    fixture: LocalK8sFixture | string;
    port?: number;
    /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (made with openssl); kubeconfigs then carry its CA. */
    tls?: boolean;
    faults?: LocalK8sFault[];
}

export interface LocalK8sRequests {
    total: number;
    /** Keyed by path (no query). */
    byPath: Record<string, number>;
    rejected: number;
    faultsInjected: number;
}

export interface LocalK8s {
    url: string;
    /** The first user's token. */
    token: string;
    /** PEM of the server's certificate (its own CA) when serving TLS. */
    ca?: string;
    /** Writes a kubeconfig (YAML) with one context per user (`<user-name>` contexts, the first current) and returns its path. */
    writeKubeconfig(file: string, options?: { contexts?: { name: string; token: string; namespace?: string }[] }): string;
    setFaults(faults: LocalK8sFault[]): void;
    /** Replaces the objects (e.g. to change the cluster between scans). */
    setObjects(objects: Record<string, unknown>[]): void;
    requests(): LocalK8sRequests;
    stop(): Promise<void>;
}

interface Stored {
    resource: ApiResource;
    namespace?: string;
    name: string;
    object: Record<string, unknown>;
}

export function readLocalK8sFixture(file: string): LocalK8sFixture {
    const fixture = JSON.parse(readFileSync(file, 'utf8')) as LocalK8sFixture;
    if (!Array.isArray(fixture.users) || !fixture.users.length || !Array.isArray(fixture.objects)) throw new Error(`${file}: a localk8s fixture needs "users" (at least one) and "objects"`);
    return fixture;
}

function index(objects: Record<string, unknown>[]): Stored[] {
    const stored: Stored[] = [];
    for (const [i, object] of objects.entries()) {
        const metadata = object.metadata as { name?: string; namespace?: string } | undefined;
        const resource = resourceOfObject(String(object.apiVersion), String(object.kind));
        if (!resource || !metadata?.name) throw new Error(`objects[${i}] (${String(object.apiVersion)} ${String(object.kind)}) is not a served resource with metadata.name`);
        if (resource.namespaced && !metadata.namespace) throw new Error(`objects[${i}] (${resource.kind} ${metadata.name}) needs metadata.namespace`);
        stored.push({ resource, namespace: resource.namespaced ? metadata.namespace : undefined, name: metadata.name, object });
    }
    // lists come back in etcd key order: namespace, then name
    return stored.sort((a, b) => `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`));
}

function selfSignedCertificate(): { key: string; cert: string } {
    const dir = mkdtempSync(join(tmpdir(), 'localk8s-tls-'));
    try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localk8s', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
        return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    } catch (error) {
        throw new Error(`localk8s --tls needs openssl to make a certificate for 127.0.0.1: ${(error as Error).message}`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
    send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
}

interface ContinueToken {
    rv: number;
    /** The key (`namespace/name`) of the last object returned. */
    after: string;
}

export async function startLocalK8s(options: LocalK8sOptions): Promise<LocalK8s> {
    const fixture = typeof options.fixture === 'string' ? readLocalK8sFixture(options.fixture) : options.fixture;
    let stored = index(fixture.objects);
    let resourceVersion = 1000;
    let faults: (LocalK8sFault & { used: number })[] = [];
    let counts: LocalK8sRequests = { total: 0, byPath: {}, rejected: 0, faultsInjected: 0 };
    const setFaults = (list: LocalK8sFault[]) => (faults = list.map((f) => ({ ...f, used: 0 })));
    setFaults(options.faults ?? []);

    function fault(resource: ApiResource, namespace: string | undefined, hasContinue: boolean): LocalK8sFault | undefined {
        for (const f of faults) {
            if (f.resource !== undefined && f.resource !== resource.plural) continue;
            if (f.namespace !== undefined && f.namespace !== namespace) continue;
            if (f.expireContinue && !hasContinue) continue;
            if (f.times !== undefined && f.used >= f.times) continue;
            f.used++;
            counts.faultsInjected++;
            return f;
        }
        return undefined;
    }

    function handle(req: IncomingMessage, res: ServerResponse): void {
        const url = new URL(req.url ?? '/', 'http://localhost');
        // for benches and the CLI entry: the counters, without counting or authenticating the request
        if (url.pathname === '/__admin/requests') return send(res, 200, counts);
        counts.total++;
        counts.byPath[url.pathname] = (counts.byPath[url.pathname] ?? 0) + 1;
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const user = fixture.users.find((u) => u.token === bearer);
        if (!user) {
            counts.rejected++;
            return status(res, 401, 'Unauthorized', 'Unauthorized');
        }
        if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
        if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-localk8s', platform: 'linux/amd64' });
        const parsed = parseResourcePath(url.pathname);
        if (!parsed) return status(res, 404, 'NotFound', 'the server could not find the requested resource', {});
        const { resource, namespace, name } = parsed;
        const verb = name === undefined ? 'list' : 'get';
        const allowed = !user.namespaces || (namespace !== undefined && user.namespaces.includes(namespace));
        const continueParam = url.searchParams.get('continue') || undefined;
        const injected = fault(resource, namespace, continueParam !== undefined);
        if (!allowed || injected?.forbidden) {
            const scope = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
            return status(res, 403, 'Forbidden', `${resource.plural}${name !== undefined ? ` "${name}"` : ''} is forbidden: User "${user.name}" cannot ${verb} resource "${resource.plural}" in API group "${resource.group}" ${scope}`, { ...(name !== undefined ? { name } : {}), kind: resource.plural });
        }
        if (injected?.expireContinue) {
            return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        if (injected?.status) {
            const headers: Record<string, string> = injected.status === 429 ? { 'Retry-After': '0' } : {};
            res.writeHead(injected.status, { 'Content-Type': 'application/json', ...headers });
            res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: injected.status === 429 ? 'Too many requests, please try again later.' : 'Internal error occurred: injected fault', reason: injected.status === 429 ? 'TooManyRequests' : 'InternalError', code: injected.status }));
            return;
        }
        const matching = stored.filter((s) => s.resource === resource && (namespace === undefined || s.namespace === namespace));
        if (name !== undefined) {
            const found = matching.find((s) => s.name === name);
            if (!found) return status(res, 404, 'NotFound', `${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`, { name, group: resource.group, kind: resource.plural });
            return send(res, 200, found.object);
        }
        let start = 0;
        if (continueParam !== undefined) {
            let token: ContinueToken;
            try {
                token = JSON.parse(Buffer.from(continueParam, 'base64url').toString('utf8')) as ContinueToken;
                if (typeof token.after !== 'string') throw new Error('no key');
            } catch {
                return status(res, 400, 'BadRequest', 'continue key is not valid: illegal base64 data');
            }
            start = matching.findIndex((s) => `${s.namespace ?? ''}/${s.name}` > token.after);
            if (start < 0) start = matching.length;
        }
        const limitParam = Number(url.searchParams.get('limit') ?? '0');
        const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : matching.length;
        const page = matching.slice(start, start + limit);
        const remaining = matching.length - (start + page.length);
        const last = page[page.length - 1];
        const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
        if (remaining > 0 && last) {
            metadata.continue = Buffer.from(JSON.stringify({ rv: resourceVersion, after: `${last.namespace ?? ''}/${last.name}` } satisfies ContinueToken)).toString('base64url');
            metadata.remainingItemCount = remaining;
        }
        // list items come without apiVersion and kind, as kube-apiserver sends them
        const items = page.map((s) => {
            const { apiVersion: _apiVersion, kind: _kind, ...rest } = s.object;
            return rest;
        });
        send(res, 200, { kind: `${resource.kind}List`, apiVersion: apiVersionOf(resource), metadata, items });
    }

    const certificate = options.tls ? selfSignedCertificate() : undefined;
    const server: Server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handle) : createHttpServer(handle);
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`;

    return {
        url,
        token: fixture.users[0].token,
        ...(certificate ? { ca: certificate.cert } : {}),
        writeKubeconfig(file, kubeconfigOptions = {}) {
            const contexts: { name: string; token: string; namespace?: string }[] =
                kubeconfigOptions.contexts ?? fixture.users.map((u) => ({ name: u.name.split(':').pop() ?? u.name, token: u.token }));
            const cluster: Record<string, unknown> = { server: url };
            if (certificate) cluster['certificate-authority-data'] = Buffer.from(certificate.cert).toString('base64');
            // client-node refuses plain http unless TLS verification is declared off
            else cluster['insecure-skip-tls-verify'] = true;
            const config = {
                apiVersion: 'v1',
                kind: 'Config',
                'current-context': contexts[0]?.name,
                clusters: [{ name: 'localk8s', cluster }],
                users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: c.token } })),
                contexts: contexts.map((c) => ({ name: c.name, context: { cluster: 'localk8s', user: `${c.name}-user`, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
            };
            writeFileSync(file, stringify(config), { mode: 0o600 });
            return file;
        },
        setFaults,
        setObjects(objects) {
            stored = index(objects);
            resourceVersion++;
        },
        requests: () => structuredClone(counts),
        stop: () =>
            new Promise<void>((resolve) => {
                counts = { total: 0, byPath: {}, rejected: 0, faultsInjected: 0 };
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

export { API_RESOURCES };
