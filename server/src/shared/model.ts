/**
 * The records Policy Insights stores and exchanges. Names follow Pulumi Cloud's own
 * records (see the design notes, "Data model"). This module holds their types and the one list (and
 * order) of each closed set of values — statuses, levels, severities, priorities — so client,
 * server, CLI and webviews import it without pulling any other code (names.ts holds the name
 * patterns and the `name/region` parser). test/unit/shared/vocabulary.test.ts fails on a copy
 * anywhere else.
 */

/** How a policy's finding is enforced. Same literals as @pulumi/policy's EnforcementLevel. */
export type EnforcementLevel = 'advisory' | 'mandatory' | 'remediate' | 'disabled';
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ['advisory', 'mandatory', 'remediate', 'disabled'];
/** Weakest to strongest: the panel's level sort and summary bar, and which of two findings of one policy wins (violationLifecycle). */
export const ENFORCEMENT_LEVELS_WEAKEST_FIRST: readonly EnforcementLevel[] = ['disabled', 'advisory', 'remediate', 'mandatory'];
const LEVEL_RANKS = new Map<string, number>(ENFORCEMENT_LEVELS_WEAKEST_FIRST.map((level, i) => [level, i]));
/** A level's strength (disabled 0 ... mandatory 3); -1 for a value that is not a level. */
export function enforcementLevelRank(level: string): number {
    return LEVEL_RANKS.get(level) ?? -1;
}

/** Same literals as @pulumi/policy's PolicySeverity. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const SEVERITY_RANKS = new Map<string | undefined, number>(SEVERITIES.map((severity, i) => [severity, i + 1]));
/** A severity's rank (low 1 ... critical 4); 0 for none (undefined, or a "none" group label), so unset sorts below low. */
export function severityRank(severity: string | undefined): number {
    return SEVERITY_RANKS.get(severity) ?? 0;
}

export type PolicyType = 'resource' | 'stack';
export const POLICY_TYPES: readonly PolicyType[] = ['resource', 'stack'];

export interface PolicyInfo {
    name: string;
    displayName?: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity?: Severity;
    policyType: PolicyType;
    /** JSON schema of the policy's config properties, as declared by the pack. */
    configSchema?: { properties?: Record<string, unknown>; required?: string[] };
    framework?: { name?: string; version?: string; reference?: string; specification?: string };
    tags?: string[];
    remediationSteps?: string;
    url?: string;
}

/** One immutable published version of a pack. */
export interface PolicyPackVersion {
    name: string;
    /** Monotonic integer assigned by the registry, per pack. */
    version: number;
    /** Semver tag from PulumiPolicy.yaml or package.json; published once, ever. */
    versionTag: string;
    displayName?: string;
    policies: PolicyInfo[];
    publishedAt: string;
    /** sha256 of the artifact, checked before every run. */
    digest: string;
    /** Artifact path relative to the store home. */
    artifact?: string;
}

/** Per-policy (or "all") config in a group: a level, or a level plus properties. */
export type PolicyConfigValue = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

export interface AppliedPolicyPack {
    name: string;
    /** Registry version number, or absent when following `latest`. */
    version?: number;
    /** Pinned tag, or "latest" to follow new publishes. */
    versionTag: string;
    config?: Record<string, PolicyConfigValue>;
    /**
     * When this group's binding of the pack (version or config) was last set (ISO time). When
     * several groups bind the same version of a pack to one entity, the most recently modified
     * configuration is enforced (Pulumi's rule); absent on bindings made before it was recorded.
     */
    configModifiedAt?: string;
}

/**
 * Which group's binding of a pack applies to an entity (see groups/effectiveBindings.ts), and
 * the other groups' bindings of that pack it took precedence over, each with the reason.
 */
export interface AppliedBindingInfo {
    group: string;
    mode: GroupMode;
    /** `latest` or the pinned tag, as the group says. */
    follows: string;
    /** The version tag that runs. */
    version: string;
    configModifiedAt?: string;
    overrides: { group: string; mode: GroupMode; follows: string; version?: string; configModifiedAt?: string; reason: string }[];
}

/** A member on which another group's binding of a pack runs instead of this group's, and why. */
export interface PackOverride {
    member: string;
    /** The group whose binding applies there. */
    by: string;
    /** The version tag that runs there. */
    version: string;
    reason: string;
}

/** A policy group with, per pack it enables, the members where another group's binding applies instead. */
export interface PolicyGroupView extends PolicyGroup {
    overriddenOn: Record<string, PackOverride[]>;
    /** Accounts and stacks that are members through a tag rule, with the rule that matched. */
    tagMembers: { member: string; kind: EntityType; rule: string }[];
}

export type EntityType = 'accounts' | 'stacks';
export const ENTITY_TYPES: readonly EntityType[] = ['accounts', 'stacks'];
export type GroupMode = 'audit' | 'preventative';
export const GROUP_MODES: readonly GroupMode[] = ['audit', 'preventative'];

export interface PolicyGroup {
    name: string;
    isDefault: boolean;
    entityType: EntityType;
    mode: GroupMode;
    appliedPolicyPacks: AppliedPolicyPack[];
    /** Account names (`name` for all regions or `name/region`). */
    accounts: string[];
    stacks: string[];
    /**
     * Tag rules ("assign policy groups by stack and account tags"): an account or stack of the
     * group's entity type whose tags meet every condition of any rule is a member, for as long as its tags do.
     */
    tagRules?: TagRule[];
}

/** One tag rule: all its conditions must hold. */
export interface TagRule {
    conditions: TagCondition[];
}

/** A tag with this key, and with this value when one is given. */
export interface TagCondition {
    key: string;
    value?: string;
}

export type AccountProvider = 'aws' | 'pulumi-stack' | 'kubernetes';
export const ACCOUNT_PROVIDERS: readonly AccountProvider[] = ['aws', 'pulumi-stack', 'kubernetes'];
/** How messages and views name an account of each provider. */
export const ACCOUNT_PROVIDER_LABELS: Record<AccountProvider, string> = { aws: 'AWS account', 'pulumi-stack': 'Pulumi stack', kubernetes: 'Kubernetes cluster' };
export type ScanSchedule = 'none' | '12h' | 'daily';
export const SCAN_SCHEDULES: readonly ScanSchedule[] = ['none', '12h', 'daily'];

export interface AccountSettings {
    profile?: string;
    roleArn?: string;
    externalId?: string;
    regions?: string[];
    endpoint?: string;
    /** pulumi-stack: the state file this account imports. */
    stateFile?: string;
    /** kubernetes: the kubeconfig file (absolute path); its credentials are read at scan time, never stored. */
    kubeconfig?: string;
    /** kubernetes: the kubeconfig context, fixed when the account is added. */
    context?: string;
    /** kubernetes: the namespaces to scan; absent: every namespace of the cluster (children follow the cluster). */
    namespaces?: string[];
    /** kubernetes: the API server URL of the context when the account was added (shown, not used to connect). */
    server?: string;
    /** aws: also list every other CloudFormation type through Cloud Control, as `aws-native:` resources (`--all-types`). */
    allTypes?: boolean;
}

export interface ServiceError {
    service: string;
    region?: string;
    /** Cloud Control: the one type (aws-native token) the error is about; absent, the whole service failed. */
    type?: string;
    code: string;
    message: string;
}

/** What a scan did with one type (`policy-insights account coverage`, the Accounts tree's coverage item). */
export type CoverageState = 'scanned' | 'denied' | 'failed' | 'skipped';

export interface TypeCoverage {
    type: string;
    /** The service that reads it (as in scan errors and MAPPING.md). */
    service: string;
    state: CoverageState;
    /** Regions where it was denied or failed (absent: the whole account, or none). */
    regions?: string[];
    /** The first error's code and message, when not scanned. */
    code?: string;
    message?: string;
}

export interface ScanStatus {
    /** `partial`: some services failed (see errors; their resources were kept), the rest were scanned. */
    status: 'running' | 'failed' | 'partial' | 'succeeded';
    resourceCount: number;
    startedAt: string;
    finishedAt?: string;
    errors: ServiceError[];
    /** Cloud Control types the scan could not list and so did not (not listable, need a parent); not failures. */
    skipped?: ServiceError[];
}

export interface Account {
    /** No `/`: children are addressed as `name/region`. */
    name: string;
    provider: AccountProvider;
    settings: AccountSettings;
    /** AWS account id from STS GetCallerIdentity, when known. */
    awsAccountId?: string;
    /** Child account names (`name/region`, `name/namespace` for a cluster); a stack account has none. */
    children: string[];
    scanSchedule: ScanSchedule;
    scanStatus?: ScanStatus;
    /** For pulumi-stack accounts. */
    project?: string;
    stack?: string;
    createdAt: string;
    /** Key -> value tags (`account tag`); policy groups' tag rules match them. */
    tags?: Record<string, string>;
    /**
     * A stack's own tags read from the files beside its state (Pulumi.yaml's runtime and
     * description, `pulumi:tags` config, the file backend's tags file), refreshed at each import;
     * tag rules match them too, and `tags` win where both set a key.
     */
    stackTags?: Record<string, string>;
}

export interface SourcePosition {
    uri: string;
    line: number;
    column?: number;
}

export interface Resource {
    /** Child account (`name/region`) or the parent for global services and stacks. */
    account: string;
    region?: string;
    urn: string;
    /** Pulumi type token, e.g. aws:s3/bucket:Bucket. */
    type: string;
    name: string;
    id?: string;
    provider?: string;
    properties: Record<string, unknown>;
    /** Content hash of type + properties; changes mark the resource changed. */
    hash: string;
    project?: string;
    stack?: string;
    parent?: string;
    dependencies?: string[];
    sourcePosition?: SourcePosition;
    /**
     * Stack resources only, what the engine sends from a state (pulumi/pulumi `stateToAnalyzerResource`):
     * the state's inputs (what resource policies see) and outputs (what stack policies see), its
     * options, its provider resource (URN, type, name, inputs) and property dependencies. Secrets in
     * them are stored as the string "[secret]". Discovered cloud resources send `properties` instead.
     */
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    options?: ResourceOptions;
    providerResource?: ProviderResource;
    propertyDependencies?: Record<string, string[]>;
}

export interface ScanRecord {
    startedAt: string;
    finishedAt?: string;
    status: ScanStatus['status'];
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    errors: ServiceError[];
    /** As ScanStatus.skipped, for this child. */
    skipped?: ServiceError[];
    /** Open violations after the evaluation that followed this scan. */
    openViolations?: number;
}

export type ViolationStatus = 'open' | 'in_progress' | 'by_design' | 'ignored' | 'fixed';
/** Every status, in the order lists, filters and the panel's status sort use. */
export const VIOLATION_STATUSES: readonly ViolationStatus[] = ['open', 'in_progress', 'by_design', 'ignored', 'fixed'];
/** The statuses a user sets by triage: `fixed` is set only by an evaluation, when the finding is gone. */
export type TriageStatus = Exclude<ViolationStatus, 'fixed'>;
export const TRIAGE_STATUSES: readonly TriageStatus[] = ['open', 'in_progress', 'by_design', 'ignored'];
/** What a list shows when no status is asked for (CLI, tree, panel): the violations still to deal with. */
export const DEFAULT_STATUSES: readonly ViolationStatus[] = ['open', 'in_progress'];
const STATUS_RANKS = new Map<string, number>(VIOLATION_STATUSES.map((status, i) => [status, i]));
/** A status's place in VIOLATION_STATUSES; -1 for a value that is not a status. */
export function violationStatusRank(status: string): number {
    return STATUS_RANKS.get(status) ?? -1;
}

export type Priority = 'p0' | 'p1' | 'p2' | 'p3' | 'p4';
/** Most urgent first. */
export const PRIORITIES: readonly Priority[] = ['p0', 'p1', 'p2', 'p3', 'p4'];

export interface Suppression {
    reason: string;
    until: string;
    by?: string;
}

/**
 * One property a remediation changes. `path` is Pulumi's property path: `acl`,
 * `versioning.enabled`, `rules[0].id`, `tags["a.b"]`. `before`/`after` are absent when the
 * property is not set on that side. A secret is `[secret]` on both sides.
 */
export interface PropertyChange {
    path: string;
    before?: unknown;
    after?: unknown;
}

/**
 * What a remediate-level policy's `remediateResource` would do to a resource, as
 * `pulumi policy analyze` reports it ("would be remediated"): the top-level properties it
 * changes, as it was given them and as it returned them, and the paths that differ. (Only
 * the changed top-level properties: the others are the resource's own, stored with it.)
 * Nothing is ever applied.
 */
export interface Remediation {
    /** The changed top-level properties as the remediation was given them (absent: not set). */
    before: Record<string, unknown>;
    /** The same properties as the remediation returned them (absent: removed). */
    after: Record<string, unknown>;
    /** Never empty: a remediation that returns its input unchanged is no record (the engine shows nothing either). */
    changes: PropertyChange[];
}

/**
 * A policy issue on a resource (or an account or stack). Two kinds share this record, its
 * life cycle, triage, suppression, filters, counts and exports:
 * - a violation, reported by a policy's `validateResource`/`validateStack` (`level` advisory or
 *   mandatory; a remediate-level policy's violation is stored as mandatory, the engine's downgrade);
 * - a remediation, when `remediation` is set: level `remediate`, `message` says what would
 *   change ("Would change acl: public-read → private"). It is open while the remediation still
 *   changes the resource and fixed when it stops. Its id differs from the same policy's
 *   violation on the same resource (see violationKey.ts), so a policy can have both.
 */
export interface Violation {
    id: string;
    entityType: 'stack' | 'insights-account';
    entityId: string;
    project?: string;
    policyPack: string;
    policyPackTag: string;
    policyName: string;
    policyGroupName: string;
    resourceURN: string;
    resourceType: string;
    resourceName: string;
    message: string;
    level: EnforcementLevel;
    severity?: Severity;
    kind: GroupMode;
    observedAt: string;
    lastSeenAt: string;
    resolvedAt?: string;
    status: ViolationStatus;
    priority?: Priority;
    assignedTo?: string;
    suppression?: Suppression;
    /** Set on a remediation record (see above). */
    remediation?: Remediation;
}

/**
 * A resource's options as the engine sends them (pulumirpc.AnalyzerResourceOptions; pulumi/pulumi
 * `stateToAnalyzerResource` fills them from the state: protect, ignoreChanges,
 * additionalSecretOutputs, aliases, customTimeouts, parent). Absent fields are sent as the
 * proto's defaults, as the engine does.
 */
export interface ResourceOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    /** Undefined: not set (the proto's `deleteBeforeReplaceDefined` false). */
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    /** Alias URNs. */
    aliases?: string[];
    /** Seconds, as in the state and the proto. */
    customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
}

/** The provider resource of a resource, as the engine sends it: the provider's URN, type, name and inputs. */
export interface ProviderResource {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
}
