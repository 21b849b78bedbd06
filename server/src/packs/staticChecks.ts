/**
 * Validate-as-you-type for a pack's index.ts / index.js: the rules @pulumi/policy applies when
 * the pack starts (its `serve()` and `makeAnalyzerInfo()`), checked on the source instead, so
 * the user sees them at the exact place before anything runs. Rules the SDK enforces are
 * errors, with the SDK's own wording where it has one; rules it lets through but that make a
 * policy useless or unclear are warnings.
 */
import ts from 'typescript';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { rankByCloseness } from './closestValue';
import { packDiagnostic } from './packDiagnostics';
import {
    canBothRun, hasGuessedShape, findProperty, hasSpread, parsePackSource, propertyNameText, propertyValue, rangeOf, skipWrappers, stringValueOf,
    type PackConstruction, type PackSyntax, type StringValue,
} from './packSyntax';
import { ENFORCEMENT_LEVELS, SEVERITIES } from './policyVocabulary';
import { PACK_NAME_PATTERN } from '../shared/names';

/** Group config uses `all` for "every policy in the pack", so the SDK refuses it as a name. */
const RESERVED_POLICY_NAME = 'all';
const VALIDATION_FIELDS = ['validateResource', 'validateStack', 'remediateResource'];

/** `Diagnostic.source` of the parser's syntax errors: the one VS Code and `tsc` use for TypeScript's own diagnostics. */
export const SYNTAX_DIAGNOSTIC_SOURCE = 'ts';

/**
 * Every static problem in the pack source `doc`: TypeScript's syntax errors first, then the
 * pack rules. Never throws on incomplete code. A pack or policy whose shape the parser had to
 * guess (`[{{{ ]` becomes three empty policies) is not checked further: its syntax errors say
 * what is wrong there, and the rules would report problems the user did not write.
 */
export function checkPackSource(doc: TextDocument): Diagnostic[] {
    const syntax = parsePackSource(doc);
    const context: CheckContext = { doc, syntax, diagnostics: syntax.syntaxErrors.map((e) => syntaxDiagnostic(doc, e)), checkedPolicies: new Set() };
    syntax.packs.forEach((pack, index) => {
        const earlier = syntax.packs.slice(0, index).find((other) => canBothRun(other.node, pack.node));
        if (earlier) reportExtraPack(context, pack, earlier);
        // Its intact policies are still checked below, through syntax.policyObjects.
        if (hasGuessedShape(pack.node, syntax)) return;
        checkPackName(context, pack);
        if (pack.args) checkLiteralChoice(context, pack.args, 'enforcementLevel');
        checkPolicyNamesAreUnique(context, pack);
        for (const policy of pack.policies) checkPolicy(context, policy.object);
    });
    // Policies declared with a Policy type but not (yet) listed in a pack still get the per-policy rules.
    for (const object of syntax.policyObjects) checkPolicy(context, object);
    return context.diagnostics;
}

/** A parser error as TypeScript reports it: its exact span, its message, its number (TS1109...). */
function syntaxDiagnostic(doc: TextDocument, error: ts.DiagnosticWithLocation): Diagnostic {
    return {
        range: { start: doc.positionAt(error.start), end: doc.positionAt(error.start + error.length) },
        severity: DiagnosticSeverity.Error,
        source: SYNTAX_DIAGNOSTIC_SOURCE,
        code: error.code,
        message: ts.flattenDiagnosticMessageText(error.messageText, '\n'),
    };
}

interface CheckContext {
    doc: TextDocument;
    syntax: PackSyntax;
    diagnostics: Diagnostic[];
    checkedPolicies: Set<ts.ObjectLiteralExpression>;
}

function range(context: CheckContext, node: ts.Node): Range {
    return rangeOf(node, context.syntax.sourceFile, context.doc);
}

/** `pack` can run after `first` in the same execution (not in an exclusive branch of it). */
function reportExtraPack(context: CheckContext, pack: PackConstruction, first: PackConstruction): void {
    context.diagnostics.push(packDiagnostic(
        'multiple-policy-packs', 'error', range(context, pack.callee),
        'Only one policy pack may be defined per process: @pulumi/policy stops with "Already serving policy pack" at the second `new PolicyPack`. Move this pack to its own folder.',
        undefined,
        [{ location: { uri: context.doc.uri, range: range(context, first.callee) }, message: 'The PolicyPack that runs before it.' }],
    ));
}

function checkPackName(context: CheckContext, pack: PackConstruction): void {
    const name = pack.nameArgument && stringValueOf(pack.nameArgument, context.syntax);
    if (!name || PACK_NAME_PATTERN.test(name.value)) return;
    const length = name.value.length === 0 ? ' It is empty.' : name.value.length > 100 ? ` It is ${name.value.length} characters long; the limit is 100.` : '';
    context.diagnostics.push(packDiagnostic(
        'invalid-pack-name', 'error', range(context, name.node),
        `Invalid policy pack name "${name.value}". Policy pack names may only contain alphanumerics, hyphens, underscores, or periods (1 to 100 characters).${length}`,
    ));
}

function policyName(context: CheckContext, object: ts.ObjectLiteralExpression): StringValue | undefined {
    const property = findProperty(object, 'name');
    const value = property && propertyValue(property);
    return value ? stringValueOf(value, context.syntax) : undefined;
}

function checkPolicyNamesAreUnique(context: CheckContext, pack: PackConstruction): void {
    const names = new Map<string, StringValue>();
    const taken = new Set<string>();
    for (const policy of pack.policies) {
        const name = policyName(context, policy.object);
        if (name) taken.add(name.value);
    }
    for (const policy of pack.policies) {
        const name = policyName(context, policy.object);
        if (!name || name.value === '') continue;
        const first = names.get(name.value);
        if (!first) {
            names.set(name.value, name);
            continue;
        }
        const related = [{ location: { uri: context.doc.uri, range: range(context, first.node) }, message: `"${name.value}" is first used here.` }];
        if (first.node === name.node) {
            // The same policy object listed twice: renaming it would rename both, so point at the second listing.
            context.diagnostics.push(packDiagnostic(
                'duplicate-policy-name', 'error', range(context, policy.reference),
                `Policy "${name.value}" is listed twice in this pack. Remove one of the entries.`, undefined, related,
            ));
            continue;
        }
        const suggestion = uniqueName(name.value, taken);
        taken.add(suggestion);
        context.diagnostics.push(packDiagnostic(
            'duplicate-policy-name', 'error', range(context, name.node),
            `Duplicate policy name "${name.value}": policy names must be unique within a pack, because violations and policy group config refer to policies by name. Rename one, e.g. to "${suggestion}".`,
            name.isLiteral ? { value: name.value, suggestion } : undefined,
            related,
        ));
    }
}

function uniqueName(name: string, taken: Set<string>): string {
    for (let n = 2; ; n++) {
        const candidate = `${name}-${n}`;
        if (!taken.has(candidate)) return candidate;
    }
}

function checkPolicy(context: CheckContext, object: ts.ObjectLiteralExpression): void {
    if (context.checkedPolicies.has(object)) return;
    context.checkedPolicies.add(object);
    if (hasGuessedShape(object, context.syntax)) return;
    const open = object.getStart(context.syntax.sourceFile);
    const braceRange: Range = { start: context.doc.positionAt(open), end: context.doc.positionAt(open + 1) };
    const spread = hasSpread(object);
    const nameProperty = findProperty(object, 'name');
    const name = policyName(context, object);
    // Rules about the policy as a whole are shown on its name, which is what the user scans for.
    const anchor = name ? range(context, name.node) : braceRange;
    const label = name ? `Policy "${name.value}"` : 'This policy';

    if (!nameProperty && !spread) {
        context.diagnostics.push(packDiagnostic('missing-policy-name', 'error', braceRange,
            'Policy has no `name`. Every policy needs a name unique within its pack; violations and policy group config refer to it.'));
    } else if (name?.value === '') {
        context.diagnostics.push(packDiagnostic('missing-policy-name', 'error', anchor,
            'Policy name is empty. Give the policy a name unique within its pack; violations and policy group config refer to it.'));
    } else if (name?.value === RESERVED_POLICY_NAME) {
        context.diagnostics.push(packDiagnostic('reserved-policy-name', 'error', anchor,
            'Invalid policy name "all". "all" is a reserved name: policy group config uses it to mean every policy in the pack. Choose another name.'));
    }

    checkDescription(context, object, anchor, label, spread);
    checkLiteralChoice(context, object, 'enforcementLevel');
    checkLiteralChoice(context, object, 'severity');
    checkConfigSchema(context, object);

    if (!spread && !VALIDATION_FIELDS.some(field => findProperty(object, field))) {
        context.diagnostics.push(packDiagnostic('missing-validate', 'warning', anchor,
            `${label} has neither validateResource nor validateStack (nor remediateResource), so it never checks anything. Add validateResource (one resource at a time) or validateStack (the whole stack).`));
    }
}

function checkDescription(context: CheckContext, object: ts.ObjectLiteralExpression, anchor: Range, label: string, spread: boolean): void {
    const property = findProperty(object, 'description');
    if (!property) {
        if (!spread) {
            context.diagnostics.push(packDiagnostic('empty-description', 'warning', anchor,
                `${label} has no description. Add one sentence saying what the policy requires; violations show it when reportViolation gives no message.`));
        }
        return;
    }
    const value = propertyValue(property);
    const description = value && stringValueOf(value, context.syntax);
    if (description && description.value.trim() === '') {
        context.diagnostics.push(packDiagnostic('empty-description', 'warning', range(context, description.node),
            `${label} has an empty description. Say what the policy requires; violations show it when reportViolation gives no message.`));
    }
}

/** `enforcementLevel` or `severity` set to a string outside its closed set. */
function checkLiteralChoice(context: CheckContext, object: ts.ObjectLiteralExpression, field: 'enforcementLevel' | 'severity'): void {
    const property = findProperty(object, field);
    const value = property && propertyValue(property);
    const written = value && stringValueOf(value, context.syntax);
    const allowed: readonly string[] = field === 'enforcementLevel' ? ENFORCEMENT_LEVELS : SEVERITIES;
    if (!written || allowed.includes(written.value)) return;
    const ranked = rankByCloseness(written.value, allowed);
    const choices = allowed.map(v => `"${v}"`).join(', ');
    const data = { value: written.value, suggestion: ranked[0], alternatives: ranked };
    if (field === 'enforcementLevel') {
        context.diagnostics.push(packDiagnostic('invalid-enforcement-level', 'error', range(context, written.node),
            `Unknown enforcement level "${written.value}": @pulumi/policy rejects it when the pack starts. Use one of ${choices}; did you mean "${ranked[0]}"?`, data));
    } else {
        context.diagnostics.push(packDiagnostic('invalid-severity', 'warning', range(context, written.node),
            `Unknown severity "${written.value}": @pulumi/policy silently reports it as unspecified. Use one of ${choices}; did you mean "${ranked[0]}"?`, data));
    }
}

/** The SDK refuses a config schema that declares `enforcementLevel`: the level is set by the group, not by config. */
function checkConfigSchema(context: CheckContext, object: ts.ObjectLiteralExpression): void {
    const property = findProperty(object, 'configSchema');
    const value = property && propertyValue(property);
    const schema = value && skipWrappers(value);
    if (!schema || !ts.isObjectLiteralExpression(schema)) return;

    const properties = findProperty(schema, 'properties');
    const propertiesValue = properties && propertyValue(properties);
    const declared = propertiesValue && skipWrappers(propertiesValue);
    if (declared && ts.isObjectLiteralExpression(declared)) {
        for (const entry of declared.properties) {
            if (ts.isSpreadAssignment(entry) || propertyNameText(entry.name) !== 'enforcementLevel') continue;
            context.diagnostics.push(packDiagnostic('config-schema-enforcement-level', 'error', range(context, entry.name),
                'enforcementLevel cannot be explicitly specified in properties. The enforcement level is set by the pack, the policy or a policy group; remove it from configSchema.'));
        }
    }

    const required = findProperty(schema, 'required');
    const requiredValue = required && propertyValue(required);
    const list = requiredValue && skipWrappers(requiredValue);
    if (list && ts.isArrayLiteralExpression(list)) {
        for (const element of list.elements) {
            if (ts.isStringLiteralLike(element) && element.text === 'enforcementLevel') {
                context.diagnostics.push(packDiagnostic('config-schema-enforcement-level', 'error', range(context, element),
                    '"enforcementLevel" cannot be specified in required. The enforcement level is set by the pack, the policy or a policy group; remove it from configSchema.required.'));
            }
        }
    }
}
