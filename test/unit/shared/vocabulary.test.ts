/**
 * One home for the domain vocabulary (issue 10, point 2): the closed sets of values and their
 * orders (shared/model.ts), the name patterns and the `name/region` parser (shared/names.ts).
 * These tests read server/src, client/src and webviews/src and fail, naming the file, on a
 * copy anywhere else: a status or level list, a rank table, a name pattern, a `'/'` split.
 * The detectors are checked against the copies this issue removed, so they can fail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as model from '../../../server/src/shared/model';
import * as names from '../../../server/src/shared/names';

/** The tests run bundled from out/test/unit/shared. */
const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const SHARED = path.join('server', 'src', 'shared') + path.sep;

interface Source {
    file: string;
    text: string;
}

function sources(dir: string): Source[] {
    const out: Source[] = [];
    for (const entry of readdirSync(path.join(REPO, dir))) {
        const relative = path.join(dir, entry);
        if (statSync(path.join(REPO, relative)).isDirectory()) out.push(...sources(relative));
        else if (entry.endsWith('.ts')) out.push({ file: relative, text: readFileSync(path.join(REPO, relative), 'utf8') });
    }
    return out;
}

/** Every production source but the vocabulary's own home. */
const SOURCES = ['server/src', 'client/src', 'webviews/src'].flatMap(sources).filter((s) => !s.file.startsWith(SHARED));

/** The closed sets whose lists and orders live in model.ts. */
const CLOSED_SETS: Record<string, readonly string[]> = {
    VIOLATION_STATUSES: model.VIOLATION_STATUSES,
    PRIORITIES: model.PRIORITIES,
    ENFORCEMENT_LEVELS: model.ENFORCEMENT_LEVELS,
    SEVERITIES: model.SEVERITIES,
    ENTITY_TYPES: model.ENTITY_TYPES,
    GROUP_MODES: model.GROUP_MODES,
    ACCOUNT_PROVIDERS: model.ACCOUNT_PROVIDERS,
    SCAN_SCHEDULES: model.SCAN_SCHEDULES,
    POLICY_TYPES: model.POLICY_TYPES,
};
/** The sets with an order (a rank): a table from them to numbers is a rank copy. (A schedule's period is not.) */
const RANKED_SETS = ['VIOLATION_STATUSES', 'PRIORITIES', 'ENFORCEMENT_LEVELS', 'SEVERITIES'];

/**
 * Lists of a closed set's values that mean something else, each with why. Matched on the
 * text of the list, so a file may move without touching this.
 */
const ALLOWED_LISTS: { text: string; why: string }[] = [
    { text: "DEFAULT_LEVELS: EnforcementLevel[] = ['mandatory', 'advisory', 'remediate']", why: "the default of the policyInsights.diagnostics.levels setting (package.json), not the list of levels" },
];
const ALLOWED_RANKS: { text: string; why: string }[] = [
    { text: 'LEVEL_VALUES: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 }', why: 'the pulumirpc.EnforcementLevel wire numbers, not a strength order' },
];
/**
 * Splits at `/` of things other than account names, each with what it splits. A line is allowed
 * when the text just before the split contains one of these.
 */
const ALLOWED_SLASH_SPLITS: { text: string; why: string }[] = [
    { text: "(type.split(':')[1] ?? '').split('/')", why: "a Pulumi type token's module (aws:s3/bucket:Bucket)" },
    { text: "relative.split('/')", why: "a template file's path" },
    { text: "module.split('/')", why: 'a module specifier (@pulumi/aws/s3: package and folder)' },
    { text: 'arnSuffix(', why: "an ARN's resource part" },
    { text: "checkpointStack?.split('/')", why: "a checkpoint's org/project/stack name" },
    { text: "PackName { const slash = value.indexOf('/')", why: 'a pack reference, org/pack' },
    { text: "instancePath .slice(1) .split('/')", why: "an ajv instancePath (a JSON pointer)" },
];

interface Finding {
    file: string;
    line: number;
    what: string;
}

function lineOf(text: string, index: number): number {
    return text.slice(0, index).split('\n').length;
}

const squash = (text: string) => text.replace(/\s+/g, ' ');

/** Arrays of string literals holding two or more values of one closed set. */
function listCopies({ file, text }: Source): Finding[] {
    const out: Finding[] = [];
    for (const m of text.matchAll(/\[\s*(?:'[^'\n]*'|"[^"\n]*")(?:\s*,\s*(?:'[^'\n]*'|"[^"\n]*"))+\s*,?\s*\]/g)) {
        const values = [...m[0].matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].map((v) => v[1] ?? v[2]);
        for (const [set, members] of Object.entries(CLOSED_SETS)) {
            const shared = [...new Set(values.filter((v) => members.includes(v)))];
            if (shared.length < 2) continue;
            const statement = squash(text.slice(Math.max(0, m.index - 80), m.index + m[0].length));
            if (ALLOWED_LISTS.some((a) => statement.includes(a.text))) continue;
            out.push({ file, line: lineOf(text, m.index), what: `${m[0].replace(/\s+/g, ' ')} copies ${set} (import it, or a slice of it, from server/src/shared/model.ts)` });
        }
    }
    return out;
}

/** Tables from a closed set's values to numbers (`{ advisory: 1, ... }`, `[['advisory', 1], ...]`): a rank copy. */
function rankCopies({ file, text }: Source): Finding[] {
    const out: Finding[] = [];
    const tables = [
        ...[...text.matchAll(/\{[^{}]*\}/g)].map((m) => ({ index: m.index, body: m[0], keys: [...m[0].matchAll(/['"]?([\w-]+)['"]?\s*:\s*-?\d/g)].map((k) => k[1]) })),
        ...[...text.matchAll(/\[\s*(?:\[\s*['"][\w-]+['"]\s*,\s*-?\d+\s*\]\s*,?\s*){2,}\]/g)].map((m) => ({ index: m.index, body: m[0], keys: [...m[0].matchAll(/['"]([\w-]+)['"]/g)].map((k) => k[1]) })),
    ];
    for (const { index, body, keys } of tables) {
        for (const set of RANKED_SETS) {
            if (new Set(keys.filter((k) => CLOSED_SETS[set].includes(k))).size < 2) continue;
            const statement = squash(text.slice(Math.max(0, index - 80), index + body.length));
            if (ALLOWED_RANKS.some((a) => statement.includes(a.text))) continue;
            out.push({ file, line: lineOf(text, index), what: `a ${set} rank table (use the rank functions or the ordered lists of server/src/shared/model.ts)` });
        }
    }
    return out;
}

/** names.ts's patterns by their source; GROUP_NAME_PATTERN is ACCOUNT_NAME_PATTERN, so one entry per source. */
const NAME_PATTERNS = new Map<string, string>();
for (const [name, value] of Object.entries(names)) {
    if (value instanceof RegExp && !NAME_PATTERNS.has(value.source)) NAME_PATTERNS.set(value.source, name);
}

/** The name patterns of names.ts, and regexes with their length limits (a near copy). */
function patternCopies({ file, text }: Source): Finding[] {
    const out: Finding[] = [];
    for (const [source, name] of NAME_PATTERNS) {
        for (let at = text.indexOf(source); at >= 0; at = text.indexOf(source, at + 1)) {
            out.push({ file, line: lineOf(text, at), what: `a copy of ${name} (import it from server/src/shared/names.ts)` });
        }
    }
    for (const m of text.matchAll(/\/\^[^\n]*?\{(?:0,99|1,100|0,127)\}[^\n]*?\$\//g)) {
        if ([...NAME_PATTERNS.keys()].some((source) => m[0].includes(source))) continue;
        out.push({ file, line: lineOf(text, m.index), what: `${m[0]} looks like a name pattern (use or extend server/src/shared/names.ts)` });
    }
    return out;
}

/** `x.split('/')`, `x.indexOf('/')`, `x.includes('/')`, `x.startsWith(`${y}/`)`: the `name/region` parser's job. */
function slashSplits({ file, text }: Source): Finding[] {
    const out: Finding[] = [];
    for (const m of text.matchAll(/\.(?:split|indexOf|includes)\(\s*['"]\/['"]\s*\)|\.startsWith\(`\$\{[^}]*\}\/`\)/g)) {
        const before = squash(text.slice(Math.max(0, m.index - 80), m.index + m[0].length));
        if (ALLOWED_SLASH_SPLITS.some((a) => before.includes(a.text))) continue;
        out.push({ file, line: lineOf(text, m.index), what: `${m[0]}: an account name is split by parseAccountRef/parentAccountName/isChildName/accountRefCovers (server/src/shared/names.ts); if this splits something else, add it to ALLOWED_SLASH_SPLITS with what it splits` });
    }
    return out;
}

function report(findings: Finding[]): string {
    return findings.map((f) => `${f.file}:${f.line}: ${f.what}`).join('\n');
}

describe('the domain vocabulary has one home (server/src/shared)', () => {
    it('the sources were found', () => {
        assert.ok(SOURCES.some((s) => s.file.startsWith(path.join('client', 'src'))), 'no client sources');
        assert.ok(SOURCES.some((s) => s.file.startsWith(path.join('webviews', 'src'))), 'no webview sources');
        assert.ok(SOURCES.length > 100, `only ${SOURCES.length} sources under server/src, client/src, webviews/src`);
    });

    it('no status, priority, level, severity or other closed-set list outside model.ts', () => {
        const findings = SOURCES.flatMap(listCopies);
        assert.equal(findings.length, 0, report(findings));
    });

    it('no rank table of levels, severities or statuses outside model.ts', () => {
        const findings = SOURCES.flatMap(rankCopies);
        assert.equal(findings.length, 0, report(findings));
    });

    it('no name pattern outside names.ts', () => {
        const findings = SOURCES.flatMap(patternCopies);
        assert.equal(findings.length, 0, report(findings));
    });

    it('no `/` parsing of account names outside names.ts', () => {
        const findings = SOURCES.flatMap(slashSplits);
        assert.equal(findings.length, 0, report(findings));
    });

    it('every allow-list entry still matches a source, so none outlives its reason', () => {
        const all = SOURCES.map((s) => squash(s.text)).join('\n');
        const stale = [...ALLOWED_LISTS, ...ALLOWED_RANKS, ...ALLOWED_SLASH_SPLITS].filter((a) => !all.includes(a.text));
        assert.deepEqual(stale.map((a) => a.text), []);
    });
});

describe('the copy detectors catch the copies issue 10 removed', () => {
    const found = (detect: (s: Source) => Finding[], text: string) => detect({ file: 'sample.ts', text }).length;

    it('status, priority and severity lists, also with a sentinel and `as const`', () => {
        assert.equal(found(listCopies, "const ALL_STATUSES: readonly ViolationStatus[] = ['open', 'in_progress', 'by_design', 'ignored', 'fixed'];"), 1);
        assert.equal(found(listCopies, "const TRIAGE_STATUSES = ['open', 'in_progress', 'by_design', 'ignored'] as const;"), 1);
        assert.equal(found(listCopies, "export const DEFAULT_STATUSES: readonly ViolationStatus[] = ['open', 'in_progress'];"), 1);
        assert.equal(found(listCopies, "const PRIORITIES: Priority[] = ['p0', 'p1', 'p2', 'p3', 'p4'];"), 1);
        assert.equal(found(listCopies, "const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'unspecified'];"), 1);
        assert.equal(found(listCopies, "const LEVEL_ORDER = ['mandatory', 'remediate', 'advisory', 'disabled'] as const;"), 1);
        assert.equal(found(listCopies, "const groupMode = oneOf([\n    'audit',\n    'preventative',\n]);"), 1);
        assert.equal(found(listCopies, "const FORMATS = ['table', 'json', 'csv', 'sarif'] as const;"), 0);
    });

    it('rank tables as records and as Map entries', () => {
        assert.equal(found(rankCopies, 'const LEVEL_RANK: Record<EnforcementLevel, number> = { disabled: 0, advisory: 1, remediate: 2, mandatory: 3 };'), 1);
        assert.equal(found(rankCopies, "const LEVEL_RANK = new Map<string, number>([\n    ['disabled', 0],\n    ['advisory', 1],\n    ['remediate', 2],\n    ['mandatory', 3],\n]);"), 1);
        assert.equal(found(rankCopies, "const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };"), 0);
    });

    it('name patterns, exact and near', () => {
        assert.equal(found(patternCopies, 'const PACK_NAME = /^[a-zA-Z0-9-_.]{1,100}$/;'), 1);
        assert.equal(found(patternCopies, 'const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;'), 1);
        assert.equal(found(patternCopies, 'const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;'), 1);
        assert.equal(found(patternCopies, 'const POLICY_NAME = /^[a-z0-9-]{1,100}$/;'), 1);
    });

    it('account names split at `/`', () => {
        assert.equal(found(slashSplits, "await server.removeAccount(name.split('/')[0]);"), 1);
        assert.equal(found(slashSplits, "const slash = value.indexOf('/');"), 1);
        assert.equal(found(slashSplits, "if (value.includes('/')) return 'No \"/\"';"), 1);
        assert.equal(found(slashSplits, 'const mine = (entry: string) => entry === name || entry.startsWith(`${name}/`);'), 1);
        assert.equal(found(slashSplits, "const module = (type.split(':')[1] ?? '').split('/')[0];"), 0);
    });
});

describe('the shared account-name parser', () => {
    it('splits `name/region` at its first `/` and names the parent', () => {
        assert.deepEqual(names.parseAccountRef('prod/us-west-2'), { account: 'prod', region: 'us-west-2' });
        assert.deepEqual(names.parseAccountRef('prod'), { account: 'prod' });
        assert.deepEqual(names.parseAccountRef('prod/'), { account: 'prod', region: undefined });
        assert.equal(names.parentAccountName('prod/us-west-2'), 'prod');
        assert.equal(names.parentAccountName('prod'), 'prod');
        assert.equal(names.childName('prod', 'eu-west-3'), 'prod/eu-west-3');
        assert.equal(names.isChildName('prod/eu-west-3'), true);
        assert.equal(names.isChildName('prod'), false);
    });

    it('a parent reference covers itself and its regions, a child only itself', () => {
        assert.equal(names.accountRefCovers('prod', 'prod'), true);
        assert.equal(names.accountRefCovers('prod', 'prod/us-west-2'), true);
        assert.equal(names.accountRefCovers('prod/us-west-2', 'prod/us-west-2'), true);
        assert.equal(names.accountRefCovers('prod/us-west-2', 'prod'), false);
        assert.equal(names.accountRefCovers('prod/us-west-2', 'prod/us-east-1'), false);
        assert.equal(names.accountRefCovers('prod', 'production'), false);
        assert.equal(names.accountRefCovers('prod', 'production/us-west-2'), false);
    });
});

describe('the shared orders', () => {
    it('levels rank disabled < advisory < remediate < mandatory; anything else below all', () => {
        const ranked = [...model.ENFORCEMENT_LEVELS].sort((a, b) => model.enforcementLevelRank(a) - model.enforcementLevelRank(b));
        assert.deepEqual(ranked, ['disabled', 'advisory', 'remediate', 'mandatory']);
        assert.equal(model.enforcementLevelRank('bogus'), -1);
    });

    it('severities rank low < medium < high < critical, with no severity (undefined or the "none" group) lowest', () => {
        assert.deepEqual([model.severityRank(undefined), model.severityRank('none'), model.severityRank('low'), model.severityRank('critical')], [0, 0, 1, 4]);
    });

    it('statuses rank in the list order; triage and default statuses are subsets of it', () => {
        assert.deepEqual(model.VIOLATION_STATUSES.map(model.violationStatusRank), [0, 1, 2, 3, 4]);
        assert.equal(model.violationStatusRank('bogus'), -1);
        assert.ok(model.TRIAGE_STATUSES.every((s) => model.VIOLATION_STATUSES.includes(s)) && !model.TRIAGE_STATUSES.includes('fixed' as model.TriageStatus));
        assert.ok(model.DEFAULT_STATUSES.every((s) => model.VIOLATION_STATUSES.includes(s)));
    });
});
