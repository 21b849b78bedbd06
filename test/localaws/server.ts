// The local AWS: one HTTP server on 127.0.0.1 for every service. Requests are told apart
// by the SigV4 credential scope (`<date>/<region>/<service>/aws4_request`), which also
// gives the region; the signature is verified against the fixture's keys.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFixtureFile, type LocalAwsFixture } from './fixture';
import { FaultInjector, validateFaultRules, type FaultRule } from './faults';
import { LocalAwsState, type KeyEntry } from './state';
import { parseAuthorization, verifySignature, type ParsedAuthorization, type ReceivedRequest } from './sigv4';
import { SERVICES } from './services/catalog';
import { s3OperationOf } from './services/s3';
import { SERVICE_NAMES, type ErrorCode, type OperationContext, type ServiceDefinition, type ServiceName } from './services/types';
import { AwsError, renderError, renderOutput, type WireResponse } from './wire/protocols';

/** Options for `startLocalAws`. */
export interface LocalAwsOptions {
    /** The fixture itself, or the path of a fixture JSON file. */
    fixture: LocalAwsFixture | string;
    /** 0 or absent: any free port. */
    port?: number;
    faults?: FaultRule[];
    /** The server's clock (ms since the epoch), for tests of signature skew and token expiry. */
    now?: () => number;
}

/** Request counters, as `GET /__admin/requests` returns them. */
export interface RequestCounts {
    total: number;
    byService: Partial<Record<ServiceName, number>>;
    /** Keyed `service:Operation`. */
    byOperation: Record<string, number>;
    /** Requests refused before reaching an operation (bad signature, unknown key, ...). */
    rejected: number;
    faultsInjected: number;
}

/** A running local AWS. */
export interface LocalAws {
    /** `http://127.0.0.1:PORT`: pass as `endpoint` to every client (S3 also needs `forcePathStyle: true`). */
    url: string;
    port: number;
    /** The first key of the first account. */
    credentials: { accessKeyId: string; secretAccessKey: string };
    setFaults(rules: FaultRule[]): void;
    /** Replaces all data (and forgets issued session credentials). */
    setFixture(fixture: LocalAwsFixture): void;
    /** Back to the fixture as loaded: undoes PutBucketAcl, clears faults and counters. */
    reset(): void;
    requests(): RequestCounts;
    stop(): Promise<void>;
}

function emptyCounts(): RequestCounts {
    return { total: 0, byService: {}, byOperation: {}, rejected: 0, faultsInjected: 0 };
}

const BODY_LIMIT = 64 * 1024 * 1024;

/** Starts the server on 127.0.0.1 and resolves once it is listening. */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
    const source = typeof options.fixture === 'string' ? options.fixture : 'fixture';
    let fixture = typeof options.fixture === 'string' ? readFixtureFile(options.fixture) : options.fixture;
    const now = options.now ?? Date.now;
    let state = new LocalAwsState(fixture, source, now);
    const faults = new FaultInjector();
    faults.set(options.faults ?? []);
    let counts = emptyCounts();
    const hung = new Set<ServerResponse>();

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const body = await readBody(req);
        const rawUrl = req.url ?? '/';
        const q = rawUrl.indexOf('?');
        const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
        const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
        if (rawPath.startsWith('/__admin/')) return admin(req, res, rawPath, body);

        const requestId = randomUUID();
        const auth = parseAuthorization(req.headers.authorization);
        const service = auth && (SERVICE_NAMES as readonly string[]).includes(auth.service) ? SERVICES[auth.service as ServiceName] : undefined;
        if (!auth || !service) {
            counts.rejected++;
            // Without a scope we cannot know the protocol; S3's answer is the plainest.
            const spec = service ?? SERVICES.s3;
            return send(res, now, renderError(spec, errorOf(spec.errors.missingAuth, auth ? `Unknown service "${auth.service}" in the credential scope` : 'Request is missing a SigV4 Authorization header'), requestId));
        }
        const refuse = (code: ErrorCode, message: string) => {
            counts.rejected++;
            return send(res, now, renderError(service, errorOf(code, message), requestId));
        };
        const authenticated = await authenticate(state, service, auth, { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers, body }, now());
        if ('refused' in authenticated) return refuse(authenticated.refused, authenticated.message);
        const key = authenticated;

        const params = new URLSearchParams(service.protocol === 'awsQuery' || service.protocol === 'ec2Query' ? body.toString('utf8') : rawQuery);
        let json: Record<string, unknown> = {};
        if (service.protocol === 'awsJson1_0' || service.protocol === 'awsJson1_1' || (service.protocol === 'restJson' && body.length > 0)) {
            try {
                json = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
            } catch {
                return refuse({ code: 'SerializationException', status: 400 }, 'The request body is not valid JSON.');
            }
        }
        let path: string;
        try {
            path = decodeURIComponent(rawPath);
        } catch {
            return refuse({ code: 'InvalidURI', status: 400 }, `The path ${rawPath} is not valid percent-encoding.`);
        }
        const bucket = service.name === 's3' ? path.split('/').filter(Boolean)[0] : undefined;
        // Classic ELB and ELBv2 share a SigV4 name and endpoint; AWS tells them apart by the Query API `Version`.
        const api = (service.protocol === 'awsQuery' && service.queryVersions?.[params.get('Version') ?? '']) || service;
        const route = api.routes?.find((r) => r.method === req.method && r.path.test(path));
        // REST services other than S3 name their operations by `routes` (REST-JSON, CloudFront's REST-XML)
        const operation = api.routes ? route?.operation : operationOf(api, req, params, bucket);
        if (!operation || !api.handlers[operation] || (api.name === 's3' && path.split('/').filter(Boolean).length > 1)) {
            return refuse(api.errors.unknownOperation, `The operation is not supported by the local AWS (${api.name} ${req.method} ${rawUrl}).`);
        }

        counts.total++;
        counts.byService[api.name] = (counts.byService[api.name] ?? 0) + 1;
        const opKey = `${api.name}:${operation}`;
        counts.byOperation[opKey] = (counts.byOperation[opKey] ?? 0) + 1;

        const plan = faults.plan(api.name, operation, auth.region);
        if (plan.action) counts.faultsInjected++;
        if (plan.latencyMs > 0) await new Promise((r) => setTimeout(r, plan.latencyMs));
        if (plan.action === 'hang') {
            hung.add(res);
            res.on('close', () => hung.delete(res));
            return;
        }
        if (plan.action === 'accessDenied') {
            const code = api.errors.accessDenied;
            return send(res, now, renderError(api, errorOf(code, `User: ${key.principal.arn} is not authorized to perform: ${api.name}:${operation} because no identity-based policy allows the ${api.name}:${operation} action`), requestId));
        }
        if (plan.action === 'throttle') {
            const code = api.errors.throttle;
            return send(res, now, renderError(api, errorOf({ code: code.code, status: plan.throttleStatus ?? code.status }, 'Rate exceeded'), requestId));
        }
        if (plan.action === 'serverError') {
            return send(res, now, renderError(api, errorOf(api.errors.internal, 'We encountered an internal error. Please try again.'), requestId));
        }

        const ctx: OperationContext = {
            operation,
            region: auth.region,
            account: key.principal.account,
            caller: key.principal,
            state,
            params,
            json,
            bucket,
            headers: req.headers,
            body,
            origin: `http://${req.headers.host ?? '127.0.0.1'}`,
            pathParams: route ? (route.path.exec(path)?.slice(1) ?? []) : [],
        };
        let response: WireResponse;
        try {
            response = renderOutput(api, operation, api.handlers[operation](ctx), requestId);
        } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            response = renderError(api, error, requestId);
        }
        if (plan.action === 'truncate') return sendTruncated(res, now, response);
        send(res, now, response);
    }

    function admin(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
        const reply = (status: number, value: unknown) => send(res, now, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
        try {
            if (req.method === 'GET' && path === '/__admin/requests') return reply(200, counts);
            if (req.method === 'GET' && path === '/__admin/health') return reply(200, { ok: true });
            if (req.method === 'POST' && path === '/__admin/faults') {
                api.setFaults(validateFaultRules(JSON.parse(body.toString('utf8') || '[]'), 'POST /__admin/faults body'));
                return reply(200, { ok: true });
            }
            if (req.method === 'POST' && path === '/__admin/reset') {
                api.reset();
                return reply(200, { ok: true });
            }
            if (req.method === 'POST' && path === '/__admin/fixture') {
                api.setFixture(JSON.parse(body.toString('utf8')) as LocalAwsFixture);
                return reply(200, { ok: true });
            }
            reply(404, { error: `No admin endpoint ${req.method} ${path}; known: GET /__admin/requests, GET /__admin/health, POST /__admin/faults, POST /__admin/reset, POST /__admin/fixture` });
        } catch (error) {
            reply(400, { error: (error as Error).message });
        }
    }

    const server: Server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
        handle(req, res).catch((error: unknown) => {
            // A bug here must still answer, or the client would wait for its timeout.
            try {
                if (res.headersSent) res.destroy();
                else send(res, now, { status: 500, headers: { 'content-type': 'text/plain' }, body: `localaws internal error: ${(error as Error).stack ?? String(error)}` });
            } catch {
                res.destroy();
            }
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const firstKey = fixture.accounts[0].accessKeys[0];

    const api: LocalAws = {
        url: `http://127.0.0.1:${port}`,
        port,
        credentials: { accessKeyId: firstKey.accessKeyId, secretAccessKey: firstKey.secretAccessKey },
        setFaults(rules) {
            faults.set(validateFaultRules(rules, 'setFaults'));
        },
        setFixture(next) {
            state = new LocalAwsState(next, 'setFixture', now);
            fixture = next;
        },
        reset() {
            state = new LocalAwsState(fixture, source, now);
            faults.set([]);
            counts = emptyCounts();
        },
        requests: () => structuredClone(counts),
        async stop() {
            for (const res of hung) res.destroy();
            await new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
        },
    };
    return api;
}

/** Checks key, session token and signature; returns the key's entry or why it was refused. */
async function authenticate(
    state: LocalAwsState,
    service: ServiceDefinition,
    auth: ParsedAuthorization,
    request: ReceivedRequest,
    now: number,
): Promise<KeyEntry | { refused: ErrorCode; message: string }> {
    const invalidToken = { refused: service.errors.unknownKey, message: 'The security token included in the request is invalid.' };
    const key = state.lookupKey(auth.accessKeyId);
    if (!key) return invalidToken;
    const token = request.headers['x-amz-security-token'];
    // A long-term key sent with a session token is refused by AWS as an invalid token.
    if (key.principal.sessionToken === undefined && token !== undefined) return invalidToken;
    if (key.principal.sessionToken !== undefined) {
        if (token !== key.principal.sessionToken) return invalidToken;
        if ((key.principal.expiresAt ?? 0) < now) return { refused: service.errors.expiredToken, message: 'The security token included in the request is expired' };
    }
    const problem = await verifySignature(request, auth, key.secretAccessKey, key.principal.sessionToken, now);
    if (problem === 'expired' || problem === 'missing-date') {
        return {
            refused: auth.service === 's3' ? { code: 'RequestTimeTooSkewed', status: 403 } : service.errors.badSignature,
            message: problem === 'expired' ? 'Signature expired: the request time is more than 15 minutes from the server time.' : 'The request has no valid X-Amz-Date header.',
        };
    }
    if (problem === 'payload-hash') return { refused: service.errors.badSignature, message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
    if (problem) {
        return {
            refused: service.errors.badSignature,
            message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        };
    }
    return key;
}

function errorOf(code: ErrorCode, message: string): AwsError {
    return new AwsError(code.code, code.status, message);
}

/** The operation of a Query, JSON or REST-XML request; REST-JSON services name theirs by `routes`. */
function operationOf(service: ServiceDefinition, req: IncomingMessage, params: URLSearchParams, bucket: string | undefined): string | undefined {
    switch (service.protocol) {
        case 'awsQuery':
        case 'ec2Query':
            return params.get('Action') ?? undefined;
        case 'awsJson1_0':
        case 'awsJson1_1': {
            // CloudTrail's target may carry its full Smithy namespace before the service name.
            const target = String(req.headers['x-amz-target'] ?? '');
            const dot = target.lastIndexOf('.');
            const prefix = target.slice(0, dot);
            return dot > 0 && (prefix === service.jsonTarget || prefix.endsWith(`.${service.jsonTarget}`)) ? target.slice(dot + 1) : undefined;
        }
        case 'restXml':
            return s3OperationOf(req.method ?? 'GET', bucket, params);
        case 'restJson':
            return undefined;
    }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > BODY_LIMIT) req.destroy(new Error(`request body over ${BODY_LIMIT} bytes`));
            else chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

/** Writes a response; its Date header is the server's clock, which SDKs use to correct their skew. */
function send(res: ServerResponse, now: () => number, response: WireResponse): void {
    const body = Buffer.from(response.body, 'utf8');
    res.writeHead(response.status, { date: new Date(now()).toUTCString(), ...response.headers, 'content-length': String(body.length) });
    res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Promises the whole body, sends half, then drops the connection. */
function sendTruncated(res: ServerResponse, now: () => number, response: WireResponse): void {
    const body = Buffer.from(response.body, 'utf8');
    res.writeHead(response.status, { date: new Date(now()).toUTCString(), ...response.headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}
