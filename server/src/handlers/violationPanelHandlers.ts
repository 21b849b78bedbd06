/**
 * LSP wiring for the Policy Violations panel: table pages with facets, the detail pane,
 * triage, suppression and exports. Logic lives in violations/ (panelQuery, triage, export).
 */
import {
    ExportViolationsRequest,
    PanelQueryRequest,
    SuppressViolationRequest,
    TriageViolationRequest,
    ViolationDetailRequest,
} from '../shared/panelProtocol';
import type { Store } from '../store';
import { setTriage, suppress, unsuppress } from '../violations';
import { exportContextFor, formatViolations } from '../violations/export';
import { matchingViolations, PanelSnapshotCache, queryPanel } from '../violations/panelQuery';
import { violationDetail } from '../violations/violationDetail';
import type { ServerContext } from './serverContext';

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

    connection.onRequest(PanelQueryRequest.type, async (params) => queryPanel(await snapshots().get(), params));
    connection.onRequest(ViolationDetailRequest.type, ({ id }) => violationDetail(ctx.store(), id));
    connection.onRequest(TriageViolationRequest.type, async ({ id, ...args }) => {
        const updated = await setTriage(ctx.store(), id, args);
        snapshots().invalidate();
        return updated;
    });
    connection.onRequest(SuppressViolationRequest.type, async ({ id, reason, until, remove }) => {
        const updated = remove ? await unsuppress(ctx.store(), id) : await suppress(ctx.store(), id, { reason, until });
        snapshots().invalidate();
        return updated;
    });
    connection.onRequest(ExportViolationsRequest.type, async ({ filter, sort, format }) => {
        const rows = matchingViolations(await snapshots().get(), filter, sort);
        const content = formatViolations(rows, format, await exportContextFor(ctx.store(), rows));
        return { content, count: rows.length };
    });
}
