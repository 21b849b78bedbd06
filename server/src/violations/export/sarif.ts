/**
 * Violations as a SARIF 2.1.0 log (OASIS standard), for code-scanning tools and CI: each
 * policy a rule (severity, help text, URL), each violation a result with a physical
 * location when the resource's source position is known and always a logical location
 * (the resource URN). Validated against the schema in test/fixtures/sarif/.
 */
import type { EnforcementLevel, PolicyInfo, Severity, SourcePosition, Violation } from '../../shared/model';
import type { ExportContext } from './exportContext';

type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** How an enforcement level reads to a SARIF consumer: mandatory blocks, advisory warns. */
const LEVELS: Record<EnforcementLevel, SarifLevel> = { mandatory: 'error', remediate: 'warning', advisory: 'warning', disabled: 'none' };
/** GitHub code scanning reads `security-severity` (0-10) to rank results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

interface SarifRule {
    id: string;
    name: string;
    shortDescription: { text: string };
    fullDescription?: { text: string };
    help?: { text: string; markdown?: string };
    helpUri?: string;
    defaultConfiguration: { level: SarifLevel };
    properties: Record<string, unknown>;
}

/** The rule id of a policy: packs may share policy names, so the pack is part of it. */
export function ruleIdOf(v: Pick<Violation, 'policyPack' | 'policyName'>): string {
    return `${v.policyPack}/${v.policyName}`;
}

/** A URL fit for `helpUri` (format "uri"), or undefined: packs write free text there. */
function absoluteUrl(text: string | undefined): string | undefined {
    if (!text) return undefined;
    try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
        return undefined;
    }
}

function ruleOf(v: Violation, policy: PolicyInfo | undefined): SarifRule {
    const severity = policy?.severity ?? v.severity;
    const description = policy?.description?.trim();
    const helpText = [description, policy?.remediationSteps?.trim() ? `Remediation: ${policy.remediationSteps.trim()}` : undefined].filter(Boolean).join('\n\n');
    const rule: SarifRule = {
        id: ruleIdOf(v),
        name: v.policyName,
        shortDescription: { text: policy?.displayName?.trim() || v.policyName },
        defaultConfiguration: { level: LEVELS[policy?.enforcementLevel ?? v.level] },
        properties: {
            policyPack: v.policyPack,
            policyPackTag: v.policyPackTag,
            ...(severity ? { severity, 'security-severity': SECURITY_SEVERITY[severity] } : {}),
            ...(policy?.tags?.length ? { tags: [...policy.tags] } : {}),
            ...(policy?.framework ? { framework: policy.framework } : {}),
        },
    };
    if (description) rule.fullDescription = { text: description };
    if (helpText) rule.help = { text: helpText };
    const helpUri = absoluteUrl(policy?.url);
    if (helpUri) rule.helpUri = helpUri;
    return rule;
}

/**
 * A source position as a SARIF physical location. Pulumi writes `project:///path#line,col`:
 * that path is relative to the project root, expressed with the PROJECTROOT base id.
 */
function physicalLocation(position: SourcePosition): Record<string, unknown> | undefined {
    if (!Number.isInteger(position.line) || position.line < 1) return undefined;
    const region: Record<string, number> = { startLine: position.line };
    if (position.column !== undefined && Number.isInteger(position.column) && position.column >= 1) region.startColumn = position.column;
    const projectRelative = /^project:\/\/\/?(.*)$/.exec(position.uri);
    const artifactLocation = projectRelative ? { uri: encodeURI(projectRelative[1]), uriBaseId: 'PROJECTROOT' } : { uri: position.uri };
    return { artifactLocation, region };
}

export function violationsToSarif(violations: readonly Violation[], context: ExportContext): string {
    const rules: SarifRule[] = [];
    const ruleIndex = new Map<string, number>();
    const tagsByRule = new Map<string, Set<string>>();
    const now = context.now ?? new Date();
    let projectRelative = false;
    const results = violations.map((v) => {
        const id = ruleIdOf(v);
        let index = ruleIndex.get(id);
        if (index === undefined) {
            index = rules.length;
            ruleIndex.set(id, index);
            rules.push(ruleOf(v, context.policyInfo(v.policyPack, v.policyPackTag, v.policyName)));
            tagsByRule.set(id, new Set());
        }
        tagsByRule.get(id)!.add(v.policyPackTag);
        const location: Record<string, unknown> = {
            logicalLocations: [{ name: v.resourceName, fullyQualifiedName: v.resourceURN || v.entityId, kind: 'resource' }],
        };
        const position = context.sourcePosition(v);
        const physical = position ? physicalLocation(position) : undefined;
        if (physical) {
            location.physicalLocation = physical;
            if ((physical.artifactLocation as { uriBaseId?: string }).uriBaseId) projectRelative = true;
        }
        const result: Record<string, unknown> = {
            ruleId: id,
            ruleIndex: index,
            level: LEVELS[v.level],
            kind: v.level === 'disabled' ? 'informational' : 'fail',
            message: { text: v.message || `${v.policyName} reported ${v.resourceName}` },
            locations: [location],
            partialFingerprints: { 'policyInsightsViolationId/v1': v.id },
            properties: {
                account: v.entityId,
                entityType: v.entityType,
                ...(v.project ? { project: v.project } : {}),
                resourceType: v.resourceType,
                enforcementLevel: v.level,
                ...(v.severity ? { severity: v.severity } : {}),
                status: v.status,
                ...(v.priority ? { priority: v.priority } : {}),
                ...(v.assignedTo ? { assignedTo: v.assignedTo } : {}),
                policyGroup: v.policyGroupName,
                observedAt: v.observedAt,
                lastSeenAt: v.lastSeenAt,
                ...(v.resolvedAt ? { resolvedAt: v.resolvedAt } : {}),
                // what the remediation would change: SARIF's own `fixes` edit files, and this change is to the resource
                ...(v.remediation ? { remediation: v.remediation } : {}),
            },
        };
        const suppressions: Record<string, unknown>[] = [];
        if (v.suppression && Date.parse(v.suppression.until) > now.getTime()) {
            suppressions.push({ kind: 'external', status: 'accepted', justification: `${v.suppression.reason} (until ${v.suppression.until})` });
        }
        if (v.status === 'by_design' || v.status === 'ignored') suppressions.push({ kind: 'external', status: 'accepted', justification: `triaged as ${v.status}` });
        if (suppressions.length) result.suppressions = suppressions;
        return result;
    });
    for (const rule of rules) rule.properties.policyPackTags = [...tagsByRule.get(rule.id)!].sort();
    const run: Record<string, unknown> = {
        tool: {
            driver: {
                name: 'Policy Insights',
                ...(context.toolVersion ? { version: context.toolVersion } : {}),
                rules,
            },
        },
        results,
        columnKind: 'unicodeCodePoints',
    };
    if (projectRelative) run.originalUriBaseIds = { PROJECTROOT: { description: { text: 'The root folder of the Pulumi project the resource was declared in.' } } };
    const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
    return `${JSON.stringify(log, null, 2)}\n`;
}
