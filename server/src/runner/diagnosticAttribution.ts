/**
 * Which resource a diagnostic belongs to, and at which level it is reported, as the Pulumi
 * engine decides after a pack answers (pulumi/pulumi `pkg/resource/deploy/analyze_snapshot.go`,
 * the same rules in `step_generator.go`):
 * - a resource policy's diagnostic belongs to the analyzed resource, whatever URN the policy
 *   passed to reportViolation;
 * - a stack policy's diagnostic keeps its URN only when that URN is one of the analyzed
 *   resources, else it goes to the stack's root URN;
 * - a diagnostic at level `remediate` is reported `mandatory` (a remediation ran, yet the
 *   violation remains; stack policies cannot remediate).
 * This is the runner's implementation; the gRPC baseline has its own, written after the Go
 * code, so the equivalence tests compare two.
 */
import type { PolicyDiagnostic, RunnerResource } from './runnerTypes';

const URN_PREFIX = 'urn:pulumi:';
const ROOT_STACK_TYPE = 'pulumi:pulumi:Stack';

function reportedLevel(d: PolicyDiagnostic): PolicyDiagnostic['enforcementLevel'] {
    return d.enforcementLevel === 'remediate' ? 'mandatory' : d.enforcementLevel;
}

/** A resource policy's diagnostic, attributed to the resource it analyzed. */
export function attributeResourceDiagnostic(d: PolicyDiagnostic, analyzedUrn: string): PolicyDiagnostic {
    return { ...d, urn: analyzedUrn, enforcementLevel: reportedLevel(d) };
}

/** A URN the engine accepts: `urn:pulumi:` and at least three `::` (stack, project, type, name). */
function isValidUrn(urn: string): boolean {
    return urn.startsWith(URN_PREFIX) && urn.split('::').length >= 4;
}

/**
 * The URN stack-level diagnostics fall back to: the root `pulumi:pulumi:Stack` resource
 * (the one without a parent), else `urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<project>-<stack>`
 * from the first valid URN, else empty (no resources).
 */
export function rootStackUrn(resources: readonly RunnerResource[]): string {
    let fallback = '';
    for (const r of resources) {
        if (!isValidUrn(r.urn)) continue;
        if (r.type === ROOT_STACK_TYPE && !r.parent) return r.urn;
        if (!fallback) {
            const [stack, project] = r.urn.slice(URN_PREFIX.length).split('::');
            fallback = `${URN_PREFIX}${stack}::${project}::${ROOT_STACK_TYPE}::${project}-${stack}`;
        }
    }
    return fallback;
}

/** Attributes the diagnostics of stack policies run over `resources`. */
export function stackDiagnosticAttribution(resources: readonly RunnerResource[]): (d: PolicyDiagnostic) => PolicyDiagnostic {
    const analyzed = new Set(resources.map((r) => r.urn));
    const root = rootStackUrn(resources);
    return (d) => ({ ...d, urn: analyzed.has(d.urn) ? d.urn : root, enforcementLevel: reportedLevel(d) });
}
