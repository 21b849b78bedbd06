/**
 * Which open documents belong to a policy pack, and their static diagnostics. A pack is a
 * folder with a PulumiPolicy.yaml; its index.ts / index.js, package.json and
 * PulumiPolicy.yaml are checked, any other file is left alone (the client sends every
 * TypeScript/JavaScript file, most of which are not packs).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { checkPackageJson, checkPulumiPolicyYaml } from './manifestChecks';
import { checkPackSource } from './staticChecks';

export type PackFileKind = 'source' | 'package.json' | 'PulumiPolicy.yaml';

export interface PackFile {
    kind: PackFileKind;
    /** The pack's folder (the one holding PulumiPolicy.yaml). */
    packDir: string;
    file: string;
}

const SOURCE_NAMES = new Set(['index.ts', 'index.js']);

/** The pack file `uri` is, or undefined when it is not part of a pack. */
export function packFileOf(uri: string): PackFile | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    const base = path.basename(file);
    const packDir = path.dirname(file);
    if (base === 'PulumiPolicy.yaml') return { kind: 'PulumiPolicy.yaml', packDir, file };
    if (!existsSync(path.join(packDir, 'PulumiPolicy.yaml'))) return undefined;
    if (base === 'package.json') return { kind: 'package.json', packDir, file };
    if (SOURCE_NAMES.has(base)) return { kind: 'source', packDir, file };
    return undefined;
}

/** Static diagnostics of a pack document, or undefined when it is not a pack file. */
export function staticDiagnostics(doc: TextDocument): Diagnostic[] | undefined {
    const packFile = packFileOf(doc.uri);
    if (!packFile) return undefined;
    switch (packFile.kind) {
        case 'source':
            return checkPackSource(doc);
        case 'package.json':
            return checkPackageJson(doc);
        case 'PulumiPolicy.yaml':
            return checkPulumiPolicyYaml(doc);
    }
}
