/**
 * A policy-group gate run over a state file: which published pack versions run (with each
 * binding's config), which group each came from, and whether the findings block. One home for
 * `policy-insights analyze --policy-group/--stack` and the extension's "Analyze State File…",
 * so both run the same packs and block on the same findings.
 */
import type { AnalyzeStateResult } from '../evaluation/analyzeStateFile';
import type { PolicyPackConfig } from '../packs/runner/runnerTypes';
import { verifiedArtifactDir } from '../registry/artifacts';
import type { GroupMode, PolicyGroup } from '../shared/model';
import type { AnalyzeStateFileFinding, AnalyzeStateFileResult } from '../shared/protocol';
import type { Store } from '../store';
import { isBlocking } from '../violations/violationFilter';
import { reportedText } from '../violations/violationMessage';
import { GroupError } from './groupErrors';
import { gatePlan, type GateSelection } from './groupGate';

/** The groups' packs for a run: verified artifacts with each binding's config, and which group each pack's binding came from. */
export interface GroupGateRun {
    packs: { dir: string; config?: PolicyPackConfig }[];
    /** Pack name -> the group (and its mode) whose binding runs. */
    modeOf: Map<string, { group: string; mode: GroupMode }>;
    groups: PolicyGroup[];
    /** Preventative bindings that cannot run: the gate would be incomplete. */
    unrunnable: string[];
    /** Audit bindings that cannot run (they never block). */
    warnings: string[];
    /** The stack's state file, when the selection names a stack with a recorded file. */
    stateFile?: string;
}

/** What a gate runs for `selection`. @throws GroupError 'not-found' (a group or stack), 'invalid' (a stack in no group) */
export async function groupGateRun(store: Store, selection: GateSelection): Promise<GroupGateRun> {
    const plan = gatePlan(await store.readCatalog(), { groups: [...new Set(selection.groups ?? [])], ...(selection.stack !== undefined ? { stack: selection.stack } : {}) });
    if (!plan.groups.length) {
        throw new GroupError('invalid', `stack ${selection.stack} is in no policy group; add it to one with \`policy-insights policy group edit G --add-stack ${selection.stack}\``);
    }
    const run: GroupGateRun = { packs: [], modeOf: new Map(), groups: plan.groups, unrunnable: [], warnings: [] };
    const stateFile = plan.stackAccount?.settings.stateFile;
    if (stateFile) run.stateFile = stateFile;
    for (const u of plan.bindings.unresolved) (u.mode === 'preventative' ? run.unrunnable : run.warnings).push(u.problem);
    for (const b of plan.bindings.bindings) {
        // the digest is checked before the code runs, as for every evaluation of a published version
        run.packs.push({ dir: verifiedArtifactDir(store, b.pack), ...(b.config ? { config: b.config } : {}) });
        run.modeOf.set(b.pack.name, { group: b.group, mode: b.mode });
    }
    return run;
}

export interface GateOutcome {
    failed: boolean;
    /** Mandatory violations that block (local packs' and preventative groups'). */
    blocking: number;
    /** Mandatory violations of audit groups: reported, never blocking. */
    auditMandatory: number;
    /** Policy errors of audit groups' packs: reported, never blocking. */
    auditErrors: number;
}

/** The mode a pack's findings have in a run: its group's, or preventative for a local pack (as `pulumi policy analyze` fails on it). */
export function modeOfPack(modeOf: ReadonlyMap<string, { mode: GroupMode }>, pack: string): GroupMode {
    return modeOf.get(pack)?.mode ?? 'preventative';
}

/**
 * Whether the run fails: a mandatory violation or a policy error from a pack given with
 * --policy-pack (as `pulumi policy analyze`) or from a preventative group's binding. Audit groups never block.
 */
export function gateOutcome(result: AnalyzeStateResult, modeOf: ReadonlyMap<string, { mode: GroupMode }>): GateOutcome {
    let blocking = 0;
    let auditMandatory = 0;
    for (const e of result.events) {
        if (e.kind !== 'violation' || e.diagnostic.enforcementLevel !== 'mandatory') continue;
        if (isBlocking({ kind: modeOfPack(modeOf, e.diagnostic.policyPackName), level: 'mandatory', status: 'open' })) blocking++;
        else auditMandatory++;
    }
    const auditErrors = result.errors.filter((e) => modeOfPack(modeOf, e.policyPack) === 'audit').length;
    return { failed: blocking > 0 || result.errors.length > auditErrors, blocking, auditMandatory, auditErrors };
}

/**
 * A gate run as the extension shows it (protocol's AnalyzeStateFileResult): each violation with
 * the group whose binding ran it and whether it blocks, remediations and errors one line each.
 */
export function gateReport(stateFile: string, gate: GroupGateRun, result: AnalyzeStateResult): AnalyzeStateFileResult {
    const findings: AnalyzeStateFileFinding[] = [];
    const remediations: string[] = [];
    for (const e of result.events) {
        if (e.kind === 'remediation') {
            remediations.push(`${e.policyPackName}/${e.policyName} would change ${e.urn}: ${Object.keys(e.after).filter((k) => JSON.stringify(e.before[k]) !== JSON.stringify(e.after[k])).join(', ') || 'nothing visible'}`);
            continue;
        }
        const d = e.diagnostic;
        const binding = gate.modeOf.get(d.policyPackName);
        findings.push({
            urn: e.urn,
            policyPack: d.policyPackName,
            policyPackVersion: d.policyPackVersion,
            policyName: d.policyName,
            level: d.enforcementLevel,
            message: reportedText(d.message, d.description),
            ...(binding ? { group: binding.group, mode: binding.mode } : {}),
            blocking: isBlocking({ kind: modeOfPack(gate.modeOf, d.policyPackName), level: d.enforcementLevel, status: 'open' }),
        });
    }
    const errors = result.errors.map((e) => `policy ${e.policyPack}${e.policyName ? `/${e.policyName}` : ''} failed${e.urn ? ` on ${e.urn}` : ''}: ${e.message.split('\n').find((l) => l.trim()) ?? e.message}`);
    return {
        stateFile,
        ...(result.project !== undefined ? { project: result.project } : {}),
        ...(result.stack !== undefined ? { stack: result.stack } : {}),
        resourceCount: result.resourceCount,
        findings,
        remediations,
        errors,
        warnings: [...gate.warnings, ...result.warnings],
        groups: gate.groups.map((g) => `${g.name} (${g.mode})`),
        failed: gateOutcome(result, gate.modeOf).failed,
    };
}
