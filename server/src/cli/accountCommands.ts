import { listAccountSummaries } from '../accounts/accountSummaries';
import { Store } from '../store';
import { EXIT_OK, type CommandSpec } from './command';
import { formatTable } from './table';

/** `policy-insights account ...`: AWS accounts and Pulumi stacks. */
export const accountCommands: CommandSpec[] = [
    {
        path: ['account', 'add'],
        usage: '<name> --provider aws [--profile P] [--role-arn R] [--regions r1,r2] [--endpoint URL] | <name> --provider pulumi-stack --state FILE',
        summary: 'Add an AWS account or a Pulumi stack',
    },
    {
        path: ['account', 'ls'],
        usage: '[--json]',
        summary: 'List accounts with their resource counts',
        options: { json: { type: 'boolean' } },
        async run(ctx) {
            const store = await Store.open({ home: ctx.home });
            try {
                const accounts = await listAccountSummaries(store);
                if (ctx.values.json) ctx.out(JSON.stringify(accounts, null, 2));
                else if (!accounts.length) ctx.out(`No accounts in ${ctx.home}.`);
                else
                    ctx.out(
                        formatTable(
                            ['NAME', 'PROVIDER', 'REGIONS', 'RESOURCES', 'LAST SCAN'],
                            accounts.map((a) => [
                                a.name,
                                a.provider,
                                (a.settings.regions ?? []).join(',') || '-',
                                String(Object.values(a.resourceCounts).reduce((n, c) => n + c, 0)),
                                a.scanStatus ? `${a.scanStatus.status} ${a.scanStatus.finishedAt ?? a.scanStatus.startedAt}` : 'never',
                            ]),
                        ),
                    );
                return EXIT_OK;
            } finally {
                await store.close();
            }
        },
    },
    { path: ['account', 'scan'], usage: '<name[/region]>', summary: "Discover an account's resources and evaluate them" },
    { path: ['account', 'rm'], usage: '<name>', summary: 'Remove an account and its stored resources' },
    { path: ['account', 'resources'], usage: '<name[/region]> [--type T] [--json]', summary: 'List the stored resources with their properties' },
];
