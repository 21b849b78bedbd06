/** Helpers shared by the static-check tests of pack sources and manifests. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic, Range } from 'vscode-languageserver';

/** The fixtures folder, found above wherever this test was bundled to, or above the working directory. */
export function fixture(...parts: string[]): string {
    for (const from of [__dirname, process.cwd()]) {
        for (let dir = from; ; dir = dirname(dir)) {
            const candidate = join(dir, 'test', 'fixtures', 'packs', 'static');
            if (existsSync(candidate)) return join(candidate, ...parts);
            if (dirname(dir) === dir) break;
        }
    }
    throw new Error(`test/fixtures/packs/static not found above ${__dirname} or ${process.cwd()}`);
}

/** Diagnostic messages may be Markdown in LSP 3.18; ours are plain strings. */
export function messageOf(diagnostic: Diagnostic): string {
    return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

export function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
    return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}
