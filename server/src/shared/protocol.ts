/**
 * Every custom request and notification between the extension (client) and the language
 * server, defined once. Client, server, CLI tests and the protocol check
 * (test/lsp/contributions.test.ts) import these namespaces; nobody spells a method string
 * anywhere else.
 *
 * Each namespace says which side sends it.
 */
import { NotificationType, NotificationType0, RequestType, RequestType0, type Diagnostic } from 'vscode-languageserver-protocol';
import type { GroupBy, PanelFilter, PanelSort } from './panelProtocol';
import type { Account, EnforcementLevel, EntityType, GroupMode, PolicyConfigValue, PolicyGroup, PolicyGroupView, PolicyPackVersion, Resource, ScanRecord, ScanSchedule, TypeCoverage, Violation } from './model';

/** What the client passes in `initializationOptions`. */
export interface InitializationOptions {
    /** The `policyInsights.home` setting (empty = default). */
    home?: string;
    /** Workspace Trust: packs run only in a trusted workspace. */
    trusted?: boolean;
    /** The `policyInsights.packs.environmentGrants` setting: packs whose hosts inherit the whole environment. */
    environmentGrants?: string[];
    /**
     * The `policyInsights.runner.timeoutMs` setting: how long one policy may run on one resource.
     * Later changes arrive in `workspace/didChangeConfiguration` (settings.policyInsights.runner.timeoutMs).
     */
    runnerTimeoutMs?: number;
}

/** Which part of the store changed; trees refresh only what changed. */
export type StoreScope = 'packs' | 'groups' | 'accounts' | 'violations';

// ---------------------------------------------------------------------------------------
// Server state

export type ServerState = 'starting' | 'ready' | 'degraded';

export interface ServerStatusParams {
    state: ServerState;
    /** The store home the server uses. */
    home: string;
    /** Why the state is not `ready` (a damaged file that was recovered, an unwritable home, a failed write). */
    message?: string;
    /** The file `message` is about (a recovered store file), for "Reveal in File Explorer". */
    path?: string;
    /** Whether this window is trusted to run policy packs (Workspace Trust). */
    trusted: boolean;
}

/** server -> client: the server's state changed (shown in the status bar). */
export namespace ServerStatusNotification {
    export const method = 'policyInsights/serverStatus';
    export const type = new NotificationType<ServerStatusParams>(method);
}

/** client -> server: the state now, for a status bar that starts after the server. */
export namespace GetServerStatusRequest {
    export const method = 'policyInsights/getServerStatus';
    export const type = new RequestType0<ServerStatusParams, void>(method);
}

export interface StoreChangedParams {
    scopes: StoreScope[];
    /** Accounts whose shard changed, when known. */
    accounts?: string[];
}

/** server -> client: the store changed (by this window, another window or the CLI). */
export namespace StoreChangedNotification {
    export const method = 'policyInsights/storeChanged';
    export const type = new NotificationType<StoreChangedParams>(method);
}

// ---------------------------------------------------------------------------------------
// Reads that feed the tree views

/** client -> server: every stored pack version, newest version first within a pack. */
export namespace ListPacksRequest {
    export const method = 'policyInsights/listPacks';
    export const type = new RequestType0<PolicyPackVersion[], void>(method);
}

/** client -> server: every policy group, default first, with where another group's binding of its packs applies instead. */
export namespace ListGroupsRequest {
    export const method = 'policyInsights/listGroups';
    export const type = new RequestType0<PolicyGroupView[], void>(method);
}

export interface AccountSummary extends Account {
    /** Resources per child account (or the account itself for global services / stacks). */
    resourceCounts: Record<string, number>;
    lastScan?: ScanRecord;
    /** What the last scan covered (absent: never scanned, or scanning): how many types were read, and the others with why. */
    coverage?: { scanned: number; notScanned: TypeCoverage[] };
}

/** client -> server: every account with its resource counts. */
export namespace ListAccountsRequest {
    export const method = 'policyInsights/listAccounts';
    export const type = new RequestType0<AccountSummary[], void>(method);
}

/** How the Violations tree groups violations. */
export type ViolationGrouping = Exclude<GroupBy, 'none'>;

/**
 * A query of the violation query service (server/src/violations/violationQuery.ts), which
 * also answers the Policy Violations panel and `policy-insights violations`: the same
 * filter returns the same rows everywhere.
 */
export interface ListViolationsParams {
    /** The panel's filter (panelProtocol.ts); default: open and in progress, suppressed ones hidden. */
    filter?: PanelFilter;
    /** Default: last seen newest first. */
    sort?: PanelSort;
    /** Only the violations of one group of ViolationGroupsRequest (a tree node's children). */
    group?: { groupBy: ViolationGrouping; key: string };
    offset?: number;
    /** Rows to return (default: all). 0 asks for the total only, as the status bar does. */
    limit?: number;
}

export interface ListViolationsResult {
    violations: Violation[];
    /** Violations that matched, before offset and limit. */
    total: number;
}

/** client -> server: violations for the Violations tree (a group's children) and the status bar (the total). */
export namespace ListViolationsRequest {
    export const method = 'policyInsights/listViolations';
    export const type = new RequestType<ListViolationsParams, ListViolationsResult, void>(method);
}

export interface ViolationGroupsParams {
    groupBy: ViolationGrouping;
    filter?: PanelFilter;
}

/** One group of matching violations, most severe (severity) or alphabetically (the others) first. */
export interface ViolationGroup {
    /** `pack/policy`, the account, or the severity (`none` when unset); ListViolationsParams.group takes it. */
    key: string;
    /** How the group reads: the policy name, the account, the severity (`unspecified` when unset). */
    label: string;
    count: number;
    /** The policy pack of a policy group. */
    policyPack?: string;
    /** The panel filter that shows the group's violations; absent when no filter can (violations without a severity). */
    filter?: PanelFilter;
}

export interface ViolationGroupsResult {
    groups: ViolationGroup[];
    /** Violations in all the groups. */
    total: number;
}

/** client -> server: the Violations tree's groups with their counts (children come from ListViolationsRequest). */
export namespace ViolationGroupsRequest {
    export const method = 'policyInsights/violationGroups';
    export const type = new RequestType<ViolationGroupsParams, ViolationGroupsResult, void>(method);
}

// ---------------------------------------------------------------------------------------
// Policy packs: scaffold, install, publish, remove

export interface TemplateSummary {
    name: string;
    description: string;
    language: 'typescript' | 'javascript';
}

/** client -> server: the policy pack templates shipped with the extension. */
export namespace ListTemplatesRequest {
    export const method = 'policyInsights/listTemplates';
    export const type = new RequestType0<TemplateSummary[], void>(method);
}

export interface ScaffoldPackParams {
    template: string;
    /** Absolute folder; its name becomes the pack name. */
    dir: string;
    force?: boolean;
}

export interface ScaffoldPackResult {
    packName: string;
    dir: string;
    /** index.ts or index.js, to open. */
    entry: string;
    files: string[];
}

/** client -> server: write a template into a folder (no npm install). */
export namespace ScaffoldPackRequest {
    export const method = 'policyInsights/scaffoldPack';
    export const type = new RequestType<ScaffoldPackParams, ScaffoldPackResult, void>(method);
}

/** client -> server: run `npm install` in a pack folder; cancel the request to stop it. */
export namespace InstallDependenciesRequest {
    export const method = 'policyInsights/installDependencies';
    export const type = new RequestType<{ dir: string }, void, void>(method);
}

/** server -> client: output of a running `npm install`, for the output channel. */
export namespace InstallOutputNotification {
    export const method = 'policyInsights/installOutput';
    export const type = new NotificationType<{ dir: string; text: string }>(method);
}

/** client -> server: validate, bundle and publish the pack in `packDir`. */
export namespace PublishPackRequest {
    export const method = 'policyInsights/publishPack';
    export const type = new RequestType<{ packDir: string }, PolicyPackVersion, void>(method);
}

/** client -> server: remove a published version (or `all`); refused while a group uses it. */
export namespace RemovePackVersionRequest {
    export const method = 'policyInsights/removePackVersion';
    export const type = new RequestType<{ pack: string; versionTag: string }, PolicyPackVersion[], void>(method);
}

// ---------------------------------------------------------------------------------------
// Accounts: add, scan, browse resources

/** client -> server: profile names from ~/.aws/config and ~/.aws/credentials. */
export namespace ListAwsProfilesRequest {
    export const method = 'policyInsights/listAwsProfiles';
    export const type = new RequestType0<{ name: string; region?: string }[], void>(method);
}

export interface AddAwsAccountParams {
    name: string;
    profile?: string;
    roleArn?: string;
    externalId?: string;
    regions: string[];
    endpoint?: string;
    scanSchedule?: ScanSchedule;
    /** Also list every other type through Cloud Control (`--all-types`). */
    allTypes?: boolean;
}

/** client -> server: check the credentials (STS GetCallerIdentity) and add the account. */
export namespace AddAwsAccountRequest {
    export const method = 'policyInsights/addAwsAccount';
    export const type = new RequestType<AddAwsAccountParams, Account, void>(method);
}

/** client -> server: add a Pulumi stack from its state file (export or file backend). */
export namespace AddStackAccountRequest {
    export const method = 'policyInsights/addStackAccount';
    export const type = new RequestType<{ name: string; stateFile: string; scanSchedule?: ScanSchedule }, Account, void>(method);
}

/** One context of a kubeconfig, as the "Add Kubernetes Cluster" picker shows it. */
export interface KubeContextInfo {
    name: string;
    cluster: string;
    /** The cluster's API server URL. */
    server?: string;
    /** The context's default namespace, when it sets one. */
    namespace?: string;
    /** The file's current-context. */
    current: boolean;
}

/** client -> server: the contexts of a kubeconfig (absent: `$KUBECONFIG`'s first file, else ~/.kube/config), and the file read. */
export namespace ListKubeContextsRequest {
    export const method = 'policyInsights/listKubeContexts';
    export const type = new RequestType<{ kubeconfig?: string }, { kubeconfig: string; contexts: KubeContextInfo[] }, void>(method);
}

export interface AddKubernetesAccountParams {
    name: string;
    kubeconfig: string;
    /** Absent: the file's current-context (recorded). */
    context?: string;
    /** Absent: every namespace of the cluster. */
    namespaces?: string[];
    scanSchedule?: ScanSchedule;
}

/** client -> server: check the context reaches its cluster and add it as an account (namespaces as children). */
export namespace AddKubernetesAccountRequest {
    export const method = 'policyInsights/addKubernetesAccount';
    export const type = new RequestType<AddKubernetesAccountParams, Account, void>(method);
}

/** client -> server: remove an account, its stored resources and violations. */
export namespace RemoveAccountRequest {
    export const method = 'policyInsights/removeAccount';
    export const type = new RequestType<{ name: string }, void, void>(method);
}

/** client -> server: set an account's scan schedule. */
export namespace SetScanScheduleRequest {
    export const method = 'policyInsights/setScanSchedule';
    export const type = new RequestType<{ name: string; schedule: ScanSchedule }, Account, void>(method);
}

/** A finished scan: its record's counts and errors, and what was scanned. */
export interface ScanSummary extends Pick<ScanRecord, 'status' | 'added' | 'changed' | 'removed' | 'unchanged' | 'errors'> {
    account: string;
    /** What was asked: `name` or `name/region`. */
    scanned: string;
}

/** client -> server: scan now (`name` or `name/region`); cancel the request to stop the scan. */
export namespace ScanAccountRequest {
    export const method = 'policyInsights/scanAccount';
    export const type = new RequestType<{ name: string }, ScanSummary, void>(method);
}

/** server -> client: progress of a running scan (manual, scheduled or a stack re-import). */
export namespace ScanProgressNotification {
    export const method = 'policyInsights/scanProgress';
    export const type = new NotificationType<{ account: string; service: string; region?: string; done: number; total: number }>(method);
}

/** server -> client: a scan finished, with its delta. */
export namespace ScanFinishedNotification {
    export const method = 'policyInsights/scanFinished';
    export const type = new NotificationType<ScanSummary & { trigger: 'manual' | 'schedule' | 'file-change' }>(method);
}

/** client -> server: resource counts by type for a child account (`name/region`, or `name` for global/stack). */
export namespace ListResourceTypesRequest {
    export const method = 'policyInsights/listResourceTypes';
    export const type = new RequestType<{ account: string }, { type: string; count: number }[], void>(method);
}

export interface ResourceSummary {
    urn: string;
    type: string;
    name: string;
    id?: string;
}

export interface ListResourcesParams {
    /** An account (all its children) or one child (`name/region`). */
    account: string;
    type?: string;
    /** Case-insensitive: the resources whose name, id or URN contains it (spaces around it ignored; blank = no search). */
    search?: string;
    /**
     * At most this many: the first matches in the stored order (the order the Accounts tree
     * lists), so a type of 100,000 resources is not sent whole. Without it, every match.
     */
    limit?: number;
}

/** client -> server: the resources of one type in a child account (no properties: the tree needs names). */
export namespace ListResourcesRequest {
    export const method = 'policyInsights/listResources';
    export const type = new RequestType<ListResourcesParams, ResourceSummary[], void>(method);
}

/** client -> server: one stored resource with its properties (the read-only resource document). */
export namespace GetResourceRequest {
    export const method = 'policyInsights/getResource';
    export const type = new RequestType<{ account: string; urn: string }, Resource | null, void>(method);
}

/** client -> server: diagnostics for an open resource document (its text as the client shows it). */
export namespace ResourceDiagnosticsRequest {
    export const method = 'policyInsights/resourceDiagnostics';
    export const type = new RequestType<{ account: string; urn: string; text: string }, Diagnostic[], void>(method);
}

// ---------------------------------------------------------------------------------------
// Policy groups and evaluation

export interface CreateGroupParams {
    name: string;
    entityType?: EntityType;
    mode?: GroupMode;
}

/** client -> server: create a policy group. */
export namespace CreateGroupRequest {
    export const method = 'policyInsights/createGroup';
    export const type = new RequestType<CreateGroupParams, PolicyGroup, void>(method);
}

export interface EditGroupParams {
    name: string;
    addAccounts?: string[];
    removeAccounts?: string[];
    addStacks?: string[];
    removeStacks?: string[];
    mode?: GroupMode;
}

/** client -> server: add or remove accounts/stacks, change the mode. */
export namespace EditGroupRequest {
    export const method = 'policyInsights/editGroup';
    export const type = new RequestType<EditGroupParams, PolicyGroup, void>(method);
}

/** client -> server: remove a policy group (not the default one). */
export namespace RemoveGroupRequest {
    export const method = 'policyInsights/removeGroup';
    export const type = new RequestType<{ name: string }, void, void>(method);
}

export interface EnablePackParams {
    group: string;
    pack: string;
    /** `latest` or a published tag. */
    versionTag: string;
    /** Policy name or `all` -> level or {enforcementLevel, ...properties}. */
    config?: Record<string, PolicyConfigValue>;
}

/** client -> server: bind a pack version to a group (replaces an earlier binding of that pack). */
export namespace EnablePackRequest {
    export const method = 'policyInsights/enablePack';
    export const type = new RequestType<EnablePackParams, PolicyGroup, void>(method);
}

/** client -> server: unbind a pack from a group. */
export namespace DisablePackRequest {
    export const method = 'policyInsights/disablePack';
    export const type = new RequestType<{ group: string; pack: string }, PolicyGroup, void>(method);
}

export interface ValidatePackConfigParams {
    pack: string;
    /** A published version tag, its registry version number, or `latest`. */
    versionTag: string;
    /** The config to check (policy name or `all` -> level or {enforcementLevel, ...properties}). */
    config?: unknown;
    /** Or a JSON (YAML for .yaml/.yml) file the server reads it from; `config` wins when both are given. */
    file?: string;
    /** Only the errors about this property of this policy (a form asking one property at a time). */
    only?: { policy: string; property: string };
}

export interface ValidatePackConfigResult {
    pack: string;
    /** The version checked against (`latest` resolved). */
    versionTag: string;
    version: number;
    /** Every problem at its JSON path into the config (`$["policy"].prop`); empty when valid. */
    errors: { path: string; message: string }[];
}

/** client -> server: check a pack config against a published version, with `policy validate-config`'s rules. */
export namespace ValidatePackConfigRequest {
    export const method = 'policyInsights/validatePackConfig';
    export const type = new RequestType<ValidatePackConfigParams, ValidatePackConfigResult, void>(method);
}

export interface AnalyzeStateFileParams {
    /** A `pulumi stack export` or file-backend state; default: the stored stack's own file when `stack` is given. */
    stateFile?: string;
    /** Policy groups whose published packs run (with their levels and config). */
    groups?: string[];
    /** A stored stack (account name or `project/stack`): the groups it belongs to. */
    stack?: string;
}

export interface AnalyzeStateFileFinding {
    urn: string;
    policyPack: string;
    policyPackVersion: string;
    policyName: string;
    level: EnforcementLevel;
    message: string;
    /** The group whose binding of the pack ran, and its mode. */
    group?: string;
    mode?: GroupMode;
    /** A mandatory finding of a preventative group: it fails the gate. */
    blocking: boolean;
}

export interface AnalyzeStateFileResult {
    stateFile: string;
    project?: string;
    stack?: string;
    resourceCount: number;
    findings: AnalyzeStateFileFinding[];
    /** Remediations that would change a resource: `pack/policy on urn: key before -> after`, one line each. */
    remediations: string[];
    /** Policy errors and bindings that could not run, one line each. */
    errors: string[];
    warnings: string[];
    /** The groups that ran, `name (mode)`. */
    groups: string[];
    /** What `analyze` would exit with: a blocking finding or a policy error of a preventative group. */
    failed: boolean;
}

/** client -> server: "Analyze State File…", what `policy-insights analyze --file F --policy-group G | --stack S` does. */
export namespace AnalyzeStateFileRequest {
    export const method = 'policyInsights/analyzeStateFile';
    export const type = new RequestType<AnalyzeStateFileParams, AnalyzeStateFileResult, void>(method);
}

export interface EvaluationSummary {
    trigger: 'scan' | 'catalog' | 'all';
    accounts: string[];
    opened: number;
    resolved: number;
    stillOpen: number;
    /** Packs or policies that could not run, one line each. */
    problems: string[];
}

/** client -> server: "Evaluate Now", a full evaluation (of `accounts`, or of everything). */
export namespace EvaluateNowRequest {
    export const method = 'policyInsights/evaluateNow';
    export const type = new RequestType<{ accounts?: string[] }, EvaluationSummary, void>(method);
}

/** server -> client: an evaluation finished (after a scan, a catalog change or Evaluate Now). */
export namespace EvaluationFinishedNotification {
    export const method = 'policyInsights/evaluationFinished';
    export const type = new NotificationType<EvaluationSummary>(method);
}

// ---------------------------------------------------------------------------------------
// Trying a working copy on real resources (the "Run against <account>" CodeLens)

export interface RunPolicyParams {
    packDir: string;
    policyName: string;
    /** An account (all its regions) or `name/region`. */
    account: string;
}

export interface RunPolicyResult {
    policyName: string;
    account: string;
    resourceCount: number;
    /** The findings: resource URN and the policy's message. */
    findings: { urn: string; message: string; enforcementLevel: EnforcementLevel }[];
    /** Policies that threw or timed out, one line each. */
    errors: string[];
}

/** client -> server: run one policy of a pack's working copy against an account's stored resources. */
export namespace RunPolicyRequest {
    export const method = 'policyInsights/runPolicy';
    export const type = new RequestType<RunPolicyParams, RunPolicyResult, void>(method);
}

// ---------------------------------------------------------------------------------------
// Workspace Trust

/** client -> server: the user trusted the workspace; policy packs may run from now on. */
export namespace WorkspaceTrustedNotification {
    export const method = 'policyInsights/workspaceTrusted';
    export const type = new NotificationType0(method);
}
