/**
 * Finds the CrossGuard structure in a pack's index.ts / index.js: each
 * `new PolicyPack(name, { policies: [...] })` and the policy object literals it holds, as
 * TypeScript syntax nodes with their exact positions. Only the file itself is read (no type
 * checker, no imports followed), so this stays fast enough to run on every keystroke; what
 * cannot be resolved from the file's own syntax is left out rather than guessed.
 */
import ts from 'typescript';
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** One `new PolicyPack(...)` in the file. */
export interface PackConstruction {
    node: ts.NewExpression;
    /** `PolicyPack`, an alias of it, or `policy.PolicyPack`. */
    callee: ts.Expression;
    /** The first argument as written (may be an identifier). */
    nameArgument?: ts.Expression;
    /** The second argument, when it is (or names) an object literal. */
    args?: ts.ObjectLiteralExpression;
    policies: PolicyEntry[];
}

/** A policy object literal reached from a pack's `policies` array. */
export interface PolicyEntry {
    object: ts.ObjectLiteralExpression;
    /** The array element that led to it: the literal itself, or an identifier naming it. */
    reference: ts.Expression;
}

export interface PackSyntax {
    sourceFile: ts.SourceFile;
    packs: PackConstruction[];
    /** Object literals that are policies: in a pack's array, or declared with a Policy type. */
    policyObjects: Set<ts.ObjectLiteralExpression>;
    /** Object literals passed as a PolicyPack's args. */
    packArgObjects: Set<ts.ObjectLiteralExpression>;
    /** The parser's own syntax errors: what `tsc` (and the engine's build of the pack) would report first. */
    syntaxErrors: readonly ts.DiagnosticWithLocation[];
}

/** A string a node evaluates to, and the node the user wrote it in. */
export interface StringValue {
    value: string;
    /** The literal itself, or the identifier that names a const holding it. */
    node: ts.Expression;
    /** True when `node` is the string literal (so a fix can rewrite it in place). */
    isLiteral: boolean;
}

const POLICY_PACK_CLASS = 'PolicyPack';
const POLICY_TYPE_NAMES = new Set(['Policy', 'ResourceValidationPolicy', 'StackValidationPolicy']);
const POLICY_ARRAY_TYPE_NAMES = new Set(['Policies']);
/** Bounds alias chains like `const a = b; const b = [...]` (and cycles written by mistake). */
const MAX_RESOLVE_DEPTH = 8;

let lastParse: { uri: string; version: number; text: string; syntax: PackSyntax } | undefined;

/**
 * Parses `doc` (as TypeScript for .ts/.tsx/.mts/.cts, JavaScript otherwise) and finds its
 * packs and policies. The last result is reused while the document is unchanged, because
 * diagnostics, completions and hovers all ask for the same version in a row.
 */
export function parsePackSource(doc: TextDocument): PackSyntax {
    const text = doc.getText();
    if (lastParse && lastParse.uri === doc.uri && lastParse.version === doc.version && lastParse.text === text) {
        return lastParse.syntax;
    }
    const syntax = analyze(ts.createSourceFile(fileNameOf(doc.uri), text, ts.ScriptTarget.Latest, true, scriptKindOf(doc.uri)));
    lastParse = { uri: doc.uri, version: doc.version, text, syntax };
    return syntax;
}

function fileNameOf(uri: string): string {
    const path = uri.replace(/[?#].*$/, '');
    return path.slice(path.lastIndexOf('/') + 1) || 'index.ts';
}

function scriptKindOf(uri: string): ts.ScriptKind {
    const name = fileNameOf(uri).toLowerCase();
    if (name.endsWith('.tsx')) return ts.ScriptKind.TSX;
    if (/\.[mc]?ts$/.test(name)) return ts.ScriptKind.TS;
    if (name.endsWith('.jsx')) return ts.ScriptKind.JSX;
    return ts.ScriptKind.JS;
}

/** Declarations and constructions seen in one pass over the file. */
interface FileIndex {
    variables: Map<string, ts.VariableDeclaration[]>;
    packAliases: Set<string>;
    newExpressions: ts.NewExpression[];
    annotatedPolicies: ts.Expression[];
    annotatedPolicyArrays: ts.Expression[];
}

function analyze(sourceFile: ts.SourceFile): PackSyntax {
    const index: FileIndex = {
        variables: new Map(),
        packAliases: new Set([POLICY_PACK_CLASS]),
        newExpressions: [],
        annotatedPolicies: [],
        annotatedPolicyArrays: [],
    };
    const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node)) index.newExpressions.push(node);
        else if (ts.isVariableDeclaration(node)) indexVariable(node, index);
        else if (ts.isImportSpecifier(node) && (node.propertyName ?? node.name).text === POLICY_PACK_CLASS) {
            index.packAliases.add(node.name.text);
        }
        ts.forEachChild(node, visit);
    };
    visit(sourceFile);

    const resolver = new Resolver(index.variables);
    const syntax: PackSyntax = { sourceFile, packs: [], policyObjects: new Set(), packArgObjects: new Set(), syntaxErrors: parseErrorsOf(sourceFile) };
    for (const node of index.newExpressions) {
        if (!isPolicyPackCallee(node.expression, index.packAliases)) continue;
        const pack = describePack(node, resolver);
        syntax.packs.push(pack);
        if (pack.args) syntax.packArgObjects.add(pack.args);
        for (const policy of pack.policies) syntax.policyObjects.add(policy.object);
    }
    for (const expression of index.annotatedPolicies) {
        const object = resolver.objectLiteral(expression);
        if (object) syntax.policyObjects.add(object);
    }
    for (const expression of index.annotatedPolicyArrays) {
        for (const policy of resolver.policies(expression)) syntax.policyObjects.add(policy.object);
    }
    return syntax;
}

/**
 * The errors the parser recorded while building `sourceFile`. `parseDiagnostics` is not in
 * TypeScript's public typings, but it is exactly what `program.getSyntacticDiagnostics` returns
 * for a .ts file, without building a program on every keystroke.
 */
function parseErrorsOf(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
    return (sourceFile as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

/**
 * Syntax errors after which the tree still says what the user wrote: an unterminated string
 * (its text runs to the end of the line) and a missing punctuation token (`','`, `'}'`
 * expected), which the parser inserts. Half-typed code is full of them, and the pack rules
 * should keep working on it.
 */
const SHAPE_PRESERVING_ERRORS = new Set([1002, 1005]);

/**
 * Whether the parser had to guess at the shape of `node` (`[{{{ ]` becomes three empty object
 * literals), so rules about it would report problems the user did not write. The parser marks
 * the node it finished after an error (an object literal whose `}` is missing ends right after
 * its `{`, before the error it caused), so its marks count as well as the errors' own spans;
 * both only when the file has an error that does not preserve the shape.
 */
export function hasGuessedShape(node: ts.Node, syntax: PackSyntax): boolean {
    const shapeErrors = syntax.syntaxErrors.filter((e) => !SHAPE_PRESERVING_ERRORS.has(e.code));
    if (!shapeErrors.length) return false;
    const start = node.getStart(syntax.sourceFile);
    const end = node.getEnd();
    if (shapeErrors.some((e) => start <= e.start && e.start < end)) return true;
    const marked = (n: ts.Node): boolean => (n.flags & ts.NodeFlags.ThisNodeHasError) !== 0 || !!ts.forEachChild(n, marked);
    return marked(node);
}

function indexVariable(node: ts.VariableDeclaration, index: FileIndex): void {
    if (ts.isIdentifier(node.name)) {
        const list = index.variables.get(node.name.text);
        if (list) list.push(node);
        else index.variables.set(node.name.text, [node]);
        // `const PP = policy.PolicyPack` makes PP another name for the class.
        const initializer = node.initializer && skipWrappers(node.initializer);
        if (initializer && ts.isPropertyAccessExpression(initializer) && initializer.name.text === POLICY_PACK_CLASS) {
            index.packAliases.add(node.name.text);
        }
        if (node.initializer && node.type) {
            const typeName = annotatedTypeName(node.type);
            if (typeName && !typeName.array && POLICY_TYPE_NAMES.has(typeName.name)) {
                index.annotatedPolicies.push(node.initializer);
            } else if (typeName && (typeName.array ? POLICY_TYPE_NAMES : POLICY_ARRAY_TYPE_NAMES).has(typeName.name)) {
                index.annotatedPolicyArrays.push(node.initializer);
            }
        }
    } else if (ts.isObjectBindingPattern(node.name)) {
        // `const { PolicyPack: PP } = require("@pulumi/policy")`
        for (const element of node.name.elements) {
            const imported = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : undefined;
            if (imported === POLICY_PACK_CLASS && ts.isIdentifier(element.name)) index.packAliases.add(element.name.text);
        }
    }
}

/** `Policy`, `policy.Policy`, `Policy[]`, `Array<Policy>`: the rightmost name and whether it is an array. */
function annotatedTypeName(type: ts.TypeNode): { name: string; array: boolean } | undefined {
    if (ts.isArrayTypeNode(type)) {
        const element = annotatedTypeName(type.elementType);
        return element && !element.array ? { name: element.name, array: true } : undefined;
    }
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
    if (name === 'Array' && type.typeArguments?.length === 1) {
        const element = annotatedTypeName(type.typeArguments[0]);
        return element && !element.array ? { name: element.name, array: true } : undefined;
    }
    return { name, array: false };
}

function isPolicyPackCallee(callee: ts.Expression, aliases: Set<string>): boolean {
    if (ts.isIdentifier(callee)) return aliases.has(callee.text);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === POLICY_PACK_CLASS;
}

function describePack(node: ts.NewExpression, resolver: Resolver): PackConstruction {
    const [nameArgument, argsArgument] = node.arguments ?? [];
    const pack: PackConstruction = { node, callee: node.expression, nameArgument, policies: [] };
    const args = argsArgument && resolver.objectLiteral(argsArgument);
    if (!args) return pack;
    pack.args = args;
    const policies = findProperty(args, 'policies');
    const policiesValue = policies && propertyValue(policies);
    if (policiesValue) pack.policies = resolver.policies(policiesValue);
    return pack;
}

/** Follows identifiers to the single initializer that declares them, within the file. */
class Resolver {
    constructor(private readonly variables: Map<string, ts.VariableDeclaration[]>) {}

    expression(expression: ts.Expression, depth = 0): ts.Expression {
        let current = skipWrappers(expression);
        for (let step = depth; step < MAX_RESOLVE_DEPTH && ts.isIdentifier(current); step++) {
            const declarations = this.variables.get(current.text);
            // Two declarations of one name live in different scopes; without a binder we cannot tell which.
            if (declarations?.length !== 1 || !declarations[0].initializer) break;
            current = skipWrappers(declarations[0].initializer);
        }
        return current;
    }

    objectLiteral(expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
        const resolved = this.expression(expression);
        return ts.isObjectLiteralExpression(resolved) ? resolved : undefined;
    }

    policies(expression: ts.Expression, depth = 0): PolicyEntry[] {
        const array = this.expression(expression);
        if (!ts.isArrayLiteralExpression(array) || depth > MAX_RESOLVE_DEPTH) return [];
        const entries: PolicyEntry[] = [];
        for (const element of array.elements) {
            if (ts.isSpreadElement(element)) {
                entries.push(...this.policies(element.expression, depth + 1));
                continue;
            }
            const object = this.objectLiteral(element);
            if (object) entries.push({ object, reference: element });
        }
        return entries;
    }
}

/** Strips what does not change a value: parentheses, `as`, `satisfies`, `!`, `<T>x`. */
export function skipWrappers(expression: ts.Expression): ts.Expression {
    let current = expression;
    while (
        ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current)
        || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current)
    ) {
        current = current.expression;
    }
    return current;
}

/** The text of a property name that is spelled out (`name`, `"name"`, `['name']`), else undefined. */
export function propertyNameText(name: ts.PropertyName | undefined): string | undefined {
    if (!name) return undefined;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) || ts.isNumericLiteral(name)) {
        return name.text;
    }
    if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
    return undefined;
}

/** The last property of `object` called `name` (the one that wins at run time). */
export function findProperty(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
    let found: ts.ObjectLiteralElementLike | undefined;
    for (const property of object.properties) {
        if (!ts.isSpreadAssignment(property) && propertyNameText(property.name) === name) found = property;
    }
    return found;
}

/** The value expression of a property (`a: x` -> x, `{ a }` -> a); undefined for methods and accessors. */
export function propertyValue(property: ts.ObjectLiteralElementLike): ts.Expression | undefined {
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
    return undefined;
}

/** True when spreads may add properties we cannot see, so "missing field" rules must stay quiet. */
export function hasSpread(object: ts.ObjectLiteralExpression): boolean {
    return object.properties.some(ts.isSpreadAssignment);
}

/**
 * The string `expression` evaluates to, when that is known from the file alone: a string
 * literal, a template without substitutions, or a const identifier (within the same file)
 * initialised with one.
 */
export function stringValueOf(expression: ts.Expression, syntax: PackSyntax): StringValue | undefined {
    const direct = skipWrappers(expression);
    if (ts.isStringLiteralLike(direct)) return { value: direct.text, node: direct, isLiteral: true };
    if (!ts.isIdentifier(direct)) return undefined;
    const resolved = resolveConstString(direct, syntax.sourceFile);
    return resolved === undefined ? undefined : { value: resolved, node: direct, isLiteral: false };
}

function resolveConstString(identifier: ts.Identifier, sourceFile: ts.SourceFile): string | undefined {
    // Rare enough (policy names are almost always literals) that a direct scan beats keeping a second index.
    let found: ts.VariableDeclaration | undefined;
    let count = 0;
    const visit = (node: ts.Node): void => {
        if (count > 1) return;
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === identifier.text) {
            count++;
            found = node;
        }
        ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    if (count !== 1 || !found?.initializer) return undefined;
    const isConst = ts.isVariableDeclarationList(found.parent) && (found.parent.flags & ts.NodeFlags.Const) !== 0;
    const initializer = skipWrappers(found.initializer);
    return isConst && ts.isStringLiteralLike(initializer) ? initializer.text : undefined;
}

/** The LSP range of `node`, from its first token (leading trivia excluded) to its end. */
export function rangeOf(node: ts.Node, sourceFile: ts.SourceFile, doc: TextDocument): Range {
    return { start: doc.positionAt(node.getStart(sourceFile)), end: doc.positionAt(node.getEnd()) };
}

/** The range of a string literal's contents, without its quotes (an unterminated one ends at its end). */
export function contentRangeOf(literal: ts.StringLiteralLike, sourceFile: ts.SourceFile, doc: TextDocument): Range {
    const start = literal.getStart(sourceFile) + 1;
    const text = sourceFile.text;
    const end = literal.getEnd();
    const quote = text[start - 1];
    const closed = end - start >= 1 && text[end - 1] === quote && !isUnterminated(literal);
    return { start: doc.positionAt(start), end: doc.positionAt(closed ? end - 1 : end) };
}

/** Whether the scanner reached the end of the line (or file) before the closing quote. */
export function isUnterminated(literal: ts.StringLiteralLike): boolean {
    return literal.isUnterminated === true;
}

/** Each policy of the file's packs whose `name` is known, with the range of its name's value (for CodeLenses). */
export function policyNameRanges(doc: TextDocument): { name: string; range: Range }[] {
    const syntax = parsePackSource(doc);
    const out: { name: string; range: Range }[] = [];
    for (const pack of syntax.packs) {
        for (const policy of pack.policies) {
            const property = findProperty(policy.object, 'name');
            const value = property && propertyValue(property);
            const name = value && stringValueOf(value, syntax);
            if (name) out.push({ name: name.value, range: rangeOf(policy.object, syntax.sourceFile, doc) });
        }
    }
    return out;
}

/**
 * Whether two nodes can both run in one execution, judged from syntax alone: false only when
 * they sit in mutually exclusive branches (the two arms of an `if`/`else` or of a `?:`, or two
 * `case`s of a switch where the earlier one cannot fall through to the later). Anything the
 * syntax cannot rule out (two functions, only one of which is called) counts as "can".
 */
export function canBothRun(a: ts.Node, b: ts.Node): boolean {
    const pathA = ancestorsOf(a);
    const pathB = new Set(ancestorsOf(b));
    const common = pathA.find((n) => pathB.has(n));
    if (!common) return true;
    const branchA = childTowards(common, a);
    const branchB = childTowards(common, b);
    if (!branchA || !branchB || branchA === branchB) return true;
    if (ts.isIfStatement(common)) return !(isEither(common.thenStatement, common.elseStatement, branchA, branchB));
    if (ts.isConditionalExpression(common)) return !(isEither(common.whenTrue, common.whenFalse, branchA, branchB));
    if (ts.isCaseBlock(common)) {
        const clauses = common.clauses as readonly ts.Node[];
        const [first, second] = [clauses.indexOf(branchA), clauses.indexOf(branchB)].sort((x, y) => x - y);
        if (first < 0) return true;
        // Falling through from the earlier case reaches the later one unless a clause on the way ends in a jump.
        return !common.clauses.slice(first, second).some((clause) => endsInJump(clause.statements));
    }
    return true;
}

/** `node` and its ancestors, nearest first. */
function ancestorsOf(node: ts.Node): ts.Node[] {
    const out: ts.Node[] = [];
    for (let n: ts.Node | undefined = node; n; n = n.parent) out.push(n);
    return out;
}

/** The child of `ancestor` on the way down to `node` (or `node` itself when it is that child). */
function childTowards(ancestor: ts.Node, node: ts.Node): ts.Node | undefined {
    let n: ts.Node | undefined = node;
    while (n && n.parent !== ancestor) n = n.parent;
    return n;
}

function isEither(x: ts.Node | undefined, y: ts.Node | undefined, a: ts.Node, b: ts.Node): boolean {
    return x !== undefined && y !== undefined && ((a === x && b === y) || (a === y && b === x));
}

function endsInJump(statements: ts.NodeArray<ts.Statement>): boolean {
    let last: ts.Statement | undefined = statements[statements.length - 1];
    while (last && ts.isBlock(last)) last = last.statements[last.statements.length - 1];
    return !!last && (ts.isBreakStatement(last) || ts.isReturnStatement(last) || ts.isThrowStatement(last) || ts.isContinueStatement(last));
}
