import * as path from 'node:path';
import { installDependencies, listTemplates, scaffoldPack } from '../packs/scaffold';
import { listPackVersions } from '../registry/packVersions';
import { removePackVersions } from '../registry/remove';
import { EXIT_FINDINGS, EXIT_OK, UsageError, withStore, type CommandContext, type CommandSpec } from './command';
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

/** `policy-insights policy ...`: packs and versions. Groups live in groupCommands.ts. */
export const policyCommands: CommandSpec[] = [
    {
        path: ['policy', 'new'],
        usage: '<template> [--dir D] [--force] [--generate-only]',
        summary: 'Scaffold a policy pack from a template',
        options: { dir: { type: 'string' }, force: { type: 'boolean' }, 'generate-only': { type: 'boolean' } },
        positionals: [1, 1],
        async run(ctx) {
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
            const templates = listTemplates();
            ctx.out(formatTable(['TEMPLATE', 'LANGUAGE', 'DESCRIPTION'], templates.map((t) => [t.name, t.language, t.description])));
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
            for (const { file, diagnostics } of result.files) {
                for (const d of diagnostics) ctx.out(formatDiagnostic(path.relative(process.cwd(), file) || file, d));
            }
            ctx.out(`${result.errorCount} error(s), ${result.warningCount} warning(s) in ${result.packDir}`);
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
        summary: 'List published policy pack versions',
        options: json,
        async run(ctx) {
            return withStore(ctx, async (store) => {
                const packs = await listPackVersions(store);
                if (ctx.values.json) ctx.out(JSON.stringify(packs, null, 2));
                else if (!packs.length) ctx.out(`No policy packs published in ${ctx.home}.`);
                else
                    ctx.out(
                        formatTable(
                            ['NAME', 'VERSION', 'TAG', 'POLICIES', 'PUBLISHED'],
                            packs.map((p) => [p.name, String(p.version), p.versionTag, String(p.policies.length), p.publishedAt]),
                        ),
                    );
                return EXIT_OK;
            });
        },
    },
    {
        path: ['policy', 'rm'],
        usage: '<pack> <versionTag|all>',
        summary: 'Remove a published version (or all versions)',
        positionals: [2, 2],
        async run(ctx) {
            const [pack, tag] = ctx.positionals;
            const removed = await withStore(ctx, (store) => removePackVersions(store, pack, tag));
            for (const r of removed) ctx.out(`Removed ${r.name}@${r.versionTag} (version ${r.version}).`);
            return EXIT_OK;
        },
    },
    {
        path: ['policy', 'enable'],
        usage: '<pack> <latest|versionTag> [--policy-group G] [--config FILE]',
        summary: 'Enable a pack version in a policy group',
        options: { 'policy-group': { type: 'string' }, config: { type: 'string' } },
        positionals: [2, 2],
        run: async (ctx) => (await import('./groupCommands')).runPolicyEnable(ctx),
    },
    {
        path: ['policy', 'disable'],
        usage: '<pack> [--policy-group G]',
        summary: 'Disable a pack in a policy group',
        options: { 'policy-group': { type: 'string' } },
        positionals: [1, 1],
        run: async (ctx) => (await import('./groupCommands')).runPolicyDisable(ctx),
    },
    {
        path: ['policy', 'validate-config'],
        usage: '<pack> <versionTag> --config FILE',
        summary: "Validate a config file against a pack version's schemas",
        options: { config: { type: 'string' } },
        positionals: [2, 2],
        run: async (ctx) => (await import('./groupCommands')).runValidateConfig(ctx),
    },
    {
        path: ['analyze'],
        usage: '--file STATE.json --policy-pack DIR [--policy-pack DIR2...] [--policy-pack-config FILE...] [--config-file Pulumi.<stack>.yaml] [--json | --diff] [--grant-env PACK...]',
        summary: 'Evaluate a Pulumi stack export against policy packs; exit 1 on a mandatory violation or a policy error',
        options: {
            file: { type: 'string' },
            'policy-pack': { type: 'string', multiple: true },
            'policy-pack-config': { type: 'string', multiple: true },
            'config-file': { type: 'string' },
            json: { type: 'boolean' },
            diff: { type: 'boolean' },
            ...GRANT_ENV_OPTION,
        },
        run: async (ctx) => (await import('./analyzeCommand')).runAnalyze(ctx),
    },
];
