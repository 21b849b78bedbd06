/**
 * The diagnostics that pack validation produces: one stable `code` per rule, so quick fixes,
 * tests and the CLI (`policy validate`) can match on it, and one constructor so every rule
 * reports the same shape.
 */
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';

/** `Diagnostic.source` of everything Policy Insights reports about a pack's files. */
export const PACK_DIAGNOSTIC_SOURCE = 'policy-insights';

/** Rules over a pack's index.ts / index.js. */
export type PackSourceDiagnosticCode =
    | 'invalid-pack-name'
    | 'multiple-policy-packs'
    | 'missing-policy-name'
    | 'duplicate-policy-name'
    | 'reserved-policy-name'
    | 'invalid-enforcement-level'
    | 'invalid-severity'
    | 'empty-description'
    | 'config-schema-enforcement-level'
    | 'missing-validate'
    /** validatedTypes.ts: a validated type no configured account discovers (CLI validate and publish). */
    | 'undiscovered-type'
    | 'unknown-validated-type';

/** Rules over package.json and PulumiPolicy.yaml. */
export type PackManifestDiagnosticCode =
    | 'invalid-json'
    | 'invalid-yaml'
    | 'missing-version'
    | 'invalid-version'
    | 'missing-runtime'
    | 'unknown-runtime'
    | 'unsupported-runtime';

export type PackDiagnosticCode = PackSourceDiagnosticCode | PackManifestDiagnosticCode;

/**
 * `Diagnostic.data` of the rules that have a quick fix. It travels to the client and back in
 * the code action request, so it holds plain JSON only.
 */
export interface ReplacementData {
    /** The value as written (without quotes). */
    value: string;
    /** What the preferred fix writes instead (without quotes). */
    suggestion: string;
    /** Every acceptable value, best first; alternative fixes are offered from it. */
    alternatives?: string[];
}

export function packDiagnostic(
    code: PackDiagnosticCode,
    severity: 'error' | 'warning' | 'information',
    range: Range,
    message: string,
    data?: ReplacementData,
    relatedInformation?: DiagnosticRelatedInformation[],
): Diagnostic {
    const diagnostic: Diagnostic = {
        range,
        severity: severity === 'error' ? DiagnosticSeverity.Error : severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
        source: PACK_DIAGNOSTIC_SOURCE,
        code,
        message,
    };
    if (data) diagnostic.data = data;
    if (relatedInformation?.length) diagnostic.relatedInformation = relatedInformation;
    return diagnostic;
}

export function isReplacementData(data: unknown): data is ReplacementData {
    if (typeof data !== 'object' || data === null) return false;
    const candidate = data as Partial<ReplacementData>;
    return typeof candidate.value === 'string' && typeof candidate.suggestion === 'string';
}
