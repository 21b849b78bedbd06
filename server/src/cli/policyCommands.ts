import { listPackVersions } from '../registry/packVersions';
import { Store } from '../store';
import { EXIT_OK, type CommandSpec } from './command';
import { formatTable } from './table';

const json = { json: { type: 'boolean' } } as const;

/** `policy-insights policy ...`: packs and versions. Groups live in groupCommands.ts. */
export const policyCommands: CommandSpec[] = [
    { path: ['policy', 'new'], usage: '<template> [--dir D] [--force] [--generate-only]', summary: 'Scaffold a policy pack from a template' },
    { path: ['policy', 'templates'], usage: '', summary: 'List the policy pack templates' },
    { path: ['policy', 'validate'], usage: '[DIR]', summary: 'Validate a policy pack; exit 1 on any error diagnostic' },
    { path: ['policy', 'publish'], usage: '[DIR]', summary: 'Publish an immutable version of a policy pack' },
    {
        path: ['policy', 'ls'],
        usage: '[--json]',
        summary: 'List published policy pack versions',
        options: json,
        async run(ctx) {
            const store = await Store.open({ home: ctx.home });
            try {
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
            } finally {
                await store.close();
            }
        },
    },
    { path: ['policy', 'rm'], usage: '<pack> <versionTag|all>', summary: 'Remove a published version (or all versions)' },
    { path: ['policy', 'enable'], usage: '<pack> <latest|versionTag> [--policy-group G] [--config FILE]', summary: 'Enable a pack version in a policy group' },
    { path: ['policy', 'disable'], usage: '<pack> [--policy-group G]', summary: 'Disable a pack in a policy group' },
    { path: ['policy', 'validate-config'], usage: '<pack> <versionTag> --config FILE', summary: "Validate a config file against a pack version's schemas" },
    { path: ['analyze'], usage: '--file STATE.json --policy-pack DIR [--policy-pack-config FILE] [--json]', summary: 'Evaluate a Pulumi stack export against policy packs' },
];
