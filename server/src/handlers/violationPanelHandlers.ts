/**
 * LSP wiring for the Policy Violations panel: table pages with facets, the detail pane,
 * triage, suppression and exports. Logic lives in violations/ (panelQuery, triage, export).
 */
import { ResponseError } from 'vscode-languageserver/node';
import type { Violation } from '../model';
import {
    ExportViolationsRequest,
    PanelQueryRequest,
    SuppressViolationRequest,
    TriageViolationRequest,
    ViolationDetailRequest,
    type ViolationDetail,
} from '../panelProtocol';
import type { Store } from '../store';
import { FilterError, isSuppressed, setTriage, suppress, TriageError, unsuppress } from '../violations';
import { exportContextFor, formatViolations } from '../violations/export';
import { matchingViolations, PanelSnapshotCache, queryPanel } from '../violations/panelQuery';
import type { ServerContext } from './serverContext';

/** Request failures the user must act on, shown by the client as an error message. */
const USER_ERROR = 1;

function userError(err: unknown): unknown {
    if (err instanceof FilterError || err instanceof TriageError) return new ResponseError(USER_ERROR, err.message);
    return err;
}

/** Top-level property names the message names as words: the offending ones, when a policy says so. */
export function propertiesNamedIn(message: string, properties: Record<string, unknown>): string[] {
    const lower = message.toLowerCase();
    return Object.keys(properties).filter((name) => {
        if (name.length < 2) return false;
        const at = lower.indexOf(name.toLowerCase());
        if (at < 0) return false;
        const before = lower[at - 1];
        const after = lower[at + name.length];
        const isWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9_]/.test(c);
        return !isWordChar(before) && !isWordChar(after);
    });
}

/** The detail pane's content for violation `id`. */
export async function violationDetail(store: Store, id: string, now: Date = new Date()): Promise<ViolationDetail> {
    const shardNames = await store.listShards();
    for (const shardName of shardNames) {
        const shard = await store.readShard(shardName);
        const violation = shard.violations.find((v: Violation) => v.id === id);
        if (!violation) continue;
        const resource = violation.resourceURN ? shard.resources.find((r) => r.urn === violation.resourceURN) : undefined;
        const catalog = await store.readCatalog();
        const versions = catalog.packs.filter((p) => p.name === violation.policyPack);
        const exact = versions.find((p) => p.versionTag === violation.policyPackTag);
        const newest = [...versions].sort((a, b) => b.version - a.version)[0];
        const policy = (exact ?? newest)?.policies.find((p) => p.name === violation.policyName);
        return {
            violation: structuredClone(violation),
            resource: resource && {
                urn: resource.urn,
                type: resource.type,
                name: resource.name,
                id: resource.id,
                account: resource.account,
                region: resource.region,
                project: resource.project,
                stack: resource.stack,
                properties: resource.properties,
                sourcePosition: resource.sourcePosition,
            },
            highlightedProperties: resource ? propertiesNamedIn(violation.message, resource.properties) : [],
            policy,
            suppressed: isSuppressed(violation, now),
        };
    }
    throw new ResponseError(USER_ERROR, `No violation with id ${id}: it was removed since the panel loaded (the account was removed or rescanned). Refresh the panel.`);
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
