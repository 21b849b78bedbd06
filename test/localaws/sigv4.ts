// Verifies AWS Signature Version 4 on incoming requests by re-signing them with
// @smithy/signature-v4 (the signer the SDK itself uses) and the fixture's secret.
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
    accessKeyId: string;
    /** yyyymmdd of the credential scope. */
    scopeDate: string;
    region: string;
    service: string;
    signedHeaders: string[];
    signature: string;
}

const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** Parses the header, or returns undefined when it is missing or not SigV4. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
    const m = header ? AUTH_PATTERN.exec(header) : null;
    if (!m) return undefined;
    return { accessKeyId: m[1], scopeDate: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** The request as received, before any decoding of path or query. */
export interface ReceivedRequest {
    method: string;
    rawPath: string;
    rawQuery: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
}

/** Why a signature was refused; undefined means it verified. */
export type SignatureProblem = 'missing-date' | 'expired' | 'payload-hash' | 'mismatch';

/** The hash SignatureV4 needs, on node:crypto (tests sign raw requests with it too). */
export class NodeSha256 {
    private readonly hash: Hash | Hmac;
    constructor(secret?: string | Uint8Array) {
        this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
    }
    update(data: string | Uint8Array): void {
        this.hash.update(data);
    }
    async digest(): Promise<Uint8Array> {
        return this.hash.digest();
    }
    reset(): void {
        throw new Error('not used');
    }
}

const signers = new Map<string, SignatureV4>();

function signerFor(accessKeyId: string, secretAccessKey: string, sessionToken: string | undefined, s3: boolean): SignatureV4 {
    const cacheKey = `${accessKeyId}\0${secretAccessKey}\0${sessionToken ?? ''}\0${s3}`;
    let signer = signers.get(cacheKey);
    if (!signer) {
        if (signers.size > 10_000) signers.clear();
        signer = new SignatureV4({
            credentials: { accessKeyId, secretAccessKey, sessionToken },
            region: 'us-east-1',
            service: 's3',
            sha256: NodeSha256 as never,
            // S3 signs the path as sent; every other service signs it URI-encoded once more.
            uriEscapePath: !s3,
            applyChecksum: false,
        });
        signers.set(cacheKey, signer);
    }
    return signer;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

/** Parses `20240115T100000Z`. */
function parseAmzDate(value: string | undefined): Date | undefined {
    const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value.join(',') : value;
}

/** Decodes a raw query string into the map the signer canonicalizes (it re-encodes). */
function parseQuery(raw: string): Record<string, string | string[]> {
    const query: Record<string, string | string[]> = {};
    if (!raw) return query;
    for (const part of raw.split('&')) {
        if (!part) continue;
        const eq = part.indexOf('=');
        const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
        const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, '%20'));
        const existing = query[key];
        query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return query;
}

/**
 * Recomputes the signature of `request` with `secretAccessKey` and compares it with the
 * one sent. The payload hash is checked too: x-amz-content-sha256 must match the body
 * unless it is UNSIGNED-PAYLOAD (which S3 allows).
 */
export async function verifySignature(
    request: ReceivedRequest,
    auth: ParsedAuthorization,
    secretAccessKey: string,
    sessionToken: string | undefined,
    now = Date.now(),
): Promise<SignatureProblem | undefined> {
    const signingDate = parseAmzDate(headerValue(request.headers['x-amz-date']));
    if (!signingDate) return 'missing-date';
    if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) return 'expired';
    const declaredHash = headerValue(request.headers['x-amz-content-sha256']);
    const bodyHash = createHash('sha256').update(request.body).digest('hex');
    if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== bodyHash) return 'payload-hash';
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
        const value = headerValue(request.headers[name]);
        if (value !== undefined) headers[name] = value;
    }
    const signer = signerFor(auth.accessKeyId, secretAccessKey, sessionToken, auth.service === 's3');
    const signed = await signer.sign(
        { method: request.method, protocol: 'http:', hostname: 'localhost', path: request.rawPath, query: parseQuery(request.rawQuery), headers, body: request.body },
        {
            signingDate,
            signingRegion: auth.region,
            signingService: auth.service,
            // Sign exactly the headers the client signed, nothing the signer would add or drop.
            signableHeaders: new Set(auth.signedHeaders),
        },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
    const sentSignedHeaders = /SignedHeaders=([^,]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
    if (sentSignedHeaders !== auth.signedHeaders.join(';')) return 'mismatch';
    return expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature)) ? undefined : 'mismatch';
}
