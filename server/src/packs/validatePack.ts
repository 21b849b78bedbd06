/**
 * Whole-pack validation from disk, for `policy validate`, `policy publish` and the
 * "Publish" command: the same static checks the editor shows as you type, over the pack's
 * entry, package.json and PulumiPolicy.yaml.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse as parseYaml } from 'yaml';
import { staticDiagnostics } from './packDocuments';
import type { RunnerPool } from '../runner';
import { runtimeCheck } from './runtimeCheck';
import { SYNTAX_DIAGNOSTIC_SOURCE } from './staticChecks';
import { UserError } from '../userErrors';

export interface FileDiagnostics {
    file: string;
    diagnostics: Diagnostic[];
}

export interface PackValidation {
    packDir: string;
    /** index.ts / index.js (package.json `main` wins when it exists). */
    entryFile?: string;
    files: FileDiagnostics[];
    errorCount: number;
    warningCount: number;
}

const LANGUAGE_BY_EXTENSION: Record<string, string> = { '.ts': 'typescript', '.js': 'javascript', '.json': 'json', '.yaml': 'yaml' };

/** `file` as a TextDocument, its language from its extension. */
export function documentOf(file: string): TextDocument {
    const language = LANGUAGE_BY_EXTENSION[path.extname(file)] ?? 'plaintext';
    return TextDocument.create(pathToFileURL(file).href, language, 0, readFileSync(file, 'utf8'));
}

function messageText(d: Diagnostic): string {
    return typeof d.message === 'string' ? d.message : d.message.value;
}

/** `file:line:col: error|warning message [code]`, 1-based, as compilers print. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
    const severity = d.severity === DiagnosticSeverity.Error ? 'error' : d.severity === DiagnosticSeverity.Warning ? 'warning' : 'info';
    // TypeScript's own diagnostics are known by their number as tsc prints it: TS1109.
    const code = d.source === SYNTAX_DIAGNOSTIC_SOURCE ? `TS${d.code}` : d.code;
    return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity} ${messageText(d)}${code ? ` [${code}]` : ''}`;
}

/** The entry file the SDK would load: package.json `main`, else index.ts, else index.js. */
export function packEntryFile(packDir: string): string | undefined {
    try {
        const main = (JSON.parse(readFileSync(path.join(packDir, 'package.json'), 'utf8')) as { main?: unknown }).main;
        if (typeof main === 'string' && existsSync(path.join(packDir, main))) return path.join(packDir, main);
    } catch {
        // A broken package.json is reported by its own check.
    }
    return ['index.ts', 'index.js'].map((n) => path.join(packDir, n)).find((f) => existsSync(f));
}

/**
 * The absolute folder of the pack in `packDir`.
 * @throws UserError when `packDir` is not a policy pack (no PulumiPolicy.yaml), naming the folder.
 */
export function requirePackDir(packDir: string): string {
    const dir = path.resolve(packDir);
    if (!existsSync(path.join(dir, 'PulumiPolicy.yaml'))) {
        throw new UserError(`${dir} is not a policy pack: it has no PulumiPolicy.yaml. Create one with \`policy-insights policy new <template>\`.`);
    }
    return dir;
}

/**
 * Static validation of the pack in `packDir`.
 * @throws UserError when `packDir` is not a policy pack (see requirePackDir).
 */
export function validatePackDir(packDir: string): PackValidation {
    const dir = requirePackDir(packDir);
    const entryFile = packEntryFile(dir);
    const files: FileDiagnostics[] = [];
    for (const file of [path.join(dir, 'PulumiPolicy.yaml'), path.join(dir, 'package.json'), entryFile]) {
        if (!file) continue;
        if (!existsSync(file)) {
            files.push({
                file,
                diagnostics: [
                    {
                        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                        severity: DiagnosticSeverity.Error,
                        source: 'policy-insights',
                        message: `${path.basename(file)} is missing: a policy pack needs a package.json with its version.`,
                    },
                ],
            });
            continue;
        }
        files.push({ file, diagnostics: staticDiagnostics(documentOf(file)) ?? [] });
    }
    if (!entryFile) {
        files.push({
            file: path.join(dir, 'index.ts'),
            diagnostics: [
                {
                    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                    severity: DiagnosticSeverity.Error,
                    source: 'policy-insights',
                    message: `No entry point in ${dir}: expected package.json "main", index.ts or index.js.`,
                },
            ],
        });
    }
    return withCounts({ packDir: dir, entryFile, files });
}

function withCounts(validation: Omit<PackValidation, 'errorCount' | 'warningCount'>): PackValidation {
    const all = validation.files.flatMap((f) => f.diagnostics);
    return {
        ...validation,
        errorCount: all.filter((d) => d.severity === DiagnosticSeverity.Error).length,
        warningCount: all.filter((d) => d.severity === DiagnosticSeverity.Warning).length,
    };
}

/**
 * The static checks and then, when they found no error, the pack loaded as the engine loads
 * it (out of process, by `runner`): a pack that is clean on paper but throws at load, requires
 * config or imports a missing module is an error, as `pulumi policy publish` would stop on it.
 * The load is skipped after a static error, whose build or load failure would only repeat it.
 * @throws Error when `packDir` is not a policy pack (see validatePackDir).
 */
export async function validatePackLoading(packDir: string, runner: Pick<RunnerPool, 'loadPack'>): Promise<PackValidation> {
    const validation = validatePackDir(packDir);
    if (validation.errorCount > 0) return validation;
    const { diagnostics } = await runtimeCheck(runner, validation.packDir);
    if (!diagnostics.size) return validation;
    const files = validation.files.map((f) => ({ ...f, diagnostics: [...f.diagnostics] }));
    for (const [uri, found] of diagnostics) {
        const file = fileURLToPath(uri);
        const existing = files.find((f) => f.file === file);
        if (existing) existing.diagnostics.push(...found);
        else files.push({ file, diagnostics: found });
    }
    return withCounts({ ...validation, files });
}

/** The version tag to publish: PulumiPolicy.yaml `version`, else package.json `version`. */
export function packVersionTag(packDir: string): string | undefined {
    try {
        const yaml = parseYaml(readFileSync(path.join(packDir, 'PulumiPolicy.yaml'), 'utf8')) as { version?: unknown } | null;
        if (yaml && (typeof yaml.version === 'string' || typeof yaml.version === 'number')) return String(yaml.version);
    } catch {
        // Reported by the static checks.
    }
    try {
        const version = (JSON.parse(readFileSync(path.join(packDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : undefined;
    } catch {
        return undefined;
    }
}
