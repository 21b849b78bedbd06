/**
 * The runtime check on save: the pack is loaded by the runner (out of process) and a
 * failure becomes a diagnostic where it happened: a load-time exception at its
 * source-mapped position, missing node_modules on the entry with a quick fix that installs
 * dependencies.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { RunnerError, type RunnerPool, type SourceLocation } from '../runner';
import { PACK_DIAGNOSTIC_SOURCE } from './packDiagnostics';
import { packEntryFile } from './validatePack';

/** Diagnostic codes of the runtime check; `missing-dependencies` carries `{ packDir }` as data. */
export type RuntimeDiagnosticCode = 'missing-dependencies' | 'load-failed' | 'build-failed' | 'no-policy-pack';

export interface RuntimeCheckResult {
    /** The entry file's uri: where problems without a position are shown. */
    entryUri: string;
    /** Diagnostics by document uri (empty when the pack loaded). */
    diagnostics: Map<string, Diagnostic[]>;
}

function at(line: number, character: number): Diagnostic['range'] {
    return { start: { line, character }, end: { line, character: character + 1 } };
}

/** What the runner's host prefixes to an exception a pack threw at load (runner/hostSdk.ts). */
const THREW_WHILE_LOADING = /^Policy pack threw while loading \([^)]*\): /;
/** @pulumi/pulumi's ConfigMissingError, a RunError: the engine prints its message without a stack. */
const MISSING_CONFIG = /^(?:Error: )?(Missing required configuration variable '[^']*')/;
/** Node's report of code it cannot parse: `file:line`, the line, a caret under the column, then the error. */
const NODE_SYNTAX_ERROR = /^(\/[^\n]*|[A-Za-z]:\\[^\n]*):(\d+)\n[^\n]*\n( *)\^[^\n]*\n\n(\w*Error: [^\n]*)/;

export interface EngineLoadFailure {
    message: string;
    /** Where Node reported a syntax error, when the runner found no frame of the pack's own. */
    location?: SourceLocation;
}

/**
 * An exception thrown while the pack loaded, worded as the engine reports it
 * (@pulumi/pulumi cmd/run-policy-pack): a RunError such as missing config by its message alone,
 * anything else as "Running program '<pack>' failed with an unhandled exception:" and the
 * error's first line. The stack is left out when the diagnostic sits at the pack's own
 * file:line (the caller uses the runner's location, or the one returned here for a syntax
 * error). Undefined when the message is not the host's report of a thrown exception.
 */
export function engineLoadFailure(runnerMessage: string, packDir: string, hasLocation: boolean): EngineLoadFailure | undefined {
    if (!THREW_WHILE_LOADING.test(runnerMessage)) return undefined;
    const thrown = runnerMessage.replace(THREW_WHILE_LOADING, '');
    const unhandled = (error: string) => `Running program '${packDir}' failed with an unhandled exception: ${error}`;
    const syntax = NODE_SYNTAX_ERROR.exec(thrown);
    if (syntax) {
        // The engine prints a SyntaxError without its stack: where it is, and what.
        return { message: unhandled(syntax[4]), location: { file: syntax[1], line: Number(syntax[2]), column: syntax[3].length + 1 } };
    }
    const firstLine = thrown.split('\n')[0];
    const missingConfig = MISSING_CONFIG.exec(firstLine);
    if (missingConfig) {
        // As under `pulumi policy publish`, no stack exists here, so a pack cannot require config at load.
        return {
            message: `${missingConfig[1]}: the pack reads stack config while it loads, and no stack config exists when a pack is validated or published (\`pulumi policy publish\` fails the same way). Read it inside a policy, or use config.get() with a default.`,
        };
    }
    // Thrown outside the pack's own files (in a dependency): the first frames say where.
    const frames = hasLocation ? [] : thrown.split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 2);
    return { message: [unhandled(firstLine), ...frames].join('\n') };
}

export async function runtimeCheck(runner: Pick<RunnerPool, 'loadPack'>, packDir: string): Promise<RuntimeCheckResult> {
    const entry = packEntryFile(packDir) ?? path.join(packDir, 'index.ts');
    const entryUri = pathToFileURL(entry).href;
    const diagnostics = new Map<string, Diagnostic[]>();
    try {
        await runner.loadPack(packDir);
    } catch (err) {
        if (!(err instanceof RunnerError)) throw err;
        const code = err.code as RuntimeDiagnosticCode;
        const thrown = code === 'load-failed' ? engineLoadFailure(err.message, packDir, err.details.location !== undefined) : undefined;
        const location = err.details.location ?? thrown?.location;
        const uri = location ? pathToFileURL(location.file).href : entryUri;
        const range = location ? at(Math.max(0, location.line - 1), Math.max(0, location.column - 1)) : at(0, 0);
        const message =
            code === 'missing-dependencies'
                ? `${err.message.split('\n')[0]} The pack's dependencies are not installed.`
                : thrown?.message ?? err.message.split('\n').slice(0, 3).join('\n');
        diagnostics.set(uri, [
            {
                range,
                severity: DiagnosticSeverity.Error,
                source: PACK_DIAGNOSTIC_SOURCE,
                code,
                message: err.details.stderrTail && code !== 'missing-dependencies' && !thrown ? `${message}\n${err.details.stderrTail}` : message,
                data: code === 'missing-dependencies' ? { packDir } : undefined,
            },
        ]);
    }
    return { entryUri, diagnostics };
}
