/**
 * What the last scan of an account covered, per type, for every provider: the Classic AWS
 * types (awsCoverage), the types Cloud Control skipped, was denied or failed on (`--all-types`),
 * the Kubernetes kinds, a stack's state. Derived from the scan status alone (its errors and
 * skipped types), so nothing more is stored. What `policy-insights account coverage` prints.
 */
import type { Account, ServiceError } from '../shared/model';
import { awsCoverage, isDenied, type CoverageState, type TypeCoverage } from './aws/awsCoverage';
import { KUBERNETES_KINDS, kindServiceName, pulumiTypeOf } from './kubernetes/kubernetesKinds';

export type { CoverageState, TypeCoverage };

export interface AccountCoverage {
    account: string;
    /** The last scan's status; absent: never scanned (then `types` is empty). */
    scanStatus?: string;
    finishedAt?: string;
    types: TypeCoverage[];
}

/** The regions (or namespaces) and the first error of `errors`, as a coverage entry's detail. */
function failure(type: string, service: string, errors: readonly ServiceError[]): TypeCoverage {
    const regions = [...new Set(errors.map((e) => e.region).filter((r): r is string => r !== undefined))].sort();
    return { type, service, state: errors.every((e) => isDenied(e.code)) ? 'denied' : 'failed', ...(regions.length ? { regions } : {}), code: errors[0].code, message: errors[0].message };
}

/** Cloud Control (`--all-types`): every other type, with the ones skipped, denied or failed named. */
function cloudControlCoverage(errors: readonly ServiceError[], skipped: readonly ServiceError[]): TypeCoverage[] {
    const out: TypeCoverage[] = [];
    // the registry itself, or a whole region's listing, failed: nothing of Cloud Control is known there
    const whole = errors.filter((e) => (e.service === 'cloudcontrol' || e.service === 'cloudformation') && e.type === undefined);
    out.push(whole.length ? failure('aws-native:* (Cloud Control)', 'cloudcontrol', whole) : { type: 'aws-native:* (Cloud Control)', service: 'cloudcontrol', state: 'scanned' });
    const byType = new Map<string, ServiceError[]>();
    for (const e of errors) if (e.type !== undefined) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
    for (const [type, own] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(failure(type, 'cloudcontrol', own));
    const skippedTypes = new Map<string, ServiceError>();
    for (const e of skipped) if (e.type !== undefined && !skippedTypes.has(e.type)) skippedTypes.set(e.type, e);
    for (const [type, e] of [...skippedTypes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push({ type, service: 'cloudcontrol', state: 'skipped', code: e.code, message: e.message });
    return out;
}

function kubernetesCoverage(errors: readonly ServiceError[]): TypeCoverage[] {
    return KUBERNETES_KINDS.map((kind) => {
        const service = kindServiceName(kind);
        const own = errors.filter((e) => e.service === service);
        return own.length ? failure(pulumiTypeOf(kind), service, own) : { type: pulumiTypeOf(kind), service, state: 'scanned' };
    });
}

export function accountCoverage(account: Account): AccountCoverage {
    const status = account.scanStatus;
    const base = { account: account.name, ...(status ? { scanStatus: status.status } : {}), ...(status?.finishedAt ? { finishedAt: status.finishedAt } : {}) };
    if (!status || status.status === 'running') return { ...base, types: [] };
    const errors = status.errors;
    switch (account.provider) {
        case 'aws':
            return { ...base, types: [...awsCoverage(errors.filter((e) => e.type === undefined)), ...(account.settings.allTypes ? cloudControlCoverage(errors, status.skipped ?? []) : [])] };
        case 'kubernetes':
            return { ...base, types: kubernetesCoverage(errors) };
        case 'pulumi-stack':
            // a stack import reads every resource of the state, whatever its type
            return { ...base, types: [errors.length ? failure('* (every resource in the state)', 'pulumi-stack', errors) : { type: '* (every resource in the state)', service: 'pulumi-stack', state: 'scanned' }] };
    }
}
