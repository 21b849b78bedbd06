/**
 * The resource types a pack's policies validate, read from its source: the class given to
 * `validateResourceOfType` / `validateStackResourcesOfType` (`aws.s3.Bucket`), and type tokens
 * compared with a resource's `type` (`args.type === "aws:s3/bucket:Bucket"`). `policy validate`
 * and `policy publish` compare them with what the configured accounts discover.
 *
 * A class is mapped to its type token by reading the provider package installed for the pack
 * (the `__pulumiType` its JavaScript assigns), never by loading it: provider packages are
 * third-party code, and reading their text is enough.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { packDiagnostic } from './packDiagnostics';
import { findProperty, parsePackSource, propertyValue, rangeOf, skipWrappers, stringValueOf, type PackSyntax } from './packSyntax';

export interface ValidatedType {
    /** The type token; absent when the class's package is not installed for the pack (see `unknownBecause`). */
    type?: string;
    /** How the source names it: the class path (`aws.s3.Bucket`) or the literal's text. */
    written: string;
    /** The `validateResourceOfType(...)` call or the comparison that names the type. */
    node: ts.Node;
    /** The name of the policy the reference sits in, when it sits in one whose name is known. */
    policy?: string;
    /** Why `type` is unknown: what is missing and where. */
    unknownBecause?: string;
}

const TYPED_VALIDATORS = new Set(['validateResourceOfType', 'validateStackResourcesOfType']);
/** `pkg:module:Name` as Pulumi type tokens are spelled (`aws:s3/bucket:Bucket`, `kubernetes:core/v1:Pod`). */
const TYPE_TOKEN = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_]+$/;

/** Where a local name comes from: `import * as aws from "@pulumi/aws"` -> { module: '@pulumi/aws', path: [] }. */
interface ModuleBinding {
    module: string;
    path: string[];
}

/**
 * Every type the pack source in `syntax` validates, in source order. `packDir` is where the
 * provider packages are looked up (its node_modules, then its parents', as Node resolves).
 */
export function validatedTypes(syntax: PackSyntax, packDir: string): ValidatedType[] {
    const bindings = moduleBindings(syntax.sourceFile);
    const tokens = new TokenReader(packDir);
    const out: ValidatedType[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && TYPED_VALIDATORS.has(calleeName(node.expression) ?? '') && node.arguments.length > 0) {
            const found = classReference(node.arguments[0], bindings);
            if (found) {
                const resolved = tokens.typeOf(found.binding.module, found.binding.path, found.className);
                out.push({ ...resolved, written: found.written, node, policy: policyNameAround(node, syntax) });
            }
        } else if (ts.isBinaryExpression(node) && isEquality(node.operatorToken.kind)) {
            const literal = typeComparedWith(node.left, node.right, syntax) ?? typeComparedWith(node.right, node.left, syntax);
            if (literal) out.push({ type: literal, written: literal, node, policy: policyNameAround(node, syntax) });
        } else if (ts.isCaseClause(node) && isTypeAccess(node.parent.parent.expression)) {
            const value = stringValueOf(node.expression, syntax)?.value;
            if (value && TYPE_TOKEN.test(value)) out.push({ type: value, written: value, node, policy: policyNameAround(node, syntax) });
        }
        ts.forEachChild(node, visit);
    };
    visit(syntax.sourceFile);
    return out;
}

function isEquality(kind: ts.SyntaxKind): boolean {
    return kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken;
}

/** `x.type` (any object: `args`, `r`, `resource.props`...). */
function isTypeAccess(expression: ts.Expression): boolean {
    const e = skipWrappers(expression);
    return ts.isPropertyAccessExpression(e) && e.name.text === 'type';
}

/** The token in `typeSide === "token"` when `typeSide` reads a `.type` and the other side is a type token. */
function typeComparedWith(typeSide: ts.Expression, other: ts.Expression, syntax: PackSyntax): string | undefined {
    if (!isTypeAccess(typeSide)) return undefined;
    const value = stringValueOf(other, syntax)?.value;
    return value && TYPE_TOKEN.test(value) ? value : undefined;
}

/** `validateResourceOfType`, `policy.validateResourceOfType`, `(0, policy_1.validateResourceOfType)` (compiled JS). */
function calleeName(callee: ts.Expression): string | undefined {
    let e = skipWrappers(callee);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = skipWrappers(e.right);
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) return e.name.text;
    return undefined;
}

/** `aws.s3.Bucket` -> the binding of `aws` and ['s3', 'Bucket']; undefined when the root is not an imported module. */
function classReference(expression: ts.Expression, bindings: Map<string, ModuleBinding>): { binding: ModuleBinding; className: string; written: string } | undefined {
    const members: string[] = [];
    let e = skipWrappers(expression);
    while (ts.isPropertyAccessExpression(e)) {
        members.unshift(e.name.text);
        e = skipWrappers(e.expression);
    }
    if (!ts.isIdentifier(e)) return undefined;
    const binding = bindings.get(e.text);
    if (!binding) return undefined;
    // `import { Bucket } from "@pulumi/aws/s3"` binds the class itself: its last path element is the class.
    const full = [...binding.path, ...members];
    if (!full.length) return undefined;
    return {
        binding: { module: binding.module, path: full.slice(0, -1) },
        className: full[full.length - 1],
        written: [e.text, ...members].join('.'),
    };
}

/** Local names bound to modules by imports and `require` at the file's top level. */
function moduleBindings(sourceFile: ts.SourceFile): Map<string, ModuleBinding> {
    const bindings = new Map<string, ModuleBinding>();
    for (const statement of sourceFile.statements) {
        if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
            const module = statement.moduleSpecifier.text;
            const clause = statement.importClause;
            if (clause.name) bindings.set(clause.name.text, { module, path: [] });
            const named = clause.namedBindings;
            if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, { module, path: [] });
            else if (named) for (const e of named.elements) bindings.set(e.name.text, { module, path: [(e.propertyName ?? e.name).text] });
        } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)
            && ts.isStringLiteral(statement.moduleReference.expression)) {
            bindings.set(statement.name.text, { module: statement.moduleReference.expression.text, path: [] });
        } else if (ts.isVariableStatement(statement)) {
            for (const declaration of statement.declarationList.declarations) addRequireBinding(declaration, bindings);
        }
    }
    return bindings;
}

/** `const aws = require("@pulumi/aws")`, `const { s3 } = require("@pulumi/aws")`, and `__importStar(require(...))` of compiled TypeScript. */
function addRequireBinding(declaration: ts.VariableDeclaration, bindings: Map<string, ModuleBinding>): void {
    let init = declaration.initializer && skipWrappers(declaration.initializer);
    if (init && ts.isCallExpression(init) && !isRequire(init) && init.arguments.length === 1) init = skipWrappers(init.arguments[0]);
    if (!init || !ts.isCallExpression(init) || !isRequire(init)) return;
    const specifier = init.arguments[0];
    if (!ts.isStringLiteralLike(specifier)) return;
    if (ts.isIdentifier(declaration.name)) bindings.set(declaration.name.text, { module: specifier.text, path: [] });
    else if (ts.isObjectBindingPattern(declaration.name)) {
        for (const element of declaration.name.elements) {
            const imported = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : undefined;
            if (imported && ts.isIdentifier(element.name)) bindings.set(element.name.text, { module: specifier.text, path: [imported] });
        }
    }
}

function isRequire(call: ts.CallExpression): boolean {
    return ts.isIdentifier(call.expression) && call.expression.text === 'require' && call.arguments.length === 1;
}

/** The `name` of the innermost policy object literal around `node`, when it is written out. */
function policyNameAround(node: ts.Node, syntax: PackSyntax): string | undefined {
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
        if (ts.isObjectLiteralExpression(n) && syntax.policyObjects.has(n)) {
            const property = findProperty(n, 'name');
            const value = property && propertyValue(property);
            return value && stringValueOf(value, syntax)?.value;
        }
    }
    return undefined;
}

/**
 * Reads `__pulumiType` out of installed provider packages. A provider's modules mirror its
 * namespaces (`aws.s3.Bucket` is in `<package>/s3/bucket.js`, `k8s.core.v1.Service` in
 * `<package>/core/v1/service.js`), and each resource class carries its token as
 * `static __pulumiType = '...'` (or, from older compilers, `Bucket.__pulumiType = '...'`).
 */
class TokenReader {
    private readonly entryDirs = new Map<string, string | undefined>();

    constructor(private readonly packDir: string) {}

    typeOf(module: string, namespace: string[], className: string): { type?: string; unknownBecause?: string } {
        // `@pulumi/aws/s3` is the package `@pulumi/aws` and its folder `s3`.
        const parts = module.split('/');
        const nameLength = module.startsWith('@') ? 2 : 1;
        const packageName = parts.slice(0, nameLength).join('/');
        const root = this.entryDir(packageName);
        if (!root) return { unknownBecause: `${packageName} is not installed for the pack in ${this.packDir} (run npm install there)` };
        const dir = path.join(root, ...parts.slice(nameLength), ...namespace);
        const type = tokenInDirectory(dir, className);
        return type ? { type } : { unknownBecause: `no class ${className} with a __pulumiType in ${dir}` };
    }

    /** The folder of the package's entry, found as Node finds the package from the pack folder (providers have no `exports` map). */
    private entryDir(packageName: string): string | undefined {
        if (this.entryDirs.has(packageName)) return this.entryDirs.get(packageName);
        let found: string | undefined;
        for (let dir = path.resolve(this.packDir); ; dir = path.dirname(dir)) {
            const candidate = path.join(dir, 'node_modules', packageName);
            if (existsSync(path.join(candidate, 'package.json'))) {
                found = path.dirname(path.join(candidate, mainOf(candidate)));
                break;
            }
            if (path.dirname(dir) === dir) break;
        }
        this.entryDirs.set(packageName, found);
        return found;
    }
}

function mainOf(packageDir: string): string {
    try {
        const main = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { main?: unknown }).main;
        return typeof main === 'string' ? main : 'index.js';
    } catch {
        return 'index.js';
    }
}

/** The token of class `className` among the .js files of `dir`: the file named for it first, then the others. */
function tokenInDirectory(dir: string, className: string): string | undefined {
    let files: string[];
    try {
        files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    } catch {
        return undefined;
    }
    const likely = [`${className[0].toLowerCase()}${className.slice(1)}.js`, `${className}.js`];
    const ordered = [...likely.filter((f) => files.includes(f)), ...files.filter((f) => !likely.includes(f))];
    const declares = new RegExp(`\\bclass\\s+${escapeRegExp(className)}\\b`);
    const token = new RegExp(`(?:\\bstatic\\s+|\\b${escapeRegExp(className)}\\.)__pulumiType\\s*=\\s*(['"])([^'"]+)\\1`);
    for (const file of ordered) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        if (!declares.test(text)) continue;
        const match = token.exec(text);
        if (match) return match[2];
    }
    return undefined;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the configured accounts discover (accounts/discoverableTypes.ts); an interface here so packs/ does not load the scanners. */
export interface TypeCoverage {
    covers(type: string): boolean;
    summary: string;
}

/**
 * A warning on each place the pack source `file` validates a type no configured account
 * discovers (its policy would never see such a resource here), and an information note where
 * the type is unknown because its provider package is not installed. Warnings only: the pack
 * is valid, it just has nothing to check in these accounts.
 */
export function undiscoveredTypeDiagnostics(doc: TextDocument, packDir: string, coverage: TypeCoverage): Diagnostic[] {
    const syntax = parsePackSource(doc);
    const out: Diagnostic[] = [];
    for (const found of validatedTypes(syntax, packDir)) {
        const who = found.policy === undefined ? 'a policy' : `policy "${found.policy}"`;
        const range = rangeOf(found.node, syntax.sourceFile, doc);
        if (found.type === undefined) {
            out.push(packDiagnostic('unknown-validated-type', 'information', range,
                `${who} validates ${found.written}, whose type token is unknown (${found.unknownBecause ?? 'not found'}): not checked against the accounts.`));
        } else if (!coverage.covers(found.type)) {
            out.push(packDiagnostic('undiscovered-type', 'warning', range,
                `${who} validates ${found.type}, which no account here discovers (${coverage.summary}: see \`account coverage\`).`));
        }
    }
    return out;
}
