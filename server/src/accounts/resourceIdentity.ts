/**
 * Resource identity: stable URNs and content hashes.
 *
 * URN scheme for discovered cloud resources (documented in aws/MAPPING.md):
 *   urn:pulumi:<account>::<region-or-global>::<type>::<key>
 * where <account> is the parent account name, <region-or-global> the resource's region or
 * `global` for global services (IAM), <type> the Pulumi type token and <key> the
 * resource's unique name or id in its region (bucket name, instance id, role name, ...).
 * The same cloud resource gets the same URN on every scan, so changes are matched by URN.
 * Stack resources keep the URN Pulumi gave them.
 */
import { createHash } from 'node:crypto';

export const GLOBAL_REGION = 'global';

export function resourceUrn(account: string, region: string | undefined, type: string, key: string): string {
    return `urn:pulumi:${account}::${region ?? GLOBAL_REGION}::${type}::${key}`;
}

/**
 * JSON with object keys sorted at every level and undefined members dropped, so the
 * same content always hashes the same whatever order the API returned fields in.
 */
export function canonicalJson(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
    const entries = Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of type + properties: a change of either marks the resource changed. */
export function resourceHash(type: string, properties: Record<string, unknown>): string {
    return createHash('sha256').update(canonicalJson({ type, properties })).digest('hex');
}
