/**
 * `policy-insights analyze --file STATE --policy-pack DIR`: the output of `pulumi policy analyze
 * --file` in three forms (human, `--diff`, `--json` engine events) and its exit codes in our
 * contract: 0 nothing to act on, 1 a mandatory violation or any policy error, 2 bad input
 * (including a pack that does not load). Secrets are "[secret]" in every form. With
 * `--policy-group G` / `--stack NAME` it also runs the groups' published pack versions with
 * their levels and config (a gate for CI): only preventative groups' findings block.
 */
import { redactSecrets } from '../pulumiSecretValues';
import { parseUrn } from '../accounts/stacks/stackState';
import { analyzeStateFile, type AnalyzeRemediation, type AnalyzeStateResult, type AnalyzeViolation } from '../evaluation/analyzeStateFile';
import { reportedText } from '../violations/violationMessage';
import { gateOutcome, groupGateRun, type GateOutcome, type GroupGateRun } from '../groups/gateRun';
import { EXIT_FINDINGS, EXIT_OK, UsageError, withStore, type CommandContext } from './command';
import { withRunner } from './runner';

export async function runAnalyze(ctx: CommandContext): Promise<number> {
    const packDirs = (ctx.values['policy-pack'] as string[] | undefined) ?? [];
    const groupNames = (ctx.values['policy-group'] as string[] | undefined) ?? [];
    const stackName = ctx.values.stack as string | undefined;
    const gated = groupNames.length > 0 || stackName !== undefined;
    if (!packDirs.length && !gated) throw new UsageError('give at least one --policy-pack DIR, --policy-group G or --stack NAME');
    if (ctx.values.json && ctx.values.diff) throw new UsageError('--json and --diff cannot be used together: choose one output');
    const gate = gated ? await withStore(ctx, (store) => groupGateRun(store, { groups: groupNames, ...(stackName !== undefined ? { stack: stackName } : {}) })) : undefined;
    const stateFile = (ctx.values.file as string | undefined) ?? gate?.stateFile;
    if (!stateFile) throw new UsageError(stackName !== undefined ? `--file is required: stack ${stackName} has no state file recorded` : '--file STATE.json is required');
    if (gate?.unrunnable.length) {
        for (const u of gate.unrunnable) ctx.err(`error: ${u}`);
        ctx.err('A preventative policy group cannot be enforced as it stands: fix the packs named above and run again.');
        return EXIT_FINDINGS;
    }
    for (const w of gate?.warnings ?? []) ctx.err(`warning: ${w}`);
    const result = await withRunner((runner) =>
        analyzeStateFile(runner, {
            stateFile,
            packDirs,
            configFiles: ctx.values['policy-pack-config'] as string[] | undefined,
            stackConfigFile: ctx.values['config-file'] as string | undefined,
            ...(gate ? { groupPacks: gate.packs } : {}),
        }),
        ctx,
    );
    if (result.empty) {
        ctx.err(`${stateFile} has no resources; nothing to analyze.`);
        return EXIT_OK;
    }
    for (const warning of result.warnings) ctx.err(`warning: ${warning}`);
    const outcome = gateOutcome(result, gate?.modeOf ?? new Map());
    if (ctx.values.json) printJson(ctx, result, outcome.failed);
    else if (ctx.values.diff) printDiff(ctx, result);
    else printHuman(ctx, result);
    if (!ctx.values.json) {
        printErrors(ctx, result, outcome);
        if (gate) printGateSummary(ctx, gate, outcome);
    }
    return outcome.failed ? EXIT_FINDINGS : EXIT_OK;
}

function printGateSummary(ctx: CommandContext, gate: GroupGateRun, outcome: GateOutcome): void {
    const groups = gate.groups.map((g) => `${g.name} (${g.mode})`).join(', ');
    const ran = [...gate.modeOf].map(([pack, { group }]) => `${pack} from ${group}`).join(', ') || 'no packs';
    ctx.out(`policy groups: ${groups}; ran ${ran}.`);
    if (outcome.auditMandatory || outcome.auditErrors) ctx.out(`${outcome.auditMandatory} mandatory violation(s) and ${outcome.auditErrors} policy error(s) from audit groups are reported and do not block.`);
    ctx.out(outcome.blocking ? `Blocked: ${outcome.blocking} mandatory violation(s) from preventative groups or local packs.` : 'Not blocked: no mandatory violation from a preventative group or local pack.');
}

function resourceLabel(urn: string): string {
    const parsed = parseUrn(urn);
    return parsed ? `${parsed.type} ${parsed.name}` : urn;
}

function show(value: unknown): string {
    return value === undefined ? 'undefined' : JSON.stringify(redactSecrets(value));
}

/** Top-level properties a remediation adds (+), removes (-) or changes (~). */
export function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): { op: '+' | '-' | '~'; key: string; before?: unknown; after?: unknown }[] {
    const changes: ReturnType<typeof propertyChanges> = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
        if (!(key in before)) changes.push({ op: '+', key, after: after[key] });
        else if (!(key in after)) changes.push({ op: '-', key, before: before[key] });
        else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes.push({ op: '~', key, before: before[key], after: after[key] });
    }
    return changes;
}

function violationLine(v: AnalyzeViolation): string {
    const d = v.diagnostic;
    return `[${d.enforcementLevel}]  ${d.policyName}  (${d.policyPackName}@${d.policyPackVersion}): ${reportedText(d.message, d.description)}`;
}

function byResource(result: AnalyzeStateResult): Map<string, (AnalyzeViolation | AnalyzeRemediation)[]> {
    const groups = new Map<string, (AnalyzeViolation | AnalyzeRemediation)[]>();
    for (const e of result.events) {
        const list = groups.get(e.urn) ?? [];
        list.push(e);
        groups.set(e.urn, list);
    }
    return groups;
}

function summaryLine(result: AnalyzeStateResult): string {
    const violations = result.events.filter((e): e is AnalyzeViolation => e.kind === 'violation');
    const mandatory = violations.filter((v) => v.diagnostic.enforcementLevel === 'mandatory').length;
    const remediations = result.events.length - violations.length;
    const where = `${result.project}/${result.stack}`;
    return `${where}: ${result.resourceCount} resources, ${violations.length} violation(s), ${mandatory} mandatory, ${remediations} remediation(s), ${result.errors.length} policy error(s).`;
}

function printHuman(ctx: CommandContext, result: AnalyzeStateResult): void {
    for (const [urn, events] of byResource(result)) {
        ctx.out(`${resourceLabel(urn)}  ${urn}`);
        for (const e of events) {
            if (e.kind === 'violation') ctx.out(`    ${violationLine(e)}`);
            else {
                ctx.out(`    [remediate]  ${e.policyName}  (${e.policyPackName}@${e.policyPackVersion}) would change:`);
                for (const c of propertyChanges(e.before, e.after)) ctx.out(`        ${c.key}: ${show(c.before)} → ${show(c.after)}`);
            }
        }
    }
    ctx.out(summaryLine(result));
}

function printDiff(ctx: CommandContext, result: AnalyzeStateResult): void {
    for (const [urn, events] of byResource(result)) {
        const remediated = events.some((e) => e.kind === 'remediation');
        ctx.out(`${remediated ? '~' : ' '} ${resourceLabel(urn)}`);
        ctx.out(`    [urn=${urn}]`);
        for (const e of events) {
            if (e.kind === 'violation') ctx.out(`    ${violationLine(e)}`);
            else {
                ctx.out(`    remediated by ${e.policyPackName}@${e.policyPackVersion}/${e.policyName}:`);
                for (const c of propertyChanges(e.before, e.after)) {
                    ctx.out(c.op === '~' ? `      ~ ${c.key}: ${show(c.before)} => ${show(c.after)}` : `      ${c.op} ${c.key}: ${show(c.op === '+' ? c.after : c.before)}`);
                }
            }
        }
    }
    ctx.out(summaryLine(result));
}

/**
 * The line of a policy error that says what went wrong: the SDK's own first line ("Error validating
 * resource with policy 'p' from policy pack 'k@v':") names what the summary names already.
 */
export function errorHeadline(message: string): string {
    const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
    const sdkPreamble = /^Error validating (resource|stack) with policy .* from policy pack .*:$/;
    return (lines.length > 1 && sdkPreamble.test(lines[0]) ? lines[1] : lines[0]) ?? '';
}

/** Policy errors grouped by pack and policy: a count, the first resource and what its error said. */
function printErrors(ctx: CommandContext, result: AnalyzeStateResult, outcome: GateOutcome): void {
    if (!result.errors.length) return;
    const groups = new Map<string, { count: number; first: (typeof result.errors)[number] }>();
    for (const e of result.errors) {
        const key = `${e.policyPack}\0${e.policyName ?? ''}\0${e.code}`;
        const group = groups.get(key);
        if (group) group.count++;
        else groups.set(key, { count: 1, first: e });
    }
    for (const { count, first } of groups.values()) {
        const policy = first.policyName ? `policy ${first.policyPack}/${first.policyName}` : `policy pack ${first.policyPack}`;
        const on = first.urn ? ` on ${count === 1 ? first.urn : `${count} resources (first ${first.urn})`}` : count > 1 ? ` ${count} times` : '';
        ctx.err(`error: ${policy} failed${on}: ${errorHeadline(first.message)}`);
    }
    if (result.errors.length > outcome.auditErrors) ctx.err(`${result.errors.length} policy error(s): the analysis is incomplete, so it fails. Fix the policies named above and run again.`);
}

/** `pulumi policy analyze --json`: one apitype EngineEvent per line, ending with a summaryEvent. */
function printJson(ctx: CommandContext, result: AnalyzeStateResult, failed: boolean): void {
    let sequence = 0;
    const emit = (payload: Record<string, unknown>) => ctx.out(JSON.stringify({ sequence: sequence++, timestamp: Math.floor(Date.now() / 1000), ...payload }));
    for (const e of result.events) {
        if (e.kind === 'violation') {
            const d = e.diagnostic;
            emit({
                policyEvent: {
                    resourceUrn: e.urn,
                    message: d.message,
                    color: '',
                    policyName: d.policyName,
                    policyPackName: d.policyPackName,
                    policyPackVersion: d.policyPackVersion,
                    policyPackVersionTag: d.policyPackVersion,
                    enforcementLevel: d.enforcementLevel,
                    ...(d.severity ? { severity: d.severity } : {}),
                },
            });
        } else {
            emit({
                policyRemediationEvent: {
                    resourceUrn: e.urn,
                    color: '',
                    policyName: e.policyName,
                    policyPackName: e.policyPackName,
                    policyPackVersion: e.policyPackVersion,
                    policyPackVersionTag: e.policyPackVersion,
                    ...(Object.keys(e.before).length ? { before: e.before } : {}),
                    ...(Object.keys(e.after).length ? { after: e.after } : {}),
                },
            });
        }
    }
    // Pulumi stops at the first policy error; we carry on and report each as an error diagnostic
    for (const e of result.errors) {
        const policy = e.policyName ? `${e.policyPack}/${e.policyName}` : e.policyPack;
        emit({ diagnosticEvent: { ...(e.urn ? { urn: e.urn } : {}), prefix: 'error: ', message: `policy ${policy} failed: ${e.message}\n`, color: '', severity: 'error' } });
    }
    emit({
        summaryEvent: {
            maybeCorrupt: false,
            durationSeconds: 0,
            resourceChanges: null,
            PolicyPacks: result.policyPacks,
            isPreview: false,
            result: failed ? 'failed' : 'succeeded',
        },
    });
}
