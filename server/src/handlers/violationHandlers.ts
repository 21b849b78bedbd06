/**
 * LSP wiring for violations: the Violations tree's groups and children, the status bar's
 * total, the Policy Violations panel's pages, detail pane, triage, suppression and exports.
 * Logic lives in violations/ (violationQuery, violationTriage, violationDetail, export).
 */
import {
    ExportViolationsRequest,
    PanelQueryRequest,
    SuppressViolationRequest,
    TriageViolationRequest,
    ViolationDetailRequest,
    type ExportViolationsParams,
    type PanelQueryParams,
    type PanelSuppressParams,
    type PanelTriageParams,
} from '../shared/panelProtocol';
import { ListViolationsRequest, ViolationGroupsRequest, type ListViolationsParams, type ViolationGroupsParams } from '../shared/protocol';
import type { Store } from '../store';
import { setTriage, suppress, unsuppress, ViolationQueryService } from '../violations';
import { exportContextFor, formatViolations } from '../violations/export';
import { violationDetail } from '../violations/violationDetail';
import type { ServerContext } from './serverContext';

/**
 * The answer to each violation request, over the store `store()` returns. The server
 * registers these on its connection; the webview tests' fake host (test/browser/webviews/
 * fakeHost.ts) calls the same functions for the panel's requests.
 */
export function violationRequestHandlers(store: () => Store) {
    let current: { store: Store; queries: ViolationQueryService } | undefined;
    /** The query service of the store open now (a restart with another home opens a new one). */
    function queries(): ViolationQueryService {
        const open = store();
        if (current?.store !== open) {
            current?.queries.dispose();
            // the panel's first search at 1M would decode every text first (~0.8 s): done a second after its first answer instead
            current = { store: open, queries: new ViolationQueryService(open, { prepareSearch: { afterMs: 1000 } }) };
        }
        return current.queries;
    }
    const locate = (id: string) => queries().accountOf(id);

    return {
        list: (params: ListViolationsParams) => queries().list(params),
        groups: (params: ViolationGroupsParams) => queries().groups(params),
        query: (params: PanelQueryParams) => queries().panel(params),
        // one violation's requests go to the shard the index names, not through every shard
        detail: ({ id }: { id: string }) => violationDetail(store(), id, undefined, locate),
        async triage({ id, ...args }: PanelTriageParams) {
            const updated = await setTriage(store(), id, args, locate);
            queries().invalidate(id);
            return updated;
        },
        async suppress({ id, reason, until, remove }: PanelSuppressParams) {
            const updated = remove ? await unsuppress(store(), id, locate) : await suppress(store(), id, { reason, until }, undefined, locate);
            queries().invalidate(id);
            return updated;
        },
        /** The file content of every violation the filter matches, in the panel's order. */
        async export({ filter, sort, format }: ExportViolationsParams) {
            const rows = await queries().matching(filter, sort);
            return { content: formatViolations(rows, format, await exportContextFor(store(), rows)), count: rows.length };
        },
        dispose(): void {
            current?.queries.dispose();
            current = undefined;
        },
    };
}

export type ViolationRequestHandlers = ReturnType<typeof violationRequestHandlers>;

export function registerViolationHandlers(ctx: ServerContext): void {
    const { connection } = ctx;
    const handlers = violationRequestHandlers(ctx.store);
    connection.onRequest(ListViolationsRequest.type, (params) => handlers.list(params ?? {}));
    connection.onRequest(ViolationGroupsRequest.type, (params) => handlers.groups(params));
    connection.onRequest(PanelQueryRequest.type, (params) => handlers.query(params));
    connection.onRequest(ViolationDetailRequest.type, (params) => handlers.detail(params));
    connection.onRequest(TriageViolationRequest.type, (params) => handlers.triage(params));
    connection.onRequest(SuppressViolationRequest.type, (params) => handlers.suppress(params));
    connection.onRequest(ExportViolationsRequest.type, (params) => handlers.export(params));
}
