// Opaque page tokens. A token encodes the offset and the operation it belongs to, so a
// token passed to another operation is refused the way AWS refuses it.
import { type AwsError } from './wire/protocols';

/** One page of `items` and the token for the next, if any. */
export interface Page<T> {
    items: T[];
    next?: string;
}

/** Returns the page at `token` (or the first), `pageSize` long. */
export function pageOf<T>(items: readonly T[], token: string | undefined, pageSize: number, scope: string, invalidTokenError: AwsError): Page<T> {
    let offset = 0;
    if (token) {
        const decoded = decodeToken(token);
        if (!decoded || decoded.scope !== scope || decoded.offset > items.length) throw invalidTokenError;
        offset = decoded.offset;
    }
    const end = Math.min(items.length, offset + pageSize);
    return { items: items.slice(offset, end), next: end < items.length ? encodeToken(scope, end) : undefined };
}

function encodeToken(scope: string, offset: number): string {
    return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

function decodeToken(token: string): { scope: string; offset: number } | undefined {
    try {
        const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; o?: unknown };
        return typeof value.s === 'string' && Number.isInteger(value.o) && (value.o as number) >= 0 ? { scope: value.s, offset: value.o as number } : undefined;
    } catch {
        return undefined;
    }
}

/** Parses an integer page-size parameter and checks its range, as each service documents it. */
export function pageSize(raw: unknown, name: string, min: number, max: number, fallback: number, error: (message: string) => AwsError): number {
    if (raw === undefined || raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw error(`Value '${String(raw)}' for ${name} is invalid: it must be an integer from ${min} to ${max}.`);
    return n;
}
