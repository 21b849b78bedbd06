import { ENFORCEMENT_LEVELS, PRIORITIES, SEVERITIES, TRIAGE_STATUSES, VIOLATION_STATUSES, type EnforcementLevel, type Priority, type Severity, type TriageStatus, type Violation, type ViolationStatus } from '../shared/model';
import type { PanelFilter } from '../shared/panelProtocol';
import type { ListViolationsParams } from '../shared/protocol';
import { type Store } from '../store';
import { FilterError, setTriage, suppress, unsuppress, ViolationQueryService } from '../violations';
import { EXIT_OK, UsageError, withStore, type CommandContext, type CommandSpec } from './command';
import { formatTable } from './table';
import { csvSafe } from './terminalText';
import { reportedText } from '../violations/violationMessage';
import { dateBound } from '../violations/violationFilter';
import { ASSIGNEE_MAX_LENGTH, DATE_INPUT } from '../validation/boundarySchemas';
import { exportContextFor, formatViolations } from '../violations/export';
import { violationsJsonParts } from '../violations/export/json';
import { once } from 'node:events';
import { version } from '../../../package.json';

const FORMATS = ['table', 'json', 'csv', 'sarif'] as const;

/** A bad filter value is bad usage: printed with the command's usage. */
async function withViolationStore(ctx: CommandContext, fn: (store: Store) => Promise<number>): Promise<number> {
    try {
        return await withStore(ctx, fn);
    } catch (error) {
        if (error instanceof FilterError) throw new UsageError(error.message);
        throw error;
    }
}

/** Comma-separated (or repeated) values, each one of `allowed`. */
function values<T extends string>(raw: unknown, allowed: readonly T[], option: string): T[] | undefined {
    if (raw === undefined) return undefined;
    const items = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
    // `--severity ''` (an unset variable in a script) must not mean "no filter"
    if (items.length === 0) throw new UsageError(`--${option} needs a value: one or more of ${allowed.join(', ')}`);
    for (const item of items) if (!allowed.includes(item as T)) throw new UsageError(`--${option} "${item}" is not one of ${allowed.join(', ')}`);
    return items as T[];
}

/** A flag's value as a one-value list (the filter's multi-selects); absent or empty does not filter. */
function one(raw: unknown): string[] | undefined {
    return raw === undefined || String(raw) === '' ? undefined : [String(raw)];
}

/** The query the options describe: the filter the extension's tree, status bar and panel use. */
export function queryFromOptions(v: CommandContext['values']): ListViolationsParams & { filter: PanelFilter } {
    const str = (name: string) => (v[name] === undefined ? undefined : String(v[name]));
    const filter: PanelFilter = {
        policyPacks: one(v['policy-pack']),
        policies: one(v.policy),
        projects: one(v.project),
        levels: values<EnforcementLevel>(v.level, ENFORCEMENT_LEVELS, 'level'),
        accounts: one(v.account),
        resourceContains: str('resource'),
        typeContains: str('type'),
        since: str('since'),
        until: str('until'),
        statuses: str('status') === 'all' ? [...VIOLATION_STATUSES] : values<ViolationStatus>(v.status, VIOLATION_STATUSES, 'status'),
        severities: values<Severity>(v.severity, SEVERITIES, 'severity'),
        includeSuppressed: v['include-suppressed'] === true,
    };
    for (const bound of ['since', 'until'] as const) {
        const value = filter[bound];
        if (value !== undefined && !DATE_INPUT.test(value.trim())) throw new UsageError(`--${bound} "${value}" is not a date: use YYYY-MM-DD or an ISO date-time such as 2026-01-31T12:00:00Z`);
    }
    if (filter.since !== undefined && filter.until !== undefined && dateBound(filter.since, 'since') > dateBound(filter.until, 'until')) {
        throw new UsageError(`--until ${filter.until} is before --since ${filter.since}: no violation could match`);
    }
    if (v.limit === undefined) return { filter };
    const limit = Number(v.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${String(v.limit)}"`);
    return { filter, limit };
}

/** What the policy reported (without the description line), cut to fit a table. */
function shortMessage(v: Violation): string {
    const text = reportedText(v.message);
    return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/**
 * `violations --json`: the JSON export's document, written a batch of violations at a time as
 * they are read from the shards, so a listing of a million violations never holds them all.
 */
async function printJson(ctx: CommandContext, store: Store, query: ListViolationsParams): Promise<number> {
    const queries = new ViolationQueryService(store);
    let pending = '';
    // ctx.out writes whole lines: hold back the text after the last newline.
    const write = async (text: string) => {
        pending += text;
        const newline = pending.lastIndexOf('\n');
        if (newline < 0) return;
        ctx.out(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        // A slow reader (a pipe to jq) must not make the output pile up in memory.
        if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
    };
    let parts: ReturnType<typeof violationsJsonParts> | undefined;
    let first = true;
    try {
        const { total, count } = await queries.stream(query, {
            begin: async ({ total: matched, count: listed }) => {
                parts = violationsJsonParts(new Date(), listed, matched);
                await write(parts.head);
            },
            batch: async (violations) => {
                if (!violations.length) return;
                await write((first ? '' : parts!.separator) + parts!.items(violations));
                first = false;
            },
        });
        await write(parts!.tail);
        if (pending) ctx.out(pending);
        if (total > count) ctx.err(`(${count} of ${total} violations; raise --limit to see more)`);
    } finally {
        queries.dispose();
    }
    return EXIT_OK;
}

/** `policy-insights violations ...`. */
export const violationCommands: CommandSpec[] = [
    {
        path: ['violations'],
        usage:
            '[--policy-pack P] [--policy X] [--project J] [--level L] [--account A] [--resource R] [--type T] [--since DATE] [--until DATE] [--status S|all] [--severity S] [--include-suppressed] [--limit N] [--json] [--format table|json|csv|sarif]',
        summary: 'List violations with the console filters (default: open and in progress, suppressed ones hidden)',
        options: {
            'policy-pack': { type: 'string' },
            policy: { type: 'string' },
            project: { type: 'string' },
            level: { type: 'string', multiple: true },
            account: { type: 'string' },
            resource: { type: 'string' },
            type: { type: 'string' },
            since: { type: 'string' },
            until: { type: 'string' },
            status: { type: 'string', multiple: true },
            severity: { type: 'string', multiple: true },
            'include-suppressed': { type: 'boolean' },
            limit: { type: 'string' },
            json: { type: 'boolean' },
            format: { type: 'string' },
        },
        run: (ctx) =>
            withViolationStore(ctx, async (store) => {
                const format = ctx.values.json ? 'json' : ((ctx.values.format as string | undefined) ?? 'table');
                if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
                const query = queryFromOptions(ctx.values);
                if (format === 'json') return printJson(ctx, store, query);
                const queries = new ViolationQueryService(store);
                const { violations, total } = await queries.list(query).finally(() => queries.dispose());
                if (format === 'csv' || format === 'sarif') {
                    // The same documents the Policy Violations panel exports; --json is --format json
                    const context = { ...(await exportContextFor(store, violations, { toolVersion: version })), total };
                    const document = formatViolations(violations, format, context);
                    process.stdout.write(format === 'csv' ? csvSafe(document) : document);
                    if (total > violations.length) ctx.err(`(${violations.length} of ${total} violations; raise --limit to see more)`);
                    return EXIT_OK;
                }
                if (!violations.length) {
                    ctx.out('No violations match.');
                    return EXIT_OK;
                }
                ctx.out(
                    formatTable(
                        ['ID', 'STATUS', 'LEVEL', 'SEVERITY', 'POLICY', 'ACCOUNT', 'RESOURCE', 'TYPE', 'OBSERVED', 'MESSAGE'],
                        violations.map((v) => [
                            v.id,
                            v.status + (v.priority ? ` ${v.priority}` : ''),
                            v.level,
                            v.severity ?? '-',
                            `${v.policyPack}/${v.policyName}`,
                            v.entityId,
                            v.resourceName || '(account)',
                            v.resourceType || '-',
                            v.observedAt.slice(0, 10),
                            shortMessage(v),
                        ]),
                    ),
                );
                if (total > violations.length) ctx.out(`(${violations.length} of ${total}; raise --limit to see more)`);
                return EXIT_OK;
            }),
    },
    {
        path: ['violations', 'show'],
        usage: '<id> [--json]',
        summary: 'Show one violation: the resource (offending properties marked), the policy, the message, the group binding that applied, history and triage',
        options: { json: { type: 'boolean' } },
        positionals: [1, 1],
        run: async (ctx) => (await import('./violationShow')).runViolationShow(ctx),
    },
    {
        path: ['violations', 'triage'],
        usage: '<id> [--status open|in_progress|by_design|ignored] [--priority p0..p4|none] [--assign USER] [--unassign]',
        summary: 'Set the status, priority or assignee of a violation',
        options: { status: { type: 'string' }, priority: { type: 'string' }, assign: { type: 'string' }, unassign: { type: 'boolean' } },
        positionals: [1, 1],
        run: (ctx) =>
            withViolationStore(ctx, async (store) => {
                const status = values<TriageStatus>(ctx.values.status, TRIAGE_STATUSES, 'status')?.[0];
                const priorityRaw = ctx.values.priority as string | undefined;
                const priority = priorityRaw === 'none' ? null : values<Priority>(priorityRaw, PRIORITIES, 'priority')?.[0];
                const assignedTo = ctx.values.unassign ? null : (ctx.values.assign as string | undefined);
                if (typeof assignedTo === 'string' && assignedTo.trim() === '') throw new UsageError("--assign needs a user; use --unassign to clear the assignee");
                if (typeof assignedTo === 'string' && assignedTo.length > ASSIGNEE_MAX_LENGTH) throw new UsageError(`--assign is ${assignedTo.length} characters long; an assignee has at most ${ASSIGNEE_MAX_LENGTH}`);
                if (status === undefined && priority === undefined && assignedTo === undefined) throw new UsageError('nothing to change: give --status, --priority, --assign or --unassign');
                const v = await setTriage(store, ctx.positionals[0], { status, priority, assignedTo });
                ctx.out(`${v.id}: ${v.status}${v.priority ? `, ${v.priority}` : ''}${v.assignedTo ? `, assigned to ${v.assignedTo}` : ''}`);
                return EXIT_OK;
            }),
    },
    {
        path: ['violations', 'suppress'],
        usage: '<id> --reason TEXT --until DATE',
        summary: 'Hide a violation until a date, with a reason; it shows again afterwards',
        options: { reason: { type: 'string' }, until: { type: 'string' } },
        positionals: [1, 1],
        run: (ctx) =>
            withViolationStore(ctx, async (store) => {
                const reason = ctx.values.reason as string | undefined;
                const until = ctx.values.until as string | undefined;
                if (!reason || !until) throw new UsageError('--reason and --until are both required');
                if (!DATE_INPUT.test(until.trim())) throw new UsageError(`--until "${until}" is not a date: use YYYY-MM-DD or an ISO date-time with a four-digit year`);
                const v = await suppress(store, ctx.positionals[0], { reason, until });
                ctx.out(`${v.id}: suppressed until ${v.suppression!.until} (${v.suppression!.reason})`);
                return EXIT_OK;
            }),
    },
    {
        path: ['violations', 'unsuppress'],
        usage: '<id>',
        summary: 'Remove the suppression of a violation',
        positionals: [1, 1],
        run: (ctx) =>
            withViolationStore(ctx, async (store) => {
                const v = await unsuppress(store, ctx.positionals[0]);
                ctx.out(`${v.id}: no longer suppressed`);
                return EXIT_OK;
            }),
    },
];
