/**
 * LSP wiring for policy groups and evaluation. Group changes are catalog updates; the
 * evaluator follows the catalog by itself (evaluateOnCatalogChanges in server.ts), so a
 * handler only changes the group and answers.
 */
import { ResponseError } from 'vscode-languageserver/node';
import type { EvaluationReport, Evaluator } from '../evaluation';
import { createGroup, disablePack, editGroup, enablePack, GroupError, removeGroup } from '../groups';
import {
    CreateGroupRequest,
    DisablePackRequest,
    EditGroupRequest,
    EnablePackRequest,
    EvaluateNowRequest,
    type EvaluationSummary,
    RemoveGroupRequest,
} from '../protocol';
import { untrustedError, type ServerContext } from './serverContext';

const USER_ERROR = 1;

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

async function asUserError<T>(work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (err) {
        if (err instanceof GroupError) throw new ResponseError(USER_ERROR, err.message);
        throw err;
    }
}

export function registerGroupHandlers(ctx: ServerContext, evaluator: () => Evaluator): void {
    const { connection } = ctx;
    connection.onRequest(CreateGroupRequest.type, (params) => asUserError(async () => (await createGroup(ctx.store(), params)).group!));
    connection.onRequest(EditGroupRequest.type, ({ name, ...edit }) => asUserError(async () => (await editGroup(ctx.store(), name, edit)).group!));
    connection.onRequest(RemoveGroupRequest.type, ({ name }) =>
        asUserError(async () => {
            await removeGroup(ctx.store(), name);
        }),
    );
    connection.onRequest(EnablePackRequest.type, (params) => asUserError(async () => (await enablePack(ctx.store(), params)).group!));
    connection.onRequest(DisablePackRequest.type, (params) => asUserError(async () => (await disablePack(ctx.store(), params)).group!));
    connection.onRequest(EvaluateNowRequest.type, async ({ accounts }) => {
        if (!ctx.isTrusted()) throw new ResponseError(USER_ERROR, untrustedError('evaluate policy packs').message);
        return evaluationSummary(await evaluator().evaluateAll({ accounts }));
    });
}
