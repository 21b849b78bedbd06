/**
 * `policy-insights violations show <id>`: one violation as the detail pane shows it, from the
 * same record (violations/violationDetail.ts): the resource with the offending properties
 * marked, the policy, the message, the group binding that applied, history and triage.
 */
import type { ViolationDetail } from '../shared/panelProtocol';
import { redactSecrets } from '../pulumiSecretValues';
import { violationDetail } from '../violations/violationDetail';
import { EXIT_OK, withStore, type CommandContext } from './command';

export function runViolationShow(ctx: CommandContext): Promise<number> {
    return withStore(ctx, async (store) => {
        const detail = await violationDetail(store, ctx.positionals[0]);
        if (ctx.values.json) ctx.out(JSON.stringify(redactSecrets(detail), null, 2));
        else for (const line of detailLines(detail)) ctx.out(line);
        return EXIT_OK;
    });
}

function field(label: string, value: string | undefined): string[] {
    return value === undefined || value === '' ? [] : [`  ${`${label}:`.padEnd(14)}${value}`];
}

/** The record as lines for a terminal, in the detail pane's order. */
export function detailLines(detail: ViolationDetail): string[] {
    const v = detail.violation;
    const r = detail.resource;
    const p = detail.policy;
    const lines = [`${v.id}  ${v.status}${detail.suppressed ? ' (suppressed)' : ''}  ${v.level}${v.severity ? ` ${v.severity}` : ''}  ${v.policyPack}/${v.policyName}`, '', 'Message', ...v.message.split('\n').map((l) => `  ${l}`)];
    if (v.remediation) {
        lines.push('', 'Would change');
        for (const c of v.remediation.changes) lines.push(`  ${JSON.stringify(c)}`);
    }
    lines.push('', 'Resource');
    if (r) {
        lines.push(...field('Type', r.type), ...field('Name', r.name), ...field('URN', r.urn), ...field('ID', r.id), ...field('Account', r.account), ...field('Region', r.region), ...field('Project', r.project), ...field('Stack', r.stack));
        const offending = new Set(detail.highlightedProperties);
        lines.push('  Properties (* named in the message):');
        for (const [name, value] of Object.entries(redactSecrets(r.properties))) lines.push(`  ${offending.has(name) ? '*' : ' '} ${name}: ${JSON.stringify(value)}`);
    } else {
        lines.push(...field('Type', v.resourceType), ...field('Name', v.resourceName), ...field('URN', v.resourceURN), ...field('Account', v.entityId), '  (no longer in the account\u2019s last scan)');
    }
    lines.push('', 'Policy', ...field('Policy', p?.displayName ? `${p.displayName} (${v.policyName})` : v.policyName), ...field('Pack', `${v.policyPack}@${v.policyPackTag}`), ...field('Level', `${v.level} (the pack declares ${p?.enforcementLevel ?? 'unknown'})`), ...field('Description', p?.description), ...field('Remediation', p?.remediationSteps), ...field('Link', p?.url));
    if (!p) lines.push(`  ${v.policyPack}@${v.policyPackTag} is no longer published; its description is not available.`);
    lines.push('', 'Policy group', ...field('Reported by', `${v.policyGroupName} (${v.kind})`));
    const b = detail.binding;
    if (b) {
        lines.push(...field('Applies now', `${b.group} (${b.mode}), ${b.follows === b.version ? b.version : `${b.follows} = ${b.version}`}${b.configModifiedAt ? `, config modified ${b.configModifiedAt}` : ''}`));
        for (const o of b.overrides) lines.push(...field('Overrides', `${o.group} (${o.follows}${o.version && o.version !== o.follows ? ` = ${o.version}` : ''}): ${o.reason}`));
    } else lines.push('  No group applies this pack to the account or stack now.');
    lines.push('', 'History', ...field('First seen', v.observedAt), ...field('Last seen', v.lastSeenAt), ...field('Resolved', v.resolvedAt));
    lines.push('', 'Triage', ...field('Status', v.status), ...field('Priority', v.priority ?? 'none'), ...field('Assigned to', v.assignedTo ?? 'nobody'));
    if (v.suppression) lines.push(...field('Suppressed', `until ${v.suppression.until}: ${v.suppression.reason}${v.suppression.by ? ` (by ${v.suppression.by})` : ''}`));
    return lines;
}
