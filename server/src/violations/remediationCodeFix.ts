/**
 * "Fix in code" for a remediation record: the edits that make the Pulumi program say what the
 * remediation would set, when the program writes each changed property as a literal in the
 * resource's constructor call (`new aws.s3.Bucket("logs", { acl: "public-read" })`).
 * Syntax only (the TypeScript parser the server bundles, no type checker): a property whose
 * value is a variable, a call, a template with substitutions, or that is spread in, gets no
 * edit, and then the whole fix is not offered (a partial fix would leave the remediation firing).
 */
import ts from 'typescript';
import type { TextEdit } from 'vscode-languageserver';
import type { PropertyChange } from '../shared/model';
import { pathSegments, type PathSegment } from './remediation';

function scriptKindOf(fileName: string): ts.ScriptKind {
    if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
    if (/\.jsx$/i.test(fileName)) return ts.ScriptKind.JSX;
    if (/\.[cm]?js$/i.test(fileName)) return ts.ScriptKind.JS;
    return ts.ScriptKind.TS;
}

function propertyName(name: ts.PropertyName): string | undefined {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    return undefined;
}

/** The expression `segment` names inside `node`, or undefined when the literal does not spell it out. */
function child(node: ts.Expression, segment: PathSegment): ts.Expression | undefined {
    if (typeof segment === 'number') return ts.isArrayLiteralExpression(node) && !node.elements.some(ts.isSpreadElement) ? node.elements[segment] : undefined;
    if (!ts.isObjectLiteralExpression(node)) return undefined;
    // the last assignment of a name wins, and a spread after it may override it: only a literal that surely holds is edited
    for (let i = node.properties.length - 1; i >= 0; i--) {
        const property = node.properties[i];
        if (ts.isSpreadAssignment(property)) return undefined;
        if (property.name && propertyName(property.name) === segment) return ts.isPropertyAssignment(property) ? property.initializer : undefined;
    }
    return undefined;
}

/** A literal's value, or undefined when the expression is not a string, number or boolean literal. */
function literalValue(node: ts.Expression): { value: string | number | boolean } | undefined {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { value: node.text };
    if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return { value: -Number(node.operand.text) };
    if (node.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
    if (node.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
    return undefined;
}

/** `value` as source text, in the quotes the replaced literal used. */
function literalText(value: string | number | boolean, replaced: ts.Expression, sourceFile: ts.SourceFile): string | undefined {
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
    const quote = replaced.getText(sourceFile)[0];
    if (quote === "'") return `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
    if (quote === '`') return `\`${value.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${')}\``;
    return JSON.stringify(value);
}

/** The `new X(name, { ... })` the position is in, else the first one at or after it. */
function constructorArgs(sourceFile: ts.SourceFile, offset: number): ts.ObjectLiteralExpression | undefined {
    let containing: ts.NewExpression | undefined;
    let after: ts.NewExpression | undefined;
    const visit = (node: ts.Node) => {
        if (ts.isNewExpression(node) && node.arguments?.[1] && ts.isObjectLiteralExpression(node.arguments[1])) {
            const start = node.getStart(sourceFile);
            if (start <= offset && offset < node.end) containing = node;
            else if (start >= offset && (!after || start < after.getStart(sourceFile))) after = node;
        }
        ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    return (containing ?? after)?.arguments![1] as ts.ObjectLiteralExpression | undefined;
}

/**
 * The edits that make the resource's constructor call at `position` (0-based line and
 * character) hold each change's new value, or undefined when any change is not a literal there
 * that still reads its old value.
 */
export function remediationCodeEdits(text: string, fileName: string, position: { line: number; character: number }, changes: readonly PropertyChange[]): TextEdit[] | undefined {
    if (!changes.length) return undefined;
    const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
    const lines = sourceFile.getLineStarts();
    if (position.line < 0 || position.line >= lines.length) return undefined;
    const offset = Math.min(lines[position.line] + Math.max(0, position.character), position.line + 1 < lines.length ? lines[position.line + 1] : text.length);
    const args = constructorArgs(sourceFile, offset);
    if (!args) return undefined;
    const edits: TextEdit[] = [];
    for (const change of changes) {
        const after = change.after;
        if (!('before' in change) || (typeof after !== 'string' && typeof after !== 'number' && typeof after !== 'boolean')) return undefined;
        const segments = pathSegments(change.path);
        if (!segments) return undefined;
        let node: ts.Expression | undefined = args;
        for (const segment of segments) {
            node = node && child(node, segment);
            while (node && (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))) node = node.expression;
        }
        const current = node && literalValue(node);
        // the program no longer says what the remediation saw: editing it would guess
        if (!node || !current || current.value !== change.before) return undefined;
        const newText = literalText(after, node, sourceFile);
        if (newText === undefined) return undefined;
        const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
        const end = sourceFile.getLineAndCharacterOfPosition(node.end);
        edits.push({ range: { start, end }, newText });
    }
    return edits;
}
