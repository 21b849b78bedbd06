/**
 * Violations as editor diagnostics:
 * - on the Pulumi program that made a stack resource, at the resource's `sourcePosition`
 *   (`project:///index.ts{LINE,COL}` resolves against the folder of the program's
 *   Pulumi.yaml, found by project name in the workspace);
 * - in a resource document (the read-only JSON of a stored resource), on the offending
 *   property when the message names it, else on the resource's name.
 * Mandatory is an Error, advisory a Warning, remediate Information (a remediation record:
 * what the remediation would change, with its changes in the data for "Fix in code").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { parse as parseYaml } from 'yaml';
import type { EnforcementLevel, PolicyInfo, PropertyChange, Resource, SourcePosition, Violation } from '../shared/model';
import type { Store } from '../store';
import { isSuppressed } from './violationFilter';
import { propertiesNamedIn } from './violationDetail';

/** To the end of the line: clients clamp a character past the line's end, and the LSP's uinteger stops at 2^31 - 1. */
const END_OF_LINE = 2 ** 31 - 1;

export const VIOLATION_DIAGNOSTIC_SOURCE = 'Policy Insights';

/** What a quick fix needs to act on the violation behind a diagnostic. */
export interface ViolationDiagnosticData {
    violationId: string;
    entityId: string;
    resourceURN: string;
    policyName: string;
    /** A remediation record's changes, on the program's line: what "Fix in code" writes there. */
    remediationChanges?: PropertyChange[];
}

export const LEVEL_SEVERITY: Record<Exclude<EnforcementLevel, 'disabled'>, DiagnosticSeverity> = {
    mandatory: DiagnosticSeverity.Error,
    advisory: DiagnosticSeverity.Warning,
    remediate: DiagnosticSeverity.Information,
};

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'out', 'dist', 'bin', '.cache']);

/** Pulumi projects in the workspace folders: project name -> folder of its Pulumi.yaml. */
export function findPulumiProjects(folders: string[], maxDepth = 4): Map<string, string> {
    const projects = new Map<string, string>();
    const visit = (dir: string, depth: number) => {
        let entries;
        try {
            entries = readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            if (entry.isFile() && (entry.name === 'Pulumi.yaml' || entry.name === 'Pulumi.yml')) {
                try {
                    const name = (parseYaml(readFileSync(path.join(dir, entry.name), 'utf8')) as { name?: unknown } | null)?.name;
                    if (typeof name === 'string' && !projects.has(name)) projects.set(name, dir);
                } catch {
                    // A broken Pulumi.yaml names no project.
                }
            } else if (entry.isDirectory() && depth < maxDepth && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) {
                visit(path.join(dir, entry.name), depth + 1);
            }
        }
    };
    for (const folder of folders) visit(folder, 0);
    return projects;
}

/** The file a source position points at, or undefined when its project is not in the workspace. */
export function resolveSourcePosition(position: SourcePosition, project: string | undefined, projects: Map<string, string>): string | undefined {
    if (position.uri.startsWith('project:///')) {
        const folder = project ? projects.get(project) : undefined;
        if (!folder) return undefined;
        const file = path.join(folder, decodeURIComponent(position.uri.slice('project:///'.length)));
        return existsSync(file) ? file : undefined;
    }
    if (position.uri.startsWith('file://')) return new URL(position.uri).pathname;
    return undefined;
}

function policyUrl(policies: Map<string, PolicyInfo>, v: Violation): string | undefined {
    return policies.get(`${v.policyPack}/${v.policyName}`)?.url;
}

function diagnosticOf(v: Violation, range: Diagnostic['range'], url: string | undefined, onProgram = false): Diagnostic {
    const data: ViolationDiagnosticData = { violationId: v.id, entityId: v.entityId, resourceURN: v.resourceURN, policyName: v.policyName };
    if (onProgram && v.remediation) data.remediationChanges = v.remediation.changes;
    return {
        range,
        severity: LEVEL_SEVERITY[v.level as Exclude<EnforcementLevel, 'disabled'>] ?? DiagnosticSeverity.Hint,
        source: VIOLATION_DIAGNOSTIC_SOURCE,
        code: v.policyName,
        ...(url ? { codeDescription: { href: url } } : {}),
        message: `${v.message}\n(${v.policyPack}@${v.policyPackTag}, ${v.level}${v.severity ? `, ${v.severity}` : ''}; ${v.resourceName || v.resourceURN})`,
        data,
    };
}

export interface SourceDiagnosticsOptions {
    /** Workspace folders to look for Pulumi.yaml in. */
    folders: string[];
    /** Which levels to show (the `policyInsights.diagnostics.levels` setting). */
    levels: EnforcementLevel[];
    now?: Date;
}

/** Open, unsuppressed violations of the wanted levels. */
function shown(violations: readonly Violation[], levels: EnforcementLevel[], now: Date): Violation[] {
    return violations.filter((v) => v.status !== 'fixed' && levels.includes(v.level) && !isSuppressed(v, now));
}

async function policiesOf(store: Store): Promise<Map<string, PolicyInfo>> {
    const policies = new Map<string, PolicyInfo>();
    for (const pack of [...(await store.readCatalog()).packs].sort((a, b) => a.version - b.version)) {
        for (const policy of pack.policies) policies.set(`${pack.name}/${policy.name}`, policy);
    }
    return policies;
}

/** Diagnostics per file URI on the Pulumi programs in the workspace. */
export async function sourceDiagnostics(store: Store, options: SourceDiagnosticsOptions): Promise<Map<string, Diagnostic[]>> {
    const now = options.now ?? new Date();
    const projects = findPulumiProjects(options.folders);
    const policies = await policiesOf(store);
    const byFile = new Map<string, Diagnostic[]>();
    if (!projects.size) return byFile;
    for (const shardName of await store.listShards()) {
        const shard = await store.readShard(shardName);
        const violations = shown(shard.violations, options.levels, now).filter((v) => v.entityType === 'stack');
        if (!violations.length) continue;
        const resources = new Map(shard.resources.map((r) => [r.urn, r]));
        for (const v of violations) {
            const resource = resources.get(v.resourceURN);
            if (!resource?.sourcePosition) continue;
            const file = resolveSourcePosition(resource.sourcePosition, resource.project ?? v.project, projects);
            if (!file) continue;
            const line = Math.max(0, resource.sourcePosition.line - 1);
            const character = Math.max(0, (resource.sourcePosition.column ?? 1) - 1);
            const uri = pathToFileURL(file).href;
            const list = byFile.get(uri) ?? [];
            list.push(diagnosticOf(v, { start: { line, character }, end: { line, character: END_OF_LINE } }, policyUrl(policies, v), true));
            byFile.set(uri, list);
        }
    }
    return byFile;
}

/**
 * Diagnostics for a resource document whose text is `text` (the resource as JSON, two-space
 * indented): each violation on the line of the property its message names, else on "name".
 */
export async function resourceDocumentDiagnostics(store: Store, account: string, urn: string, text: string, levels: EnforcementLevel[], now = new Date()): Promise<Diagnostic[]> {
    const shard = await store.readShard(account);
    const resource: Resource | undefined = shard.resources.find((r) => r.urn === urn);
    const violations = shown(shard.violations, levels, now).filter((v) => v.resourceURN === urn);
    if (!violations.length) return [];
    const policies = await policiesOf(store);
    const lines = text.split('\n');
    const propertiesLine = lines.findIndex((l) => /^ {2}"properties": \{/.test(l));
    const lineOf = (pattern: RegExp, from = 0) => {
        for (let i = from; i < lines.length; i++) if (pattern.test(lines[i])) return i;
        return -1;
    };
    return violations.map((v) => {
        const named = resource ? propertiesNamedIn(v.message, resource.properties) : [];
        let line = -1;
        for (const property of named) {
            line = propertiesLine >= 0 ? lineOf(new RegExp(`^ {4}${JSON.stringify(property).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`), propertiesLine) : -1;
            if (line >= 0) break;
        }
        if (line < 0) line = Math.max(0, lineOf(/^ {2}"name":/));
        const start = lines[line].length - lines[line].trimStart().length;
        return diagnosticOf(v, { start: { line, character: start }, end: { line, character: lines[line].length } }, policyUrl(policies, v));
    });
}
