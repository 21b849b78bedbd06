/**
 * Validate-as-you-type for the two files beside a pack's source: package.json (whose
 * `version` @pulumi/policy reads when the pack starts) and PulumiPolicy.yaml (the runtime
 * and optional version tag `pulumi policy publish` reads).
 */
import semver from 'semver';
import ts from 'typescript';
import type { Diagnostic, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isMap, isScalar, parseDocument, type Node as YamlNode } from 'yaml';
import { rankByCloseness } from './closestValue';
import { packDiagnostic } from './packDiagnostics';
import { findProperty, rangeOf } from './packSyntax';
import { errorMessage } from '../shared/errors';

/** The runtime this tool can build and run packs with. */
const RUNNABLE_RUNTIME = 'nodejs';
/** Runtimes Pulumi accepts for policy packs (PulumiPolicy.yaml reference). */
const POLICY_RUNTIMES = [RUNNABLE_RUNTIME, 'python'];

/** Problems in a pack's package.json: JSON syntax, and a missing or non-semver `version`. */
export function checkPackageJson(doc: TextDocument): Diagnostic[] {
    const text = doc.getText();
    try {
        JSON.parse(text);
    } catch (error) {
        return [jsonSyntaxError(doc, errorMessage(error))];
    }
    // JSON.parse said the text is valid; TypeScript's JSON parser gives the positions.
    const json = ts.parseJsonText(doc.uri, text);
    const root = json.statements[0]?.expression;
    if (!root || !ts.isObjectLiteralExpression(root)) {
        return [packDiagnostic('invalid-json', 'error', wholeFirstLine(doc),
            'package.json must hold a JSON object, e.g. { "name": "my-pack", "version": "0.1.0" }.')];
    }
    const version = findProperty(root, 'version');
    if (!version || !ts.isPropertyAssignment(version)) {
        const open = root.getStart(json);
        return [packDiagnostic('missing-version', 'error', { start: doc.positionAt(open), end: doc.positionAt(open + 1) },
            'Version must be defined in the package.json file: @pulumi/policy refuses to start without it. Add "version": "0.1.0".')];
    }
    const value = version.initializer;
    if (!ts.isStringLiteral(value)) {
        return [packDiagnostic('invalid-version', 'error', rangeOf(value, json, doc),
            `package.json "version" must be a string holding a semver version such as "0.1.0", not ${value.getText(json)}.`)];
    }
    if (!semver.valid(value.text)) {
        return [packDiagnostic('invalid-version', 'error', rangeOf(value, json, doc),
            `package.json "version" "${value.text}" is not a valid semver version. Use MAJOR.MINOR.PATCH, e.g. "0.1.0" or "1.2.0-beta.1"; it becomes the version tag when the pack is published.`)];
    }
    return [];
}

function jsonSyntaxError(doc: TextDocument, message: string): Diagnostic {
    // V8 says "... in JSON at position N" for everything but a premature end of input.
    const match = /at position (\d+)/.exec(message);
    const length = doc.getText().length;
    const offset = match ? Math.min(Number(match[1]), length) : length;
    const start = doc.positionAt(offset);
    const reason = message.replace(/\s*\(line \d+ column \d+\)$/, '');
    return packDiagnostic('invalid-json', 'error', { start, end: doc.positionAt(Math.min(offset + 1, length)) },
        `package.json is not valid JSON: ${reason} (line ${start.line + 1}, column ${start.character + 1}). Fix the syntax there; the pack cannot be loaded until then.`);
}

/** Problems in PulumiPolicy.yaml: YAML syntax, a missing or unknown `runtime`, a non-semver `version`. */
export function checkPulumiPolicyYaml(doc: TextDocument): Diagnostic[] {
    const parsed = parseDocument(doc.getText(), { prettyErrors: false });
    const syntax: Diagnostic[] = [
        ...parsed.errors.map(error => yamlProblem(doc, 'error', error.message, error.pos)),
        ...parsed.warnings.map(warning => yamlProblem(doc, 'warning', warning.message, warning.pos)),
    ];
    if (parsed.errors.length > 0) return syntax;

    const root = parsed.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
        return [...syntax, packDiagnostic('missing-runtime', 'error', wholeFirstLine(doc),
            'PulumiPolicy.yaml is empty. It needs at least `runtime: nodejs`.')];
    }
    if (!isMap(root)) {
        return [...syntax, packDiagnostic('invalid-yaml', 'error', yamlRange(doc, root) ?? wholeFirstLine(doc),
            'PulumiPolicy.yaml must be a mapping of keys to values, e.g. `runtime: nodejs` on its own line.')];
    }
    const diagnostics = syntax;
    const runtime = root.items.find(pair => isScalar(pair.key) && pair.key.value === 'runtime');
    if (!runtime) {
        diagnostics.push(packDiagnostic('missing-runtime', 'error', wholeFirstLine(doc),
            'PulumiPolicy.yaml has no `runtime`. Add `runtime: nodejs`.'));
    } else {
        const problem = checkRuntime(doc, runtime.value as YamlNode | null, runtime.key as YamlNode);
        if (problem) diagnostics.push(problem);
    }
    const version = root.items.find(pair => isScalar(pair.key) && pair.key.value === 'version');
    if (version && isScalar(version.value) && version.value.value !== null) {
        const range = yamlRange(doc, version.value) ?? wholeFirstLine(doc);
        // Read the text as written: `1.0` is a number to YAML but still not a semver version.
        const written = doc.getText(range).replace(/^(["'])(.*)\1$/, '$2');
        if (!semver.valid(written)) {
            diagnostics.push(packDiagnostic('invalid-version', 'error', range,
                `PulumiPolicy.yaml version "${written}" is not a valid semver version. Use MAJOR.MINOR.PATCH, e.g. 0.1.0; it becomes the version tag when the pack is published and overrides package.json's.`));
        }
    }
    return diagnostics;
}

function checkRuntime(doc: TextDocument, value: YamlNode | null, key: YamlNode): Diagnostic | undefined {
    // `runtime: nodejs` or `runtime: { name: nodejs, options: {...} }`.
    const nameNode = isMap(value) ? value.get('name', true) as YamlNode | undefined : value;
    const range = (nameNode && yamlRange(doc, nameNode)) ?? yamlRange(doc, key) ?? wholeFirstLine(doc);
    const name = isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : undefined;
    if (name === RUNNABLE_RUNTIME) return undefined;
    if (name && POLICY_RUNTIMES.includes(name)) {
        return packDiagnostic('unsupported-runtime', 'warning', range,
            `Pulumi supports "${name}" policy packs, but Policy Insights builds and runs only nodejs packs (TypeScript or JavaScript). This pack can be published and inspected, not evaluated.`);
    }
    const written = name ?? (nameNode ? doc.getText(range) : '');
    const suggestion = rankByCloseness(written, POLICY_RUNTIMES)[0];
    return packDiagnostic('unknown-runtime', 'error', range,
        written === ''
            ? 'PulumiPolicy.yaml `runtime` has no name. Use `runtime: nodejs`.'
            : `Unknown policy pack runtime "${written}". Policy packs run on ${POLICY_RUNTIMES.map(r => `"${r}"`).join(' or ')}; Policy Insights runs nodejs packs. Did you mean "${suggestion}"?`,
        written === '' ? undefined : { value: written, suggestion, alternatives: rankByCloseness(written, POLICY_RUNTIMES) });
}

function yamlProblem(doc: TextDocument, severity: 'error' | 'warning', message: string, pos: [number, number]): Diagnostic {
    // A problem found at end of input (an unclosed quote) belongs on the last line that has text.
    const text = doc.getText();
    const lastText = text.trimEnd().length;
    const from = pos[0] >= lastText ? Math.max(lastText - 1, 0) : pos[0];
    const start = doc.positionAt(from);
    const end = doc.positionAt(Math.min(Math.max(pos[1], from + 1), Math.max(lastText, from + 1)));
    return packDiagnostic('invalid-yaml', severity, { start, end },
        `PulumiPolicy.yaml is not valid YAML: ${message.split('\n')[0]} (line ${start.line + 1}, column ${start.character + 1}).`);
}

function yamlRange(doc: TextDocument, node: YamlNode): Range | undefined {
    if (!node.range) return undefined;
    const [start, valueEnd] = node.range;
    return { start: doc.positionAt(start), end: doc.positionAt(valueEnd) };
}

function wholeFirstLine(doc: TextDocument): Range {
    const firstLine = doc.getText().split(/\r?\n/, 1)[0] ?? '';
    return { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.length } };
}
