/**
 * Every custom request and notification between the extension (client) and the language
 * server, defined once. Client, server, CLI tests and the protocol check
 * (test/lsp/protocolDrift.test.ts) import these namespaces; nobody spells a method string
 * anywhere else.
 *
 * Each namespace says which side sends it.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Account, PolicyGroup, PolicyPackVersion, ScanRecord, Violation } from './model';

/** Which part of the store changed; trees refresh only what changed. */
export type StoreScope = 'packs' | 'groups' | 'accounts' | 'violations';

// ---------------------------------------------------------------------------------------
// Server state

export type ServerState = 'starting' | 'ready' | 'degraded';

export interface ServerStatusParams {
    state: ServerState;
    /** The store home the server uses. */
    home: string;
    /** Why the state is not `ready` (a damaged file that was recovered, an unwritable home). */
    message?: string;
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
    export const type = new RequestType<void, ServerStatusParams, void>(method);
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
    export const type = new RequestType<void, PolicyPackVersion[], void>(method);
}

/** client -> server: every policy group, default first. */
export namespace ListGroupsRequest {
    export const method = 'policyInsights/listGroups';
    export const type = new RequestType<void, PolicyGroup[], void>(method);
}

export interface AccountSummary extends Account {
    /** Resources per child account (or the account itself for global services / stacks). */
    resourceCounts: Record<string, number>;
    lastScan?: ScanRecord;
}

/** client -> server: every account with its resource counts. */
export namespace ListAccountsRequest {
    export const method = 'policyInsights/listAccounts';
    export const type = new RequestType<void, AccountSummary[], void>(method);
}

export interface ListViolationsParams {
    /** Only violations whose status is one of these (default: open and in_progress). */
    statuses?: Violation['status'][];
    limit?: number;
}

export interface ListViolationsResult {
    violations: Violation[];
    total: number;
}

/** client -> server: violations for the Violations tree. */
export namespace ListViolationsRequest {
    export const method = 'policyInsights/listViolations';
    export const type = new RequestType<ListViolationsParams, ListViolationsResult, void>(method);
}

// ---------------------------------------------------------------------------------------
// Workspace Trust

/** client -> server: the user trusted the workspace; policy packs may run from now on. */
export namespace WorkspaceTrustedNotification {
    export const method = 'policyInsights/workspaceTrusted';
    export const type = new NotificationType<void>(method);
}

// ---------------------------------------------------------------------------------------
// Webview <-> extension host messages (the Policy Violations panel). Typed, with a ready
// handshake: the webview sends `ready` once its script runs; the host answers with data.

/** webview -> host */
export type ViolationsPanelToHost = { type: 'ready' } | { type: 'openViolation'; id: string };

/** host -> webview */
export type ViolationsPanelToWebview = { type: 'violations'; violations: Violation[]; total: number };
