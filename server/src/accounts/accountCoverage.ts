/**
 * What the last scan of an account covered, per type, for every provider: the Classic AWS
 * types (awsCoverage), the types Cloud Control skipped, was denied or failed on (`--all-types`),
 * the Kubernetes kinds, a stack's state. Derived from the scan status alone (its errors and
 * skipped types), so nothing more is stored. What `policy-insights account coverage` prints.
 */
import type { Account, ServiceError } from '../shared/model';
import { CLOUD_CONTROL_SERVICE } from './aws/awsServiceTypes';
import { awsCoverage, typeCoverage, type CoverageState, type TypeCoverage } from './aws/awsCoverage';
import { KUBERNETES_KINDS, kindServiceName, pulumiTypeOf } from './kubernetes/kubernetesKinds';

export type { CoverageState, TypeCoverage };

export interface AccountCoverage {
    account: string;
    /** The last scan's status; absent: never scanned (then `types` is empty). */
    scanStatus?: string;
    finishedAt?: string;
    types: TypeCoverage[];
}

/** Cloud Control (`--all-types`): every other type, with the ones skipped, denied or failed named. */
function cloudControlCoverage(errors: readonly ServiceError[], skipped: readonly ServiceError[]): TypeCoverage[] {
    const out: TypeCoverage[] = [];
    // the registry (read inside the Cloud Control task) or a whole region's listing failed: nothing of Cloud Control is known there
    const whole = errors.filter((e) => e.service === CLOUD_CONTROL_SERVICE && e.type === undefined);
    out.push(typeCoverage('aws-native:* (Cloud Control)', CLOUD_CONTROL_SERVICE, whole));
    const byType = new Map<string, ServiceError[]>();
    for (const e of errors) if (e.type !== undefined) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
    for (const [type, own] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(typeCoverage(type, CLOUD_CONTROL_SERVICE, own));
    const skippedTypes = new Map<string, ServiceError>();
    for (const e of skipped) if (e.type !== undefined && !skippedTypes.has(e.type)) skippedTypes.set(e.type, e);
    for (const [type, e] of [...skippedTypes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push({ type, service: CLOUD_CONTROL_SERVICE, state: 'skipped', code: e.code, message: e.message });
    return out;
}

function kubernetesCoverage(errors: readonly ServiceError[]): TypeCoverage[] {
    return KUBERNETES_KINDS.map((kind) => {
        const service = kindServiceName(kind);
        return typeCoverage(pulumiTypeOf(kind), service, errors.filter((e) => e.service === service));
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
            return { ...base, types: [typeCoverage('* (every resource in the state)', 'pulumi-stack', errors)] };
    }
}
