/**
 * LSP wiring for the Policy Violations panel: table pages with facets, the detail pane,
 * triage, suppression and exports. Logic lives in violations/ (panelQuery, triage, export).
 */
import { ResponseError } from 'vscode-languageserver/node';
import {
    ExportViolationsRequest,
    PanelQueryRequest,
    SuppressViolationRequest,
    TriageViolationRequest,
    ViolationDetailRequest,
} from '../panelProtocol';
import type { Store } from '../store';
import { FilterError, setTriage, suppress, TriageError, unsuppress } from '../violations';
import { exportContextFor, formatViolations } from '../violations/export';
import { matchingViolations, PanelSnapshotCache, queryPanel } from '../violations/panelQuery';
import { violationDetail } from '../violations/violationDetail';
import type { ServerContext } from './serverContext';

/** Request failures the user must act on, shown by the client as an error message. */
const USER_ERROR = 1;

function userError(err: unknown): unknown {
    if (err instanceof FilterError || err instanceof TriageError) return new ResponseError(USER_ERROR, err.message);
    return err;
}

export function registerViolationPanelHandlers(ctx: ServerContext): void {
    const { connection } = ctx;
    let cache: { store: Store; snapshots: PanelSnapshotCache } | undefined;
    /** The snapshot cache of the store open now (a restart with another home opens a new one). */
    function snapshots(): PanelSnapshotCache {
        const store = ctx.store();
        if (cache?.store !== store) {
            cache?.snapshots.dispose();
            cache = { store, snapshots: new PanelSnapshotCache(store) };
        }
        return cache.snapshots;
    }

    connection.onRequest(PanelQueryRequest.type, async (params) => {
        try {
            return queryPanel(await snapshots().get(), params);
        } catch (err) {
            throw userError(err);
        }
    });
    connection.onRequest(ViolationDetailRequest.type, ({ id }) => violationDetail(ctx.store(), id));
    connection.onRequest(TriageViolationRequest.type, async ({ id, ...args }) => {
        try {
            const updated = await setTriage(ctx.store(), id, args);
            snapshots().invalidate();
            return updated;
        } catch (err) {
            throw userError(err);
        }
    });
    connection.onRequest(SuppressViolationRequest.type, async ({ id, reason, until, remove }) => {
        try {
            const updated = remove ? await unsuppress(ctx.store(), id) : await suppress(ctx.store(), id, { reason, until });
            snapshots().invalidate();
            return updated;
        } catch (err) {
            throw userError(err);
        }
    });
    connection.onRequest(ExportViolationsRequest.type, async ({ filter, sort, format }) => {
        try {
            const store = ctx.store();
            const rows = matchingViolations(await snapshots().get(), filter, sort);
            const content = formatViolations(rows, format, await exportContextFor(store, rows));
            return { content, count: rows.length };
        } catch (err) {
            throw userError(err);
        }
    });
}
