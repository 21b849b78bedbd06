/**
 * GET requests to a Kubernetes API server with a kubeconfig context's credentials (bearer tokens,
 * client certificates, exec plugins and auth providers, as @kubernetes/client-node applies them),
 * under the scan's call limiter, with retries of throttling (429, honouring Retry-After), server
 * errors and dropped connections. Objects come back as the API serves them (plain JSON), not
 * through the generated clients' model classes, which turn timestamps into Dates and drop
 * fields they do not know.
 */
import { setMaxListeners } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CallLimiter } from '../callLimiter';
import { ScanCancelledError } from '../aws/awsClients';

/** A `Status` failure of the API server (or a transport failure, status 0). */
export class KubernetesApiError extends Error {
    override name = 'KubernetesApiError';
    constructor(
        /** HTTP status; 0 when no response came. */
        readonly status: number,
        /** The Status `reason` (Forbidden, Unauthorized, Expired, NotFound...) or a transport code. */
        readonly code: string,
        message: string,
    ) {
        super(message);
    }
}

export interface KubernetesApiOptions {
    config: KubeConfig;
    limiter: CallLimiter;
    signal?: AbortSignal;
    /** Per attempt (default 30 s). */
    requestTimeoutMs?: number;
    /** Attempts per call, first included (default 5). */
    maxAttempts?: number;
    /** Called for every HTTP attempt (the path without its query). */
    onCall?: (path: string) => void;
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 410: 'Gone', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };
/** The longest a Retry-After is honoured: a scan waits, it does not stall. */
const MAX_RETRY_AFTER_MS = 10_000;

interface RawResponse {
    status: number;
    headers: IncomingHttpHeaders;
    body: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new ScanCancelledError());
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(new ScanCancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}

/** The Status object of an error response, when the body is one. */
function statusOf(body: string): { reason?: string; message?: string; code?: number } | undefined {
    try {
        const parsed = JSON.parse(body) as { kind?: string; reason?: string; message?: string; code?: number };
        return parsed && parsed.kind === 'Status' ? parsed : undefined;
    } catch {
        return undefined;
    }
}

export class KubernetesApi {
    readonly server: string;
    /**
     * Every request and backoff listens on this one signal, linked to the scan's: a scan has more
     * requests in flight than the default ten listeners of an AbortSignal.
     */
    private readonly cancelled = new AbortController();
    private readonly unlink: () => void;

    constructor(private readonly options: KubernetesApiOptions) {
        const cluster = options.config.getCurrentCluster();
        if (!cluster) throw new Error(`context "${options.config.getCurrentContext()}" has no cluster`);
        this.server = cluster.server;
        setMaxListeners(0, this.cancelled.signal);
        const outer = options.signal;
        const forward = () => this.cancelled.abort();
        if (outer?.aborted) forward();
        outer?.addEventListener('abort', forward, { once: true });
        this.unlink = () => outer?.removeEventListener('abort', forward);
    }

    /** Stops following the scan's signal (the API object is done with). */
    dispose(): void {
        this.unlink();
    }

    private get signal(): AbortSignal {
        return this.cancelled.signal;
    }

    /** GETs `path` with `query` and parses the JSON; throws KubernetesApiError for a Status failure. */
    async get(path: string, query: Record<string, string | number | undefined> = {}): Promise<unknown> {
        const url = new URL(this.server + path);
        for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
        const maxAttempts = this.options.maxAttempts ?? 5;
        for (let attempt = 1; ; attempt++) {
            if (this.signal?.aborted) throw new ScanCancelledError();
            let response: RawResponse;
            try {
                response = await this.options.limiter.run(() => this.send(url, path));
            } catch (error) {
                if (error instanceof ScanCancelledError || this.signal?.aborted) throw new ScanCancelledError();
                if (attempt >= maxAttempts) throw error;
                await sleep(this.backoff(attempt), this.signal);
                continue;
            }
            if (response.status >= 200 && response.status < 300) {
                try {
                    return JSON.parse(response.body) as unknown;
                } catch {
                    throw new KubernetesApiError(response.status, 'InvalidResponse', `GET ${path} returned a body that is not JSON (${response.body.length} bytes)`);
                }
            }
            if (RETRIED_STATUS.has(response.status) && attempt < maxAttempts) {
                const retryAfter = Number(response.headers['retry-after']);
                await sleep(Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS) : this.backoff(attempt), this.signal);
                continue;
            }
            const status = statusOf(response.body);
            const code = status?.reason || REASONS[response.status] || `HTTP${response.status}`;
            const message = (status?.message || `GET ${path} failed with HTTP ${response.status}`).split('\n')[0].slice(0, 500);
            throw new KubernetesApiError(response.status, code, message);
        }
    }

    /** Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms... at most 5 s. */
    private backoff(attempt: number): number {
        return Math.random() * Math.min(5_000, 100 * 2 ** (attempt - 1));
    }

    private async send(url: URL, path: string): Promise<RawResponse> {
        // the credentials are applied per attempt: an exec plugin's token may have expired meanwhile
        const options: RequestOptions & { headers?: Record<string, string> } = {};
        await this.options.config.applyToHTTPSOptions(options);
        this.options.onCall?.(path);
        const timeout = this.options.requestTimeoutMs ?? 30_000;
        const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
        return new Promise<RawResponse>((resolve, reject) => {
            const req = send(
                url,
                {
                    method: 'GET',
                    agent: options.agent,
                    auth: options.auth,
                    headers: { ...options.headers, Accept: 'application/json', 'User-Agent': 'policy-insights' },
                    signal: this.signal,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on('data', (chunk: Buffer) => chunks.push(chunk));
                    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
                    res.on('error', (error) => reject(new KubernetesApiError(0, 'ConnectionError', `GET ${path}: ${error.message}`)));
                },
            );
            req.setTimeout(timeout, () => req.destroy(new KubernetesApiError(0, 'TimeoutError', `GET ${path} got no answer from ${url.host} within ${timeout} ms`)));
            req.on('error', (error) => {
                if (this.signal?.aborted) return reject(new ScanCancelledError());
                const code = (error as NodeJS.ErrnoException).code;
                reject(error instanceof KubernetesApiError ? error : new KubernetesApiError(0, code ?? 'ConnectionError', `GET ${path} on ${url.host}: ${error.message}`));
            });
            req.end();
        });
    }
}
