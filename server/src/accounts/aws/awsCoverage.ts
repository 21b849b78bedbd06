/**
 * Which AWS types a scan covered: for each type a discoverer produces, whether it was
 * scanned, denied (the credentials may not read that service) or failed, per region.
 * What `account coverage` and a coverage tree item show; derived from the scan's
 * ServiceErrors, so it needs nothing stored beyond the scan status.
 */
import type { CoverageState, ServiceError, TypeCoverage } from '../../shared/model';

export type { CoverageState, TypeCoverage };
import { AWS_SERVICES } from './awsServiceTypes';

/** Error codes with which AWS (and a Kubernetes API server: Forbidden) says "these credentials may not do that". */
const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthorizationError|Forbidden|UnrecognizedClientException|InvalidClientTokenId|AuthFailure)$/;

function isDenied(code: string): boolean {
    return DENIED.test(code);
}

/**
 * One entry per type. `includesGlobal` false (a scan of one region's child account) marks
 * the global services' types (IAM, CloudFront) skipped.
 */
export function awsCoverage(errors: readonly ServiceError[], includesGlobal = true): TypeCoverage[] {
    const out: TypeCoverage[] = [];
    for (const discoverer of AWS_SERVICES) {
        const own = errors.filter((e) => e.service === discoverer.service);
        for (const type of discoverer.types) {
            if (discoverer.scope === 'global' && !includesGlobal) out.push({ type, service: discoverer.service, state: 'skipped' });
            else out.push(typeCoverage(type, discoverer.service, own));
        }
    }
    return out;
}

/**
 * One type's entry from the errors of what reads it: scanned without any; denied when every
 * error says the credentials may not; else failed. Where (regions, namespaces) and the first
 * error's code and message say why. Every provider's coverage is built with it.
 */
export function typeCoverage(type: string, service: string, errors: readonly ServiceError[]): TypeCoverage {
    if (!errors.length) return { type, service, state: 'scanned' };
    const regions = [...new Set(errors.map((e) => e.region).filter((r): r is string => r !== undefined))].sort();
    return { type, service, state: errors.every((e) => isDenied(e.code)) ? 'denied' : 'failed', ...(regions.length ? { regions } : {}), code: errors[0].code, message: errors[0].message };
}
