/**
 * LSP wiring for policy groups and evaluation. Group changes are catalog updates; the
 * evaluator follows the catalog by itself (evaluateOnCatalogChanges in server.ts), so a
 * handler only changes the group and answers.
 */
import type { EvaluationReport, Evaluator } from '../evaluation';
import { analyzeStateFile } from '../evaluation/analyzeStateFile';
import { checkPublishedConfig, createGroup, errorsAtProperty, disablePack, editGroup, enablePack, GroupError, readPackConfigFile, removeGroup, versionTagOf } from '../groups';
import { gateReport, groupGateRun } from '../groups/gateRun';
import {
    AnalyzeStateFileRequest,
    CreateGroupRequest,
    DisablePackRequest,
    EditGroupRequest,
    EnablePackRequest,
    EvaluateNowRequest,
    type EvaluationSummary,
    RemoveGroupRequest,
    ValidatePackConfigRequest,
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
    // reads only the catalog: no pack runs, so it is served in Restricted Mode too
    connection.onRequest(ValidatePackConfigRequest.type, async ({ pack, versionTag, config, file, only }) => {
        const value = config !== undefined || file === undefined ? config : await readPackConfigFile(file);
        const catalog = await ctx.store().readCatalog();
        const { version, errors } = checkPublishedConfig(catalog, pack, versionTagOf(catalog, pack, versionTag), value);
        return { pack, versionTag: version.versionTag, version: version.version, errors: only ? errorsAtProperty(errors, only.policy, only.property) : errors };
    });
    connection.onRequest(AnalyzeStateFileRequest.type, async ({ stateFile, groups, stack }) => {
        if (!ctx.isTrusted()) throw untrustedError('analyze a state file');
        if (!groups?.length && stack === undefined) throw new GroupError('invalid', 'Choose at least one policy group, or a stored stack (its groups), to analyze the state file against.');
        const gate = await groupGateRun(ctx.store(), { groups, ...(stack !== undefined ? { stack } : {}) });
        const file = stateFile ?? gate.stateFile;
        if (!file) throw new GroupError('invalid', `Stack ${stack} has no state file recorded: choose the state file to analyze.`);
        if (gate.unrunnable.length) {
            // as `analyze` does: a preventative group that cannot run fully is not run at all
            return { stateFile: file, resourceCount: 0, findings: [], remediations: [], errors: gate.unrunnable, warnings: gate.warnings, groups: gate.groups.map((g) => `${g.name} (${g.mode})`), failed: true };
        }
        const result = await analyzeStateFile(ctx.runner, { stateFile: file, packDirs: [], groupPacks: gate.packs });
        return gateReport(file, gate, result);
    });
}
