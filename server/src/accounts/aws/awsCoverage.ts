/**
 * Which AWS types a scan covered: for each type a discoverer produces, whether it was
 * scanned, denied (the credentials may not read that service) or failed, per region.
 * What `account coverage` and a coverage tree item show; derived from the scan's
 * ServiceErrors, so it needs nothing stored beyond the scan status.
 */
import type { CoverageState, ServiceError, TypeCoverage } from '../../shared/model';

export type { CoverageState, TypeCoverage };
import { DISCOVERERS } from './awsDiscovery';

/** Error codes with which AWS (and a Kubernetes API server: Forbidden) says "these credentials may not do that". */
const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthorizationError|Forbidden|UnrecognizedClientException|InvalidClientTokenId|AuthFailure)$/;

export function isDenied(code: string): boolean {
    return DENIED.test(code);
}

/**
 * One entry per type. `includesGlobal` false (a scan of one region's child account) marks
 * the global services' types (IAM, CloudFront) skipped.
 */
export function awsCoverage(errors: readonly ServiceError[], includesGlobal = true): TypeCoverage[] {
    const out: TypeCoverage[] = [];
    for (const discoverer of DISCOVERERS) {
        const own = errors.filter((e) => e.service === discoverer.service);
        const denied = own.length > 0 && own.every((e) => isDenied(e.code));
        const regions = [...new Set(own.map((e) => e.region).filter((r): r is string => r !== undefined))].sort();
        for (const type of discoverer.types) {
            if (discoverer.scope === 'global' && !includesGlobal) out.push({ type, service: discoverer.service, state: 'skipped' });
            else if (own.length === 0) out.push({ type, service: discoverer.service, state: 'scanned' });
            else out.push({ type, service: discoverer.service, state: denied ? 'denied' : 'failed', ...(regions.length ? { regions } : {}), code: own[0].code, message: own[0].message });
        }
    }
    return out;
}
