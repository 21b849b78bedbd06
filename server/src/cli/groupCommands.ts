import { checkPublishedConfig, createGroup, disablePack, editGroup, enablePack, formatTagRule, getGroup, listPolicyGroups, orgNotice, tagAccount, tagMembers, parsePackName, readPackConfigFile, removeGroup, resolvedGroupPacks, versionTagOf } from '../groups';
import type { Catalog } from '../store';
import type { EntityType, GroupMode } from '../shared/model';
import { EXIT_FINDINGS, EXIT_OK, UsageError, withStore, type CommandContext, type CommandSpec } from './command';
import { evaluateAfter } from './evaluate';
import { formatTable } from './table';

const json = { json: { type: 'boolean' } } as const;


function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
    if (value === undefined) return undefined;
    if (!allowed.includes(value as T)) throw new UsageError(`--${option} must be ${allowed.join(' or ')}, not "${String(value)}"`);
    return value as T;
}

function list(value: unknown): string[] {
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}

/** `P@TAG` (or `P`, meaning latest) -> pack and tag. */
export function packAtTag(value: string): { pack: string; versionTag: string } {
    const at = value.lastIndexOf('@');
    if (at <= 0) return { pack: value, versionTag: 'latest' };
    return { pack: value.slice(0, at), versionTag: value.slice(at + 1) || 'latest' };
}

/**
 * A pack and version as a Pulumi user writes them: `org/pack` (the org set aside with a notice)
 * and a version tag or registry version number, resolved against the catalog.
 */
export function packRef(ctx: CommandContext, catalog: Catalog, value: string, version: string): { pack: string; versionTag: string } {
    const name = parsePackName(value);
    const notice = orgNotice(name);
    if (notice) ctx.err(notice);
    return { pack: name.pack, versionTag: versionTagOf(catalog, name.pack, version) };
}

/** `policy-insights policy group ...`. */
export const groupCommands: CommandSpec[] = [
    {
        path: ['policy', 'group', 'ls'],
        usage: '[--json]',
        summary: 'List policy groups',
        options: json,
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const groups = await listPolicyGroups(store);
                if (ctx.values.json) ctx.out(JSON.stringify(groups, null, 2));
                else
                    {ctx.out(
                        formatTable(
                            ['NAME', 'ENTITY TYPE', 'MODE', 'POLICY PACKS', 'MEMBERS'],
                            groups.map((g) => [
                                g.name + (g.isDefault ? ' (default)' : ''),
                                g.entityType,
                                g.mode,
                                g.appliedPolicyPacks.map((p) => `${p.name}@${p.versionTag}`).join(', ') || '-',
                                [...g.accounts, ...g.stacks, ...(g.tagRules ?? []).map((r) => `tags ${formatTagRule(r)}`)].join(', ') || '-',
                            ]),
                        ),
                    );}
                return EXIT_OK;
            }),
    },
    {
        path: ['policy', 'group', 'new'],
        usage: '<name> [--entity-type accounts|stacks] [--mode audit|preventative]',
        summary: 'Create a policy group',
        options: { 'entity-type': { type: 'string' }, mode: { type: 'string' } },
        positionals: [1, 1],
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const entityType = oneOf<EntityType>(ctx.values['entity-type'], ['accounts', 'stacks'], 'entity-type');
                const mode = oneOf<GroupMode>(ctx.values.mode, ['audit', 'preventative'], 'mode');
                const { group } = await createGroup(store, { name: ctx.positionals[0], entityType, mode });
                ctx.out(`Created policy group ${group!.name} (${group!.entityType}, ${group!.mode}).`);
                return EXIT_OK;
            }),
    },
    {
        path: ['policy', 'group', 'get'],
        usage: '<name> [--json]',
        summary: 'Show a policy group, its packs (with the version each resolves to) and members',
        options: json,
        positionals: [1, 1],
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const group = await getGroup(store, ctx.positionals[0]);
                const catalog = await store.readCatalog();
                const packs = resolvedGroupPacks(catalog, group);
                if (ctx.values.json) {
                    const byTag = tagMembers(catalog, group).map((m) => ({ member: m.member, kind: m.kind, rule: formatTagRule(m.rule) }));
                    ctx.out(JSON.stringify({ ...group, resolvedPolicyPacks: packs, tagMembers: byTag }, null, 2));
                    return EXIT_OK;
                }
                ctx.out(`${group.name}${group.isDefault ? ' (default)' : ''}: ${group.entityType}, ${group.mode}`);
                ctx.out(`accounts: ${group.accounts.join(', ') || '-'}`);
                ctx.out(`stacks: ${group.stacks.join(', ') || '-'}`);
                if (group.tagRules?.length) {
                    ctx.out(`tag rules (any of): ${group.tagRules.map(formatTagRule).join('; ')}`);
                    const byTag = tagMembers(catalog, group);
                    ctx.out(`members by tag: ${byTag.map((m) => `${m.member} (${formatTagRule(m.rule)})`).join(', ') || '-'}`);
                }
                if (!packs.length) ctx.out('policy packs: none (enable one with `policy-insights policy enable <pack> latest --policy-group ' + group.name + '`)');
                else {
                    ctx.out('');
                    const rows = packs.flatMap((p) =>
                        p.problem
                            ? [[p.name, p.follows, p.version ?? '(missing)', `(cannot apply: ${p.problem.split('\n')[0]})`, '-', '-', '-']]
                            : p.policies.map((policy) => [p.name, p.follows, p.version!, policy.name, policy.policyType, policy.level, policy.properties ? JSON.stringify(policy.properties) : '-']),
                    );
                    ctx.out(formatTable(['POLICY PACK', 'FOLLOWS', 'VERSION', 'POLICY', 'TYPE', 'LEVEL', 'CONFIG'], rows));
                    // an entity in several groups runs one binding of each pack: say where this group's does not
                    for (const p of packs) {
                        for (const o of p.overriddenOn ?? []) ctx.out(`${p.name} on ${o.member}: policy group ${o.by}'s binding (${o.version}) applies instead: ${o.reason}.`);
                    }
                }
                return EXIT_OK;
            }),
    },
    {
        path: ['policy', 'group', 'edit'],
        usage: '<name> [--name NEW] [--add-account A] [--remove-account A] [--add-stack S] [--remove-stack S] [--add-policy-pack P@TAG|P@N] [--remove-policy-pack P] [--add-tag-rule k=v,k2=v2] [--remove-tag-rule RULE] [--mode audit|preventative]',
        summary: 'Change a policy group (accounts as name for all regions, or name/region; each option may repeat; --add-insights-account/--remove-insights-account as in pulumi; a tag rule admits accounts or stacks whose tags meet all its conditions)',
        options: {
            name: { type: 'string' },
            'add-account': { type: 'string', multiple: true },
            'remove-account': { type: 'string', multiple: true },
            'add-insights-account': { type: 'string', multiple: true },
            'remove-insights-account': { type: 'string', multiple: true },
            'add-stack': { type: 'string', multiple: true },
            'remove-stack': { type: 'string', multiple: true },
            'add-policy-pack': { type: 'string', multiple: true },
            'remove-policy-pack': { type: 'string', multiple: true },
            'add-tag-rule': { type: 'string', multiple: true },
            'remove-tag-rule': { type: 'string', multiple: true },
            mode: { type: 'string' },
        },
        positionals: [1, 1],
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const name = ctx.positionals[0];
                const mode = oneOf<GroupMode>(ctx.values.mode, ['audit', 'preventative'], 'mode');
                const rename = ctx.values.name as string | undefined;
                const edit = {
                    // Pulumi's --add-insights-account/--remove-insights-account are ours under their own names too
                    addAccounts: [...list(ctx.values['add-account']), ...list(ctx.values['add-insights-account'])],
                    removeAccounts: [...list(ctx.values['remove-account']), ...list(ctx.values['remove-insights-account'])],
                    addStacks: list(ctx.values['add-stack']),
                    removeStacks: list(ctx.values['remove-stack']),
                    // a rule's conditions are comma-separated: each option is one rule
                    addTagRules: (ctx.values['add-tag-rule'] as string[] | undefined) ?? [],
                    removeTagRules: (ctx.values['remove-tag-rule'] as string[] | undefined) ?? [],
                    ...(mode ? { mode } : {}),
                };
                const catalog = await store.readCatalog();
                const addPolicyPacks = list(ctx.values['add-policy-pack']).map((value) => {
                    const { pack, versionTag } = packAtTag(value);
                    return packRef(ctx, catalog, pack, versionTag);
                });
                const removePolicyPacks = list(ctx.values['remove-policy-pack']).map((value) => packRef(ctx, catalog, value, 'latest').pack);
                if (!mode && rename === undefined && !edit.addTagRules.length && !edit.removeTagRules.length && !addPolicyPacks.length && !removePolicyPacks.length && Object.values(edit).every((v) => Array.isArray(v) && !v.length)) {
                    throw new UsageError('nothing to change: give at least one --add-/--remove- option, --name or --mode');
                }
                const change = await editGroup(store, name, { ...edit, ...(rename !== undefined ? { rename } : {}), addPolicyPacks, removePolicyPacks });
                await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(change.before, change.after));
                ctx.out(rename !== undefined && rename !== name ? `Updated policy group ${name}, now named ${rename}.` : `Updated policy group ${name}.`);
                return EXIT_OK;
            }),
    },
    {
        path: ['account', 'tag'],
        usage: '<name> [key=value...] [--remove KEY]',
        summary: "Set or remove an account's or stack's tags (policy groups' tag rules follow them); with none, print its tags",
        options: { remove: { type: 'string', multiple: true }, ...json },
        positionals: [1, 100],
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const [name, ...set] = ctx.positionals;
                const remove = (ctx.values.remove as string[] | undefined) ?? [];
                const change = await tagAccount(store, name, { set, remove });
                if (set.length || remove.length) await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(change.before, change.after));
                if (ctx.values.json) ctx.out(JSON.stringify(change.tags, null, 2));
                else ctx.out(`${name}: ${Object.entries(change.tags).map(([k, v]) => `${k}=${v}`).join(', ') || 'no tags'}`);
                return EXIT_OK;
            }),
    },
    {
        path: ['evaluate'],
        usage: '[--account A[/region]]... [--json]',
        summary: 'Evaluate every stored resource (or those of the given accounts) against the policy groups now, ignoring cached results ("Evaluate Now")',
        options: { account: { type: 'string', multiple: true }, ...json },
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const accounts = list(ctx.values.account);
                const report = await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAll(accounts.length ? { accounts } : {}));
                if (ctx.values.json) ctx.out(JSON.stringify({ accounts: report.accounts, opened: report.opened, resolved: report.resolved, stillOpen: report.stillOpen, problems: report.problems }, null, 2));
                else if (!report.accounts.length) ctx.out(accounts.length ? `No stored resources for ${accounts.join(', ')}: scan first (\`policy-insights account scan NAME\`).` : 'Nothing to evaluate: no account has been scanned.');
                else ctx.out(`Evaluated ${report.accounts.length} account(s): ${report.stillOpen} open violation(s), ${report.opened} new, ${report.resolved} resolved.`);
                return EXIT_OK;
            }),
    },
    {
        path: ['watch'],
        usage: '',
        summary: "Run the accounts' scheduled scans and stack re-imports headless (one per home; scans another process runs are skipped); stops on SIGINT/SIGTERM",
        run: async (ctx) => (await import('./watchCommand')).runWatch(ctx),
    },
    {
        path: ['policy', 'group', 'remove'],
        usage: '<name>',
        summary: 'Remove a policy group (the default group cannot be removed)',
        positionals: [1, 1],
        run: (ctx) =>
            withStore(ctx, async (store) => {
                const change = await removeGroup(store, ctx.positionals[0]);
                await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(change.before, change.after));
                ctx.out(`Removed policy group ${ctx.positionals[0]}.`);
                return EXIT_OK;
            }),
    },
];

/** `policy enable <[org/]pack> <latest|versionTag|version> [--policy-group G] [--config FILE]`. */
export function runPolicyEnable(ctx: CommandContext): Promise<number> {
    return withStore(ctx, async (store) => {
        const { pack, versionTag } = packRef(ctx, await store.readCatalog(), ctx.positionals[0], ctx.positionals[1]);
        const file = ctx.values.config as string | undefined;
        const config = file ? await readPackConfigFile(file) : undefined;
        const change = await enablePack(store, { group: ctx.values['policy-group'] as string | undefined, pack, versionTag, ...(config !== undefined ? { config: config as Record<string, never> } : {}) });
        const group = change.group!;
        const version = resolvedGroupPacks(change.after, group).find((p) => p.name === pack)?.version;
        ctx.out(`Enabled ${pack}@${versionTag}${versionTag === 'latest' ? ` (now ${version})` : ''} in policy group ${group.name}.`);
        await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(change.before, change.after));
        return EXIT_OK;
    });
}

/** `policy disable <[org/]pack> [--policy-group G] [--version V]`. */
export function runPolicyDisable(ctx: CommandContext): Promise<number> {
    return withStore(ctx, async (store) => {
        const version = ctx.values.version as string | undefined;
        const { pack, versionTag } = packRef(ctx, await store.readCatalog(), ctx.positionals[0], version ?? 'latest');
        const change = await disablePack(store, { group: ctx.values['policy-group'] as string | undefined, pack, ...(version !== undefined ? { versionTag } : {}) });
        ctx.out(`Disabled ${pack} in policy group ${change.group!.name}.`);
        await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(change.before, change.after));
        return EXIT_OK;
    });
}

/** `policy validate-config <pack> <versionTag> --config FILE`: each error with its JSON path; exit 1 when any. */
export function runValidateConfig(ctx: CommandContext): Promise<number> {
    return withStore(ctx, async (store) => {
        const file = ctx.values.config as string | undefined;
        if (!file) throw new UsageError('--config FILE is required');
        const config = await readPackConfigFile(file);
        const catalog = await store.readCatalog();
        const { pack, versionTag } = packRef(ctx, catalog, ctx.positionals[0], ctx.positionals[1]);
        const { version, errors } = checkPublishedConfig(catalog, pack, versionTag, config);
        if (!errors.length) {
            ctx.out(`${file} is a valid config for ${pack}@${version.versionTag}.`);
            return EXIT_OK;
        }
        for (const e of errors) ctx.err(`${file}: ${e.path}: ${e.message}`);
        ctx.err(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${file} for ${pack}@${version.versionTag}.`);
        return EXIT_FINDINGS;
    });
}

/** `policy install-group <group> --dir D`: runnable pack folders, their config files and the `pulumi preview` line. */
export function runInstallGroup(ctx: CommandContext): Promise<number> {
    const dir = ctx.values.dir as string | undefined;
    if (!dir) throw new UsageError('--dir D is required: the folder to write the packs into');
    return withStore(ctx, async (store) => {
        const { installGroup } = await import('../groups/installGroup');
        const result = await installGroup(store, ctx.positionals[0], dir);
        for (const problem of result.problems) ctx.err(`error: ${problem}`);
        if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
        else {
            for (const p of result.packs) ctx.out(`Installed ${p.name}@${p.versionTag} in ${p.dir}${p.configFile ? ` with ${p.configFile}` : ''}.`);
            ctx.out(`Run \`npm install\` in each folder once (the engine starts a pack with its own @pulumi/pulumi), then enforce policy group ${result.group} (${result.mode}) with:`);
            ctx.out(result.command);
        }
        // a pack the group names but cannot be installed: the installed set would enforce less than the group
        return result.problems.length ? EXIT_FINDINGS : EXIT_OK;
    });
}
