/**
 * The Policy Violations panel's messages, defined once: the LSP requests the extension host
 * sends to the server on the panel's behalf, and the typed messages between the webview and
 * the extension host (a request/reply channel with a ready handshake).
 *
 * Types only apart from the request types: the webview imports this file for its types and
 * bundles nothing from vscode-languageserver-protocol.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { AppliedBindingInfo, EnforcementLevel, PolicyInfo, Priority, Resource, Severity, SourcePosition, Violation, ViolationStatus } from './model';

// ---------------------------------------------------------------------------------------
// The panel's filter, sort and grouping (the panel's URL-like state)

/**
 * The panel's filter. Every list is a multi-select: values of one dimension are OR-ed, the
 * dimensions are AND-ed; an empty or absent list does not filter. `resourceContains`,
 * `typeContains`, `since`, `until`, `statuses`, `severities`, `levels` and
 * `includeSuppressed` mean exactly what the CLI's `violations` flags mean (same code), so
 * `panelFilterFromCli` turns a CLI filter into a panel filter that returns the same rows.
 */
export interface PanelFilter {
    policyPacks?: string[];
    policies?: string[];
    projects?: string[];
    levels?: EnforcementLevel[];
    /** Account names: a parent (`demo`) matches all its regions (`demo/us-west-2`). */
    accounts?: string[];
    /** Resource URNs (exact). */
    resources?: string[];
    /** Resource type tokens (exact). */
    types?: string[];
    /** Default: open and in_progress. */
    statuses?: ViolationStatus[];
    severities?: Severity[];
    /** First observed on or after (YYYY-MM-DD or ISO date-time). */
    since?: string;
    /** First observed on or before (a date-only value covers the whole day). */
    until?: string;
    /** CLI `--resource`: part of the resource's name or URN (case-insensitive). */
    resourceContains?: string;
    /** CLI `--type`: part of the type token (case-insensitive). */
    typeContains?: string;
    /** Free text over resource name, URN, type, policy, pack, account and message (case-insensitive). */
    search?: string;
    includeSuppressed?: boolean;
}

/** The multi-select dimensions, each with facet counts. */
export type FacetDimension = 'policyPacks' | 'policies' | 'projects' | 'levels' | 'accounts' | 'resources' | 'types' | 'statuses' | 'severities';
export const FACET_DIMENSIONS: readonly FacetDimension[] = ['policyPacks', 'policies', 'projects', 'levels', 'accounts', 'resources', 'types', 'statuses', 'severities'];

/** Sortable columns. */
export type SortColumn =
    | 'policy'
    | 'policyPack'
    | 'level'
    | 'severity'
    | 'status'
    | 'resource'
    | 'type'
    | 'account'
    | 'project'
    | 'message'
    | 'observedAt'
    | 'lastSeenAt'
    | 'priority'
    | 'assignedTo';

export interface PanelSort {
    column: SortColumn;
    direction: 'asc' | 'desc';
}

export type GroupBy = 'none' | 'policy' | 'account' | 'type' | 'severity';

export interface PanelQueryParams {
    filter: PanelFilter;
    sort?: PanelSort;
    groupBy?: GroupBy;
    /** First row to return (index into the sorted, grouped matches). */
    offset: number;
    /** How many rows to return (the visible window plus overscan). */
    limit: number;
    /** Whether to compute facets, summary and trend (false for a scroll page). Default true. */
    withAggregates?: boolean;
}

/** A table row: the violation minus what the table never shows. */
export type PanelRow = Pick<
    Violation,
    | 'id'
    | 'entityId'
    | 'project'
    | 'policyPack'
    | 'policyPackTag'
    | 'policyName'
    | 'resourceURN'
    | 'resourceType'
    | 'resourceName'
    | 'message'
    | 'level'
    | 'severity'
    | 'status'
    | 'priority'
    | 'assignedTo'
    | 'observedAt'
    | 'lastSeenAt'
    | 'resolvedAt'
> & { suppressedUntil?: string };

export interface FacetValue {
    value: string;
    /** For resources: the resource name (the value is its URN). */
    label?: string;
    /** Matches of this value under the filter of every other dimension. */
    count: number;
}

export interface Facet {
    values: FacetValue[];
    /** Distinct values left out (only the most frequent are sent for high-cardinality dimensions). */
    omitted: number;
}

export interface RowGroup {
    key: string;
    /** Index of the group's first row in the sorted matches. */
    start: number;
    count: number;
}

export interface TrendPoint {
    /** YYYY-MM-DD (UTC). */
    day: string;
    open: number;
}

export interface PanelSummary {
    /** Matching violations not fixed, by enforcement level and by severity (`none` when unset). */
    byLevel: Partial<Record<EnforcementLevel, number>>;
    bySeverity: Partial<Record<Severity | 'none', number>>;
    open: number;
}

export interface PanelAggregates {
    facets: Record<FacetDimension, Facet>;
    summary: PanelSummary;
    /** Open violations per day (by observedAt/resolvedAt) under the filter, ignoring status. */
    trend: TrendPoint[];
    /** First-observed range of all matches under every filter but the dates. */
    dates: { min?: string; max?: string };
}

export interface PanelQueryResult {
    offset: number;
    rows: PanelRow[];
    total: number;
    groups: RowGroup[];
    aggregates?: PanelAggregates;
    /** Server time spent, ms (shown in the bench). */
    elapsedMs: number;
}

/** client -> server: one page of the Policy Violations table, plus facets for the filter. */
export namespace PanelQueryRequest {
    export const method = 'policyInsights/panelQuery';
    export const type = new RequestType<PanelQueryParams, PanelQueryResult, void>(method);
}

// ---------------------------------------------------------------------------------------
// Detail pane, triage, suppress, export

export interface ViolationDetail {
    violation: Violation;
    resource?: Pick<Resource, 'urn' | 'type' | 'name' | 'id' | 'account' | 'region' | 'project' | 'stack' | 'properties' | 'sourcePosition'>;
    /** Top-level property names the message names (the offending ones, when it can be known). */
    highlightedProperties: string[];
    policy?: PolicyInfo;
    /** Whether an unexpired suppression hides it by default. */
    suppressed: boolean;
    /** The group binding of the pack that applies to the violation's account or stack now, and what it overrode. */
    binding?: AppliedBindingInfo;
}

/** client -> server: everything the detail pane shows for one violation. */
export namespace ViolationDetailRequest {
    export const method = 'policyInsights/violationDetail';
    export const type = new RequestType<{ id: string }, ViolationDetail, void>(method);
}

export interface PanelTriageParams {
    id: string;
    status?: Exclude<ViolationStatus, 'fixed'>;
    /** null clears it. */
    priority?: Priority | null;
    /** Empty or null clears it. */
    assignedTo?: string | null;
}

/** client -> server: set status, priority and/or assignee. */
export namespace TriageViolationRequest {
    export const method = 'policyInsights/triageViolation';
    export const type = new RequestType<PanelTriageParams, Violation, void>(method);
}

export interface PanelSuppressParams {
    id: string;
    reason: string;
    /** YYYY-MM-DD or ISO date-time, in the future; anything (the page sends '') when `remove`. */
    until: string;
    /** Remove the suppression instead (reason and until ignored). */
    remove?: boolean;
}

/** client -> server: suppress a violation until a date (or remove its suppression). */
export namespace SuppressViolationRequest {
    export const method = 'policyInsights/suppressViolation';
    export const type = new RequestType<PanelSuppressParams, Violation, void>(method);
}

export type ExportFormat = 'csv' | 'json' | 'sarif';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'sarif'];

export interface ExportViolationsParams {
    filter: PanelFilter;
    sort?: PanelSort;
    format: ExportFormat;
}

/** client -> server: every violation matching the filter, formatted (the file's content). */
export namespace ExportViolationsRequest {
    export const method = 'policyInsights/exportViolations';
    export const type = new RequestType<ExportViolationsParams, { content: string; count: number }, void>(method);
}

// ---------------------------------------------------------------------------------------
// Webview <-> extension host. The webview sends `ready` once its script runs; the host
// answers with `init`. Requests carry an id; the host answers each with one `reply`.

/** What the webview keeps with getState/setState and the serializer restores. */
export interface PanelState {
    filter: PanelFilter;
    sort: PanelSort;
    groupBy: GroupBy;
    /** The violation shown in the detail pane. */
    selectedId?: string;
    /** Group keys whose rows are hidden. */
    collapsedGroups?: string[];
    /** The table's scroll position (px), restored after a reload. */
    scrollOffset?: number;
}

/** Requests the webview makes of the host: method -> [params, result]. */
export interface PanelHostRequests {
    query: [PanelQueryParams, PanelQueryResult];
    detail: [{ id: string }, ViolationDetail];
    triage: [PanelTriageParams, Violation];
    suppress: [PanelSuppressParams, Violation];
    /** The host asks where to save, then writes the file; resolves with the path or undefined when cancelled. */
    export: [ExportViolationsParams, { path?: string; count: number }];
}
export type PanelHostMethod = keyof PanelHostRequests;

/** webview -> host */
export type ViolationsPanelToHost =
    | { type: 'ready' }
    | { [M in PanelHostMethod]: { type: 'request'; requestId: number; method: M; params: PanelHostRequests[M][0] } }[PanelHostMethod]
    | { type: 'openResource'; id: string }
    | { type: 'openSource'; position: SourcePosition }
    | { type: 'openLink'; url: string }
    | { type: 'state'; state: PanelState };

/** host -> webview */
export type ViolationsPanelToWebview =
    | { type: 'init'; state?: PanelState; filter?: PanelFilter }
    | { type: 'reply'; requestId: number; result?: unknown; error?: string }
    | { type: 'setFilter'; filter: PanelFilter }
    | { type: 'storeChanged' };
