import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { installDependencies } from '../packs/npmInstall';
import { listTemplates, scaffoldPack } from '../packs/scaffold';
import { listPackVersions } from '../registry/packVersions';
import { removePackVersions } from '../registry/remove';
import type { PolicyPackVersion } from '../shared/model';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, withStore, type CommandContext, type CommandSpec } from './command';
import { evaluateAfter } from './evaluate';
import { GRANT_ENV_OPTION, withRunner } from './runner';
import { formatTable } from './table';

const json = { json: { type: 'boolean' } } as const;

/** The pack folder a command was given (default: the current folder); not a policy pack is bad input (exit 2), said before any work. */
async function packDirArgument(ctx: CommandContext): Promise<string> {
    const { requirePackDir } = await validation();
    try {
        return requirePackDir(ctx.positionals[0] ?? process.cwd());
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}

/** Validation and publish parse TypeScript (the compiler is 10 MB): loaded by the commands that use them (runCli.ts). */
const validation = () => import('../packs/validatePack');
const publishing = () => import('../registry/publish');

/**
 * Warnings on the pack's entry where it validates a type no account in the store discovers
 * (see validatedTypes.ts). None when the store holds no account: there is nothing to compare
 * with, and a pack written before any account is added is not wrong. Does not create the store.
 */
async function undiscoveredTypeWarnings(ctx: CommandContext, packDir: string): Promise<{ file: string; diagnostics: Diagnostic[] } | undefined> {
    if (!existsSync(ctx.home)) return undefined;
    const accounts = await withStore(ctx, async (store) => (await store.readCatalog()).accounts);
    const { documentOf, packEntryFile } = await validation();
    const entry = packEntryFile(packDir);
    if (!accounts.length || !entry) return undefined;
    // The scanners' type tables load only when there are accounts to compare with.
    const { discoverableTypes } = await import('../accounts/discoverableTypes');
    const { undiscoveredTypeDiagnostics } = await import('../packs/validatedTypes');
    return { file: entry, diagnostics: undiscoveredTypeDiagnostics(documentOf(entry), packDir, discoverableTypes(accounts)) };
}

function printTemplates(ctx: CommandContext): void {
    const templates = listTemplates();
    ctx.out(formatTable(['TEMPLATE', 'LANGUAGE', 'DESCRIPTION'], templates.map((t) => [t.name, t.language, t.description])));
}

/** `pulumi policy ls --output json`: one entry per pack, its version tags newest first; latestVersion is ours. */
export function packsAsPulumiLists(versions: readonly PolicyPackVersion[]): { name: string; versions: string[]; latestVersion: string }[] {
    const byName = new Map<string, PolicyPackVersion[]>();
    for (const v of versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
    return [...byName].map(([name, list]) => {
        const newest = [...list].sort((a, b) => b.version - a.version);
        return { name, versions: newest.map((v) => v.versionTag), latestVersion: newest[0].versionTag };
    });
}

/** Asks on the terminal; false (not confirmed) when stdin is not one, as Pulumi's ConfirmDeletion refuses without --yes. */
async function confirmed(prompt: string, expected: string): Promise<boolean> {
    if (!process.stdin.isTTY) return false;
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
        return (await rl.question(prompt)).trim() === expected;
    } finally {
        rl.close();
    }
}

/** `policy-insights policy ...`: packs and versions. Groups live in groupCommands.ts. */
export const policyCommands: CommandSpec[] = [
    {
        path: ['policy', 'new'],
        usage: '[template] [--dir D] [--force] [--generate-only]',
        summary: 'Scaffold a policy pack from a template (without one: list the templates)',
        options: { dir: { type: 'string' }, force: { type: 'boolean' }, 'generate-only': { type: 'boolean' } },
        positionals: [0, 1],
        async run(ctx) {
            if (!ctx.positionals.length) {
                // `pulumi policy new` without a template offers the list to choose from; a command line cannot ask
                printTemplates(ctx);
                ctx.err('Choose a template: policy-insights policy new <template> [--dir D]');
                return EXIT_USAGE;
            }
            const result = await scaffoldPack({
                template: ctx.positionals[0],
                dir: (ctx.values.dir as string | undefined) ?? process.cwd(),
                force: ctx.values.force === true,
            });
            ctx.out(`Created policy pack "${result.packName}" from ${result.template.name} in ${result.dir}:`);
            for (const file of result.files) ctx.out(`  ${file}`);
            if (ctx.values['generate-only']) {
                ctx.out(`Run \`npm install\` in ${result.dir} before validating or publishing it.`);
            } else {
                ctx.err(`Installing dependencies (npm install) in ${result.dir}...`);
                await installDependencies(result.dir, { onOutput: (chunk) => process.stderr.write(chunk) });
            }
            ctx.out(`Next: edit ${path.relative(process.cwd(), result.entry) || result.entry}, then \`policy-insights policy publish ${result.dir}\`.`);
            return EXIT_OK;
        },
    },
    {
        path: ['policy', 'templates'],
        usage: '',
        summary: 'List the policy pack templates',
        async run(ctx) {
            printTemplates(ctx);
            return EXIT_OK;
        },
    },
    {
        path: ['policy', 'validate'],
        usage: '[DIR] [--grant-env PACK...]',
        summary: 'Validate a policy pack (static checks, then loading it as the engine does); exit 1 on any error diagnostic',
        positionals: [0, 1],
        options: GRANT_ENV_OPTION,
        async run(ctx) {
            const { formatDiagnostic, validatePackLoading } = await validation();
            const packDir = await packDirArgument(ctx);
            const result = await withRunner((runner) => validatePackLoading(packDir, runner), ctx);
            const typeWarnings = await undiscoveredTypeWarnings(ctx, packDir);
            for (const { file, diagnostics } of [...result.files, ...(typeWarnings ? [typeWarnings] : [])]) {
                for (const d of diagnostics) ctx.out(formatDiagnostic(path.relative(process.cwd(), file) || file, d));
            }
            // They warn, and never change the exit code: the pack is valid, these accounts just hold nothing it checks.
            const warningCount = result.warningCount + (typeWarnings?.diagnostics.filter((d) => d.code === 'undiscovered-type').length ?? 0);
            ctx.out(`${result.errorCount} error(s), ${warningCount} warning(s) in ${result.packDir}`);
            return result.errorCount > 0 ? EXIT_FINDINGS : EXIT_OK;
        },
    },
    {
        path: ['policy', 'publish'],
        usage: '[DIR] [--grant-env PACK...]',
        summary: 'Publish an immutable version of a policy pack',
        positionals: [0, 1],
        options: GRANT_ENV_OPTION,
        async run(ctx) {
            const packDir = await packDirArgument(ctx);
            const { publishPack } = await publishing();
            const { formatDiagnostic } = await validation();
            // Before the publish, which stops on its own errors: these only warn.
            const typeWarnings = await undiscoveredTypeWarnings(ctx, packDir);
            if (typeWarnings) {
                const file = path.relative(process.cwd(), typeWarnings.file) || typeWarnings.file;
                for (const d of typeWarnings.diagnostics) ctx.err(formatDiagnostic(file, d));
            }
            return withStore(ctx, async (store) => {
                const before = await store.readCatalog();
                const record = await withRunner((runner) =>
                    publishPack(store, {
                        packDir,
                        inspect: (dir) => runner.loadPack(dir),
                        onProgress: (message) => ctx.err(message),
                    }),
                    ctx,
                );
                ctx.out(`Published ${record.name}: version ${record.version}, versionTag ${record.versionTag} (${record.policies.length} policies).`);
                // Groups that follow `latest` now run the new version.
                const after = await store.readCatalog();
                await evaluateAfter(ctx, store, (evaluator) => evaluator.evaluateAfterCatalogChange(before, after));
                return EXIT_OK;
            });
        },
    },
    {
        path: ['policy', 'ls'],
        usage: '[--json]',
        summary: "List published policy pack versions (--json in pulumi policy ls's shape: [{name, versions}], newest first, plus latestVersion)",
        options: json,
        async run(ctx) {
            return withStore(ctx, async (store) => {
                const packs = await listPackVersions(store);
                if (ctx.values.json) ctx.out(JSON.stringify(packsAsPulumiLists(packs), null, 2));
                else if (!packs.length) ctx.out(`No policy packs published in ${ctx.home}.`);
                else
                    {ctx.out(
                        formatTable(
                            ['NAME', 'VERSION', 'TAG', 'POLICIES', 'PUBLISHED'],
                            packs.map((p) => [p.name, String(p.version), p.versionTag, String(p.policies.length), p.publishedAt]),
                        ),
                    );}
                return EXIT_OK;
            });
        },
    },
    {
        path: ['policy', 'rm'],
        usage: '<[org/]pack> <versionTag|version|all> [--yes]',
        summary: 'Remove a published version (or all versions); asks to confirm unless --yes',
        options: { yes: { type: 'boolean', short: 'y' } },
        positionals: [2, 2],
        async run(ctx) {
            return withStore(ctx, async (store) => {
                const { packRef } = await import('./groupCommands');
                const { pack, versionTag } = packRef(ctx, await store.readCatalog(), ctx.positionals[0], ctx.positionals[1]);
                const what = versionTag === 'all' ? `every version of ${pack}` : `${pack}@${versionTag}`;
                if (!ctx.values.yes && !(await confirmed(`This removes ${what}; its tag can never be published again. Type "${pack}" to confirm: `, pack))) {
                    throw new UsageError(`not removed: confirm by typing the pack name, or pass --yes (required when not running interactively)`);
                }
                const removed = await removePackVersions(store, pack, versionTag);
                for (const r of removed) ctx.out(`Removed ${r.name}@${r.versionTag} (version ${r.version}).`);
                return EXIT_OK;
            });
        },
    },
    {
        path: ['policy', 'enable'],
        usage: '<[org/]pack> <latest|versionTag|version> [--policy-group G] [--config FILE]',
        summary: 'Enable a pack version in a policy group',
        options: { 'policy-group': { type: 'string' }, config: { type: 'string' } },
        positionals: [2, 2],
        run: async (ctx) => (await import('./groupCommands')).runPolicyEnable(ctx),
    },
    {
        path: ['policy', 'disable'],
        usage: '<[org/]pack> [--policy-group G] [--version V]',
        summary: 'Disable a pack in a policy group (with --version, only if that version is the one enabled)',
        options: { 'policy-group': { type: 'string' }, version: { type: 'string' } },
        positionals: [1, 1],
        run: async (ctx) => (await import('./groupCommands')).runPolicyDisable(ctx),
    },
    {
        path: ['policy', 'validate-config'],
        usage: '<[org/]pack> <versionTag|version|latest> --config FILE',
        summary: "Validate a config file against a pack version's schemas",
        options: { config: { type: 'string' } },
        positionals: [2, 2],
        run: async (ctx) => (await import('./groupCommands')).runValidateConfig(ctx),
    },
    {
        path: ['policy', 'install-group'],
        usage: '<group> --dir D [--json]',
        summary: "Write a policy group's pack versions as runnable pack folders with their --policy-pack-config files, and print the `pulumi preview` line that enforces them",
        options: { dir: { type: 'string' }, ...json },
        positionals: [1, 1],
        run: async (ctx) => (await import('./groupCommands')).runInstallGroup(ctx),
    },
    {
        path: ['analyze'],
        usage: '--file STATE.json (--policy-pack DIR... [--policy-pack-config FILE...] | --policy-group G... | --stack NAME) [--config-file Pulumi.<stack>.yaml] [--json | --diff] [--grant-env PACK...]',
        summary: "Evaluate a Pulumi stack export against policy packs and/or policy groups' published packs; exit 1 on a mandatory violation or a policy error (audit groups never block)",
        options: {
            file: { type: 'string' },
            'policy-pack': { type: 'string', multiple: true },
            'policy-group': { type: 'string', multiple: true },
            stack: { type: 'string' },
            'policy-pack-config': { type: 'string', multiple: true },
            'config-file': { type: 'string' },
            json: { type: 'boolean' },
            diff: { type: 'boolean' },
            ...GRANT_ENV_OPTION,
        },
        run: async (ctx) => (await import('./analyzeCommand')).runAnalyze(ctx),
    },
];
