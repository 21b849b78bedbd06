/**
 * Reads the Analyzer protocol's messages (pulumirpc AnalyzeDiagnostic, Remediation,
 * AnalyzerInfo) into the runner's plain records. Both paths use it: the host on the
 * messages the SDK's handlers build in process, the gRPC baseline on the messages it
 * receives over the wire, so any difference between the two comes from the pack, not from
 * the conversion. Typed structurally: each side passes its own copy of the generated classes.
 */
import type { EnforcementLevel, PolicyInfo, Severity } from '../shared/model';
import type { PolicyDiagnostic, ProposedRemediation, ResolvedPolicyConfig } from './runnerTypes';
import type { HostPackInfo } from './hostMessages';

/** pulumirpc.EnforcementLevel values. */
const LEVELS: Record<number, EnforcementLevel> = { 0: 'advisory', 1: 'mandatory', 2: 'disabled', 3: 'remediate' };
const LEVEL_VALUES: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };
/** pulumirpc.PolicySeverity values; 0 is unspecified. */
const SEVERITIES: Record<number, Severity> = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };

export function enforcementLevelFromProto(value: number): EnforcementLevel {
    const level = LEVELS[value];
    if (!level) throw new Error(`Unknown pulumirpc.EnforcementLevel ${value}`);
    return level;
}

export function enforcementLevelToProto(level: EnforcementLevel): number {
    return LEVEL_VALUES[level];
}

interface StructLike {
    toJavaScript(): Record<string, unknown>;
}

export interface AnalyzeDiagnosticLike {
    getPolicyname(): string;
    getPolicypackname(): string;
    getPolicypackversion(): string;
    getDescription(): string;
    getMessage(): string;
    getEnforcementlevel(): number;
    getUrn(): string;
    getSeverity(): number;
}

/**
 * The diagnostic as the pack sent it: `urn` is the one the policy passed to reportViolation
 * (empty when none) and the level is the pack's. Each path then attributes it as the engine
 * does (diagnosticAttribution.ts; grpcAnalyzer.ts for the baseline).
 */
export function diagnosticFromProto(d: AnalyzeDiagnosticLike): PolicyDiagnostic {
    const diagnostic: PolicyDiagnostic = {
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        policyName: d.getPolicyname(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: enforcementLevelFromProto(d.getEnforcementlevel()),
        urn: d.getUrn(),
    };
    const severity = SEVERITIES[d.getSeverity()];
    if (severity) diagnostic.severity = severity;
    return diagnostic;
}

export interface RemediationLike {
    getPolicyname(): string;
    getPolicypackname(): string;
    getPolicypackversion(): string;
    getDescription(): string;
    getProperties(): StructLike | undefined;
    getDiagnostic(): string;
}

export function remediationFromProto(r: RemediationLike, urn: string): ProposedRemediation {
    const remediation: ProposedRemediation = {
        policyPackName: r.getPolicypackname(),
        policyPackVersion: r.getPolicypackversion(),
        policyName: r.getPolicyname(),
        description: r.getDescription(),
        urn,
    };
    const properties = r.getProperties();
    if (properties) remediation.properties = properties.toJavaScript();
    if (r.getDiagnostic()) remediation.diagnostic = r.getDiagnostic();
    return remediation;
}

interface PolicyConfigLike {
    getEnforcementlevel(): number;
    getProperties(): StructLike | undefined;
}

interface PolicyInfoLike {
    getName(): string;
    getDisplayname(): string;
    getDescription(): string;
    getEnforcementlevel(): number;
    getConfigschema(): { getProperties(): StructLike | undefined; getRequiredList(): string[] } | undefined;
    getPolicyType(): number;
    getSeverity(): number;
    getFramework(): { getName(): string; getVersion(): string; getReference(): string; getSpecification(): string } | undefined;
    getTagsList(): string[];
    getRemediationSteps(): string;
    getUrl(): string;
}

export interface AnalyzerInfoLike {
    getName(): string;
    getVersion(): string;
    getDisplayname(): string;
    getDescription(): string;
    getPoliciesList(): PolicyInfoLike[];
    getInitialconfigMap(): { forEach(fn: (value: PolicyConfigLike, key: string) => void): void };
}

function policyFromProto(p: PolicyInfoLike): PolicyInfo {
    const policy: PolicyInfo = {
        name: p.getName(),
        description: p.getDescription(),
        enforcementLevel: enforcementLevelFromProto(p.getEnforcementlevel()),
        // POLICY_TYPE_STACK = 2; resource (1) or unknown (0) validate per resource.
        policyType: p.getPolicyType() === 2 ? 'stack' : 'resource',
    };
    if (p.getDisplayname()) policy.displayName = p.getDisplayname();
    const severity = SEVERITIES[p.getSeverity()];
    if (severity) policy.severity = severity;
    const schema = p.getConfigschema();
    if (schema) {
        policy.configSchema = { properties: schema.getProperties()?.toJavaScript() ?? {} };
        if (schema.getRequiredList().length) policy.configSchema.required = schema.getRequiredList();
    }
    const framework = p.getFramework();
    if (framework) {
        policy.framework = {};
        if (framework.getName()) policy.framework.name = framework.getName();
        if (framework.getVersion()) policy.framework.version = framework.getVersion();
        if (framework.getReference()) policy.framework.reference = framework.getReference();
        if (framework.getSpecification()) policy.framework.specification = framework.getSpecification();
    }
    if (p.getTagsList().length) policy.tags = p.getTagsList();
    if (p.getRemediationSteps()) policy.remediationSteps = p.getRemediationSteps();
    if (p.getUrl()) policy.url = p.getUrl();
    return policy;
}

export function packInfoFromProto(ai: AnalyzerInfoLike): HostPackInfo {
    const info: HostPackInfo = { name: ai.getName(), version: ai.getVersion(), policies: ai.getPoliciesList().map(policyFromProto) };
    if (ai.getDisplayname()) info.displayName = ai.getDisplayname();
    if (ai.getDescription()) info.description = ai.getDescription();
    const initial: Record<string, ResolvedPolicyConfig> = {};
    ai.getInitialconfigMap().forEach((value, key) => {
        const entry: ResolvedPolicyConfig = { enforcementLevel: enforcementLevelFromProto(value.getEnforcementlevel()) };
        const props = value.getProperties()?.toJavaScript();
        if (props && Object.keys(props).length) entry.properties = props;
        initial[key] = entry;
    });
    if (Object.keys(initial).length) info.initialConfig = initial;
    return info;
}
