/**
 * LSP wiring for policy groups and evaluation. Group changes are catalog updates; the
 * evaluator follows the catalog by itself (evaluateOnCatalogChanges in server.ts), so a
 * handler only changes the group and answers.
 */
import type { EvaluationReport, Evaluator } from '../evaluation';
import { createGroup, disablePack, editGroup, enablePack, removeGroup } from '../groups';
import {
    CreateGroupRequest,
    DisablePackRequest,
    EditGroupRequest,
    EnablePackRequest,
    EvaluateNowRequest,
    type EvaluationSummary,
    RemoveGroupRequest,
} from '../shared/protocol';
import { untrustedError, type ServerContext } from './serverContext';

/** The protocol's summary of an evaluator report. */
export function evaluationSummary(report: EvaluationReport): EvaluationSummary {
    return {
        trigger: report.trigger,
        accounts: report.accounts,
        opened: report.opened,
        resolved: report.resolved,
        stillOpen: report.stillOpen,
        problems: report.problems.map(
            (p) => `${p.entity}: ${p.pack ?? ''}${p.policy ? `/${p.policy}` : ''}${p.urn ? ` on ${p.urn}` : ''}: ${p.message}`,
        ),
    };
}

export function registerGroupHandlers(ctx: ServerContext, evaluator: () => Evaluator): void {
    const { connection } = ctx;
    connection.onRequest(CreateGroupRequest.type, async (params) => (await createGroup(ctx.store(), params)).group!);
    connection.onRequest(EditGroupRequest.type, async ({ name, ...edit }) => (await editGroup(ctx.store(), name, edit)).group!);
    connection.onRequest(RemoveGroupRequest.type, async ({ name }) => {
        await removeGroup(ctx.store(), name);
    });
    connection.onRequest(EnablePackRequest.type, async (params) => (await enablePack(ctx.store(), params)).group!);
    connection.onRequest(DisablePackRequest.type, async (params) => (await disablePack(ctx.store(), params)).group!);
    connection.onRequest(EvaluateNowRequest.type, async ({ accounts }) => {
        if (!ctx.isTrusted()) throw untrustedError('evaluate policy packs');
        return evaluationSummary(await evaluator().evaluateAll({ accounts }));
    });
}
