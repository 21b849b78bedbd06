/**
 * Editor help for a pack's source, as pure functions the language server wires to LSP
 * requests: completions for policy and pack fields and for enforcement levels and
 * severities, hovers that say what they mean, and quick fixes for the diagnostics of
 * staticChecks.ts / manifestChecks.ts that have an obvious correction.
 */
import ts from 'typescript';
import {
    CodeActionKind, CompletionItemKind, InsertTextFormat, MarkupKind,
    type CodeAction, type CompletionItem, type Diagnostic, type Hover, type Position, type Range,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { rankByCloseness } from './closestValue';
import { isReplacementData, PACK_DIAGNOSTIC_SOURCE, type PackDiagnosticCode } from './packDiagnostics';
import { contentRangeOf, isUnterminated, parsePackSource, propertyNameText, rangeOf, type PackSyntax } from './packSyntax';
import {
    ENFORCEMENT_LEVEL_DOCS, ENFORCEMENT_LEVELS, PACK_FIELDS, POLICY_FIELDS, SEVERITIES, SEVERITY_DOCS, type FieldDoc,
} from './policyVocabulary';
import { checkPackSource } from './staticChecks';

type ObjectKind = 'policy' | 'pack';
type ChoiceField = 'enforcementLevel' | 'severity';

// ---------------------------------------------------------------------------------------------
// Completions
// ---------------------------------------------------------------------------------------------

/** Completions at `position` in pack source `doc`; empty where there is nothing pack-specific to offer. */
export function completionsAt(doc: TextDocument, position: Position): CompletionItem[] {
    const syntax = parsePackSource(doc);
    const offset = doc.offsetAt(position);

    const literal = stringLiteralAt(syntax.sourceFile, offset);
    if (literal) {
        const field = choiceFieldOf(literal, syntax);
        if (!field) return [];
        return choiceItems(field, contentRangeOf(literal, syntax.sourceFile, doc), false);
    }

    const object = innermostObjectAt(syntax.sourceFile, offset);
    const kind = object && objectKindOf(object, syntax);
    if (!object || !kind) return [];

    const property = object.properties.find(p => p.getStart(syntax.sourceFile) <= offset && offset <= propertyEnd(p, syntax.sourceFile));
    if (property && ts.isPropertyAssignment(property) && offset > property.name.getEnd()) {
        // Value position: only the closed sets have anything to offer, and only before a value is written.
        const field = choiceField(propertyNameText(property.name), kind);
        const value = property.initializer;
        if (!field || !(ts.isIdentifier(value) && offset >= value.getStart(syntax.sourceFile))) return [];
        const replace = value.getFullWidth() === 0 || value.text === ''
            ? { start: position, end: position }
            : rangeOf(value, syntax.sourceFile, doc);
        return choiceItems(field, replace, true);
    }
    if (property && !ts.isShorthandPropertyAssignment(property) && !(property.name && offset <= property.name.getEnd())) {
        return [];
    }
    // Key position: between properties, or on a name being typed.
    const typed = property?.name;
    const replace = typed ? rangeOf(typed, syntax.sourceFile, doc) : { start: position, end: position };
    const present = new Set(object.properties.filter(p => p !== property).map(p => propertyNameText(p.name)));
    // Renaming the key of a property that already has a value must not insert a second value.
    const nameOnly = property !== undefined && ts.isPropertyAssignment(property);
    const fields = kind === 'policy' ? POLICY_FIELDS : PACK_FIELDS;
    return fields
        .filter(field => !present.has(field.name))
        .map((field, index): CompletionItem => ({
            label: field.name,
            kind: CompletionItemKind.Property,
            detail: field.signature,
            documentation: { kind: MarkupKind.Markdown, value: field.documentation },
            sortText: String(index).padStart(2, '0'),
            insertTextFormat: nameOnly ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
            textEdit: { range: replace, newText: nameOnly ? field.name : field.snippet ?? field.name },
        }));
}

function choiceItems(field: ChoiceField, replace: Range, quoted: boolean): CompletionItem[] {
    const values: readonly string[] = field === 'enforcementLevel' ? ENFORCEMENT_LEVELS : SEVERITIES;
    return values.map((value, index): CompletionItem => ({
        label: value,
        kind: CompletionItemKind.EnumMember,
        detail: field === 'enforcementLevel' ? 'enforcement level' : 'severity',
        documentation: { kind: MarkupKind.Markdown, value: choiceDoc(field, value) ?? '' },
        sortText: String(index),
        filterText: value,
        textEdit: { range: replace, newText: quoted ? `"${value}"` : value },
    }));
}

// ---------------------------------------------------------------------------------------------
// Hovers
// ---------------------------------------------------------------------------------------------

/** What the field name or level/severity literal under `position` means; null elsewhere. */
export function hoverAt(doc: TextDocument, position: Position): Hover | null {
    const syntax = parsePackSource(doc);
    const offset = doc.offsetAt(position);
    const node = innermostNodeAt(syntax.sourceFile, offset);
    if (!node) return null;
    const parent = node.parent;

    if (parent && (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) && parent.name === node
        && ts.isObjectLiteralExpression(parent.parent)) {
        const kind = objectKindOf(parent.parent, syntax);
        const field = kind && fieldDoc(kind, propertyNameText(parent.name));
        if (!field) return null;
        return markdownHover(['```typescript', field.signature, '```', '', field.documentation].join('\n'), rangeOf(node, syntax.sourceFile, doc));
    }
    if (ts.isStringLiteralLike(node)) {
        const field = choiceFieldOf(node, syntax);
        if (!field) return null;
        const label = field === 'enforcementLevel' ? 'enforcement level' : 'severity';
        const meaning = choiceDoc(field, node.text);
        const allowed = (field === 'enforcementLevel' ? ENFORCEMENT_LEVELS : SEVERITIES).map(v => `\`${v}\``).join(', ');
        const text = meaning
            ? `**${node.text}** (${label})\n\n${meaning}`
            : `**${node.text}** is not a valid ${label}. Use one of ${allowed}.`;
        return markdownHover(text, rangeOf(node, syntax.sourceFile, doc));
    }
    return null;
}

function markdownHover(value: string, range: Range): Hover {
    return { contents: { kind: MarkupKind.Markdown, value }, range };
}

function fieldDoc(kind: ObjectKind, name: string | undefined): FieldDoc | undefined {
    return (kind === 'policy' ? POLICY_FIELDS : PACK_FIELDS).find(field => field.name === name);
}

function choiceDoc(field: ChoiceField, value: string): string | undefined {
    const docs: Readonly<Record<string, string>> = field === 'enforcementLevel' ? ENFORCEMENT_LEVEL_DOCS : SEVERITY_DOCS;
    return Object.prototype.hasOwnProperty.call(docs, value) ? docs[value] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Quick fixes
// ---------------------------------------------------------------------------------------------

const REPLACEABLE_CODES: ReadonlySet<PackDiagnosticCode> = new Set<PackDiagnosticCode>(
    ['invalid-enforcement-level', 'invalid-severity', 'duplicate-policy-name', 'unknown-runtime'],
);

/**
 * Quick fixes for `diagnostics` (as the client sends them back in a code action request):
 * a mistyped enforcement level, severity or runtime becomes the closest valid value (the
 * preferred fix; the other values are offered too), and a duplicate policy name becomes a
 * unique one. Diagnostics from other sources or without a fix are ignored.
 */
export function codeActionsFor(doc: TextDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
    const actions: CodeAction[] = [];
    for (const diagnostic of diagnostics) {
        const code = diagnostic.code as PackDiagnosticCode | undefined;
        if (diagnostic.source !== PACK_DIAGNOSTIC_SOURCE || !code || !REPLACEABLE_CODES.has(code)) continue;
        const written = doc.getText(diagnostic.range);
        const replacements = code === 'duplicate-policy-name'
            ? duplicateNameFix(doc, diagnostic)
            : choiceFixes(code, written, diagnostic.data);
        replacements.forEach((replacement, index) => {
            actions.push({
                title: code === 'duplicate-policy-name' ? `Rename to "${replacement}"` : `Change to "${replacement}"`,
                kind: CodeActionKind.QuickFix,
                diagnostics: [diagnostic],
                isPreferred: index === 0,
                edit: { changes: { [doc.uri]: [{ range: diagnostic.range, newText: requote(written, replacement, code) }] } },
            });
        });
    }
    return actions;
}

function choiceFixes(code: PackDiagnosticCode, written: string, data: unknown): string[] {
    if (isReplacementData(data)) return data.alternatives?.length ? data.alternatives : [data.suggestion];
    // No data (an older client, or a diagnostic rebuilt by hand): rank from the text itself.
    const allowed = code === 'invalid-enforcement-level' ? ENFORCEMENT_LEVELS : code === 'invalid-severity' ? SEVERITIES : ['nodejs', 'python'];
    return rankByCloseness(unquote(written), allowed);
}

function duplicateNameFix(doc: TextDocument, diagnostic: Diagnostic): string[] {
    if (isReplacementData(diagnostic.data)) return [diagnostic.data.suggestion];
    const current = checkPackSource(doc).find(d => d.code === 'duplicate-policy-name'
        && d.range.start.line === diagnostic.range.start.line && d.range.start.character === diagnostic.range.start.character);
    return isReplacementData(current?.data) ? [current.data.suggestion] : [];
}

/** `value` in the quotes `written` used; an unterminated literal gets its closing quote. */
function requote(written: string, value: string, code: PackDiagnosticCode): string {
    const quote = written[0];
    if (quote === '"' || quote === "'" || quote === '`') return `${quote}${value}${quote}`;
    // A plain YAML scalar stays plain; in source, an identifier is replaced by a literal.
    return code === 'unknown-runtime' ? value : JSON.stringify(value);
}

function unquote(written: string): string {
    return written.replace(/^["'`]/, '').replace(/["'`]$/, '');
}

// ---------------------------------------------------------------------------------------------
// Where the cursor is
// ---------------------------------------------------------------------------------------------

/** Whether `object` is a policy or a PolicyPack's args; falls back to shape when the pack is not (yet) parseable. */
function objectKindOf(object: ts.ObjectLiteralExpression, syntax: PackSyntax): ObjectKind | undefined {
    if (syntax.policyObjects.has(object)) return 'policy';
    if (syntax.packArgObjects.has(object)) return 'pack';
    // `policies: [ { ... } ]` whose pack is half-typed: still a policy.
    const array = object.parent;
    const property = array && ts.isArrayLiteralExpression(array) ? array.parent : undefined;
    if (property && ts.isPropertyAssignment(property) && propertyNameText(property.name) === 'policies') return 'policy';
    return undefined;
}

function choiceField(name: string | undefined, kind: ObjectKind): ChoiceField | undefined {
    if (name === 'enforcementLevel') return name;
    if (name === 'severity' && kind === 'policy') return name;
    return undefined;
}

/** The field whose value `literal` is, when it is the value of a policy's or pack's level/severity. */
function choiceFieldOf(literal: ts.StringLiteralLike, syntax: PackSyntax): ChoiceField | undefined {
    const property = literal.parent;
    if (!property || !ts.isPropertyAssignment(property) || property.initializer !== literal) return undefined;
    const object = property.parent;
    const kind = ts.isObjectLiteralExpression(object) ? objectKindOf(object, syntax) : undefined;
    return kind && choiceField(propertyNameText(property.name), kind);
}

/**
 * Where a property ends for the cursor: `enforcementLevel: |` has no value yet, so the
 * whitespace after the colon still belongs to it.
 */
function propertyEnd(property: ts.ObjectLiteralElementLike, sourceFile: ts.SourceFile): number {
    let end = property.getEnd();
    if (ts.isPropertyAssignment(property) && property.initializer.getFullWidth() === 0) {
        while (end < sourceFile.text.length && /\s/.test(sourceFile.text[end])) end++;
    }
    return end;
}

/** The string literal whose contents hold `offset` (an unterminated one also at its very end). */
function stringLiteralAt(sourceFile: ts.SourceFile, offset: number): ts.StringLiteralLike | undefined {
    const node = innermostNodeAt(sourceFile, offset);
    if (!node || !ts.isStringLiteralLike(node)) return undefined;
    const start = node.getStart(sourceFile);
    const inside = offset > start && (offset < node.getEnd() || (isUnterminated(node) && offset === node.getEnd()));
    return inside ? node : undefined;
}

/** The deepest node whose text (leading trivia excluded) spans `offset`, ends included. */
function innermostNodeAt(sourceFile: ts.SourceFile, offset: number): ts.Node | undefined {
    let found: ts.Node | undefined;
    const visit = (node: ts.Node): void => {
        if (node.getStart(sourceFile) <= offset && offset <= node.getEnd()) {
            found = node;
            ts.forEachChild(node, visit);
        }
    };
    ts.forEachChild(sourceFile, visit);
    return found;
}

/** The deepest object literal whose braces enclose `offset`. */
function innermostObjectAt(sourceFile: ts.SourceFile, offset: number): ts.ObjectLiteralExpression | undefined {
    for (let node = innermostNodeAt(sourceFile, offset); node; node = node.parent) {
        if (ts.isObjectLiteralExpression(node) && node.getStart(sourceFile) < offset
            && (offset < node.getEnd() || !closesWithBrace(node, sourceFile))) {
            return node;
        }
    }
    return undefined;
}

/** A half-typed object (`{ name: "x",` then end of file) has no closing brace to stay inside of. */
function closesWithBrace(node: ts.ObjectLiteralExpression, sourceFile: ts.SourceFile): boolean {
    return sourceFile.text[node.getEnd() - 1] === '}';
}
