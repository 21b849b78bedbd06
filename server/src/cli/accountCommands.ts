import type { ScanOutcome } from '../accounts';
import { profileRegion } from '../accounts/awsProfiles';
import { ACCOUNT_PROVIDER_LABELS, SCAN_SCHEDULES, type ScanSchedule } from '../shared/model';
import { parseAccountRef } from '../shared/names';
import type { Store } from '../store';
import { EXIT_FINDINGS, EXIT_OK, UsageError, withStore, type CommandContext, type CommandSpec } from './command';
import type { EvaluationReport, Evaluator } from '../evaluation';
import { withEvaluation } from './evaluate';
import { formatTable } from './table';
import { ScanProgressPrinter } from './scanProgressPrinter';
import { GRANT_ENV_OPTION } from './runner';

/** The account services reach the AWS SDK: only the commands that run them load it, not `--help` (runCli.ts). */
const accountServices = () => import('../accounts');

function str(ctx: CommandContext, key: string): string | undefined {
    const value = ctx.values[key];
    return typeof value === 'string' ? value : undefined;
}

/** --regions, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region, else us-east-1. */
function regionsOf(ctx: CommandContext, profile: string | undefined): string[] {
    const flag = str(ctx, 'regions');
    if (flag !== undefined) return flag.split(',').map((r) => r.trim()).filter(Boolean);
    const fallback = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || profileRegion(profile ?? 'default') || 'us-east-1';
    return [fallback];
}

async function scheduleOf(ctx: CommandContext): Promise<ScanSchedule | undefined> {
    const schedule = str(ctx, 'schedule');
    if (schedule !== undefined && !(SCAN_SCHEDULES as readonly string[]).includes(schedule)) throw new UsageError(`--schedule must be one of ${SCAN_SCHEDULES.join(', ')}, got "${schedule}"`);
    return schedule as ScanSchedule | undefined;
}

/** `--tag k=v` (repeatable), each checked before anything is added, so a bad tag adds nothing. */
async function tagsOf(ctx: CommandContext): Promise<string[]> {
    const tags = (ctx.values.tag as string[] | undefined) ?? [];
    const { parseTag } = await import('../groups');
    for (const tag of tags) parseTag(tag);
    return tags;
}

/** Sets the account's tags as `account tag` does (policy groups' tag rules follow them). */
async function applyTags(ctx: CommandContext, store: Store, name: string, tags: string[]): Promise<void> {
    if (!tags.length) return;
    const { tagAccount } = await import('../groups');
    const change = await tagAccount(store, name, { set: tags });
    ctx.out(`Tagged ${name}: ${Object.entries(change.tags).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
}

function positiveInt(ctx: CommandContext, key: string): number | undefined {
    const raw = str(ctx, key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} must be a whole number of at least 1, got "${raw}"`);
    return n;
}

function printOutcome(ctx: CommandContext, outcome: ScanOutcome): void {
    const rows = Object.entries(outcome.children).map(([child, d]) => [child, String(d.added.length), String(d.changed.length), String(d.removed.length), String(d.unchanged)]);
    ctx.out(formatTable(['ACCOUNT', 'ADDED', 'CHANGED', 'REMOVED', 'UNCHANGED'], rows));
    const r = outcome.record;
    const status = r.status === 'partial' ? `partial (${outcome.errors.length} service${outcome.errors.length === 1 ? '' : 's'} failed)` : r.status;
    ctx.out(`Scan of ${outcome.scanned} ${status}: ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.unchanged} unchanged; ${outcome.account.scanStatus?.resourceCount ?? 0} resources stored.`);
    if (outcome.errors.length) {
        ctx.out(`${outcome.errors.length} service${outcome.errors.length === 1 ? '' : 's'} failed (their resources were kept as they were):`);
        for (const e of outcome.errors) ctx.out(`  ${e.service}${e.type ? ` ${e.type}` : ''}${e.region ? ` (${e.region})` : ''}: ${e.code}: ${e.message}`);
    }
    const skipped = outcome.account.scanStatus?.skipped ?? [];
    if (skipped.length) ctx.out(`${skipped.length} Cloud Control type${skipped.length === 1 ? '' : 's'} skipped (they cannot be listed on their own): ${skipped.slice(0, 10).map((e) => e.type).join(', ')}${skipped.length > 10 ? ', …' : ''}`);
}

/** `policy-insights account ...`: AWS accounts, Kubernetes clusters and Pulumi stacks. */
export const accountCommands: CommandSpec[] = [
    {
        path: ['account', 'add'],
        usage:
            '<name> --provider aws [--profile P] [--role-arn R [--external-id X]] [--regions r1,r2] [--endpoint URL] [--all-types] [--schedule none|12h|daily] [--tag k=v]... | <name> --provider pulumi-stack --state FILE [--schedule none|12h|daily] [--tag k=v]... | <name> --provider kubernetes [--kubeconfig FILE] [--context C] [--namespaces a,b] [--schedule none|12h|daily] [--tag k=v]...',
        summary: "Add an AWS account (--all-types: every other type through Cloud Control), a Kubernetes cluster or a Pulumi stack (--tag: tags policy groups' tag rules match, as `account tag` sets them)",
        positionals: [1, 1],
        options: {
            provider: { type: 'string' },
            profile: { type: 'string' },
            'role-arn': { type: 'string' },
            'external-id': { type: 'string' },
            regions: { type: 'string' },
            endpoint: { type: 'string' },
            state: { type: 'string' },
            kubeconfig: { type: 'string' },
            context: { type: 'string' },
            namespaces: { type: 'string' },
            schedule: { type: 'string' },
            tag: { type: 'string', multiple: true },
            // every other AWS type through Cloud Control, as aws-native resources
            'all-types': { type: 'boolean' },
        },
        async run(ctx) {
            const name = ctx.positionals[0];
            const provider = str(ctx, 'provider');
            const scanSchedule = await scheduleOf(ctx);
            const tags = await tagsOf(ctx);
            const { addAwsAccount, addStackAccount } = await accountServices();
            const kubernetesFlags = ['kubeconfig', 'context', 'namespaces'];
            if (provider !== 'kubernetes') for (const flag of kubernetesFlags) if (str(ctx, flag) !== undefined) throw new UsageError(`--${flag} is for --provider kubernetes`);
            if (provider === 'aws') {
                if (str(ctx, 'state') !== undefined) throw new UsageError('--state is for --provider pulumi-stack');
                return withStore(ctx, async (store) => {
                    const profile = str(ctx, 'profile');
                    const account = await addAwsAccount(store, {
                        name,
                        profile,
                        roleArn: str(ctx, 'role-arn'),
                        externalId: str(ctx, 'external-id'),
                        regions: regionsOf(ctx, profile),
                        endpoint: str(ctx, 'endpoint'),
                        scanSchedule,
                        allTypes: ctx.values['all-types'] === true,
                    });
                    await applyTags(ctx, store, account.name, tags);
                    ctx.out(`Added AWS account ${account.name} (AWS account ${account.awsAccountId ?? 'unknown'}) with ${account.children.join(', ')}${account.settings.allTypes ? '; scans also list every other type through Cloud Control (aws-native)' : ''}.`);
                    ctx.out(`Scan it with: policy-insights account scan ${account.name}`);
                    return EXIT_OK;
                });
            }
            if (provider === 'pulumi-stack') {
                const state = str(ctx, 'state');
                if (state === undefined) throw new UsageError('--provider pulumi-stack needs --state FILE (a `pulumi stack export` file or .pulumi/stacks/<project>/<stack>.json)');
                for (const flag of ['profile', 'role-arn', 'external-id', 'regions', 'endpoint']) if (str(ctx, flag) !== undefined) throw new UsageError(`--${flag} is for --provider aws`);
                if (ctx.values['all-types'] !== undefined) throw new UsageError('--all-types is for --provider aws');
                return withStore(ctx, async (store) => {
                    const account = await addStackAccount(store, { name, stateFile: state, scanSchedule });
                    await applyTags(ctx, store, account.name, tags);
                    ctx.out(`Added Pulumi stack ${account.name} (project ${account.project}, stack ${account.stack}) from ${account.settings.stateFile}.`);
                    ctx.out(`Import its resources with: policy-insights account scan ${account.name}`);
                    return EXIT_OK;
                });
            }
            if (provider === 'kubernetes') {
                for (const flag of ['profile', 'role-arn', 'external-id', 'regions', 'endpoint', 'state']) if (str(ctx, flag) !== undefined) throw new UsageError(`--${flag} is not for --provider kubernetes`);
                if (ctx.values['all-types'] !== undefined) throw new UsageError('--all-types is for --provider aws');
                const { addKubernetesAccount, defaultKubeconfigPath } = await accountServices();
                const namespaces = str(ctx, 'namespaces')?.split(',').map((n) => n.trim()).filter(Boolean);
                return withStore(ctx, async (store) => {
                    const account = await addKubernetesAccount(store, { name, kubeconfig: str(ctx, 'kubeconfig') ?? defaultKubeconfigPath(), context: str(ctx, 'context'), namespaces, scanSchedule });
                    const s = account.settings;
                    ctx.out(`Added Kubernetes cluster ${account.name} (context ${s.context} of ${s.kubeconfig}, ${s.server}) with ${account.children.length ? account.children.join(', ') : 'no namespaces yet'}.`);
                    await applyTags(ctx, store, account.name, tags);
                    ctx.out(`Scan it with: policy-insights account scan ${account.name}`);
                    return EXIT_OK;
                });
            }
            throw new UsageError(provider === undefined ? '--provider aws|kubernetes|pulumi-stack is required' : `unknown provider "${provider}": use aws, kubernetes or pulumi-stack`);
        },
    },
    {
        path: ['account', 'edit'],
        usage: '<name> [--schedule none|12h|daily] [--all-types | --no-all-types]',
        summary: "Change an account's or stack's scan schedule (run by VS Code and by `policy-insights watch`), or whether an AWS account's scans list every other type through Cloud Control",
        positionals: [1, 1],
        options: { schedule: { type: 'string' }, 'all-types': { type: 'boolean' }, 'no-all-types': { type: 'boolean' } },
        async run(ctx) {
            const schedule = await scheduleOf(ctx);
            const on = ctx.values['all-types'] === true;
            const off = ctx.values['no-all-types'] === true;
            if (on && off) throw new UsageError('give --all-types or --no-all-types, not both');
            if (schedule === undefined && !on && !off) throw new UsageError('nothing to change: give --schedule none|12h|daily or --all-types/--no-all-types (tags are set with `policy-insights account tag`)');
            const { setAllTypes, setScanSchedule } = await accountServices();
            return withStore(ctx, async (store) => {
                if (on || off) {
                    const account = await setAllTypes(store, ctx.positionals[0], on);
                    ctx.out(`${account.name}'s scans ${on ? 'also list every other type through Cloud Control (aws-native)' : 'list the built-in types only; the next scan removes its aws-native resources'}.`);
                }
                if (schedule !== undefined) {
                    const account = await setScanSchedule(store, ctx.positionals[0], schedule);
                    ctx.out(`${account.name} is now scanned ${account.scanSchedule === 'none' ? 'only when asked' : account.scanSchedule === '12h' ? 'every 12 hours' : 'daily'}.`);
                }
                return EXIT_OK;
            });
        },
    },
    {
        path: ['account', 'ls'],
        usage: '[--json]',
        summary: 'List accounts with their resource counts',
        options: { json: { type: 'boolean' } },
        async run(ctx) {
            const { listAccountSummaries } = await accountServices();
            return withStore(ctx, async (store) => {
                const accounts = await listAccountSummaries(store);
                if (ctx.values.json) ctx.out(JSON.stringify(accounts, null, 2));
                else if (!accounts.length) ctx.out(`No accounts in ${ctx.home}.`);
                else
                    {ctx.out(
                        formatTable(
                            ['NAME', 'PROVIDER', 'REGIONS', 'RESOURCES', 'LAST SCAN'],
                            accounts.map((a) => [
                                a.name,
                                a.provider,
                                // a cluster's namespaces stand where an AWS account's regions do
                                (a.provider === 'kubernetes' ? a.children.map((c) => parseAccountRef(c).region ?? c) : (a.settings.regions ?? [])).join(',') || '-',
                                String(Object.values(a.resourceCounts).reduce((n, c) => n + c, 0)),
                                a.scanStatus ? `${a.scanStatus.status} ${a.scanStatus.finishedAt ?? a.scanStatus.startedAt}` : 'never',
                            ]),
                        ),
                    );}
                return EXIT_OK;
            });
        },
    },
    {
        path: ['account', 'coverage'],
        usage: '<name> [--json]',
        summary: 'Which types the last scan of an account covered: scanned, skipped, denied (the credentials may not read them) or failed',
        positionals: [1, 1],
        options: { json: { type: 'boolean' } },
        async run(ctx) {
            const { accountCoverage, resolveAccount } = await accountServices();
            return withStore(ctx, async (store) => {
                const { account, region } = await resolveAccount(store, ctx.positionals[0]);
                if (region !== undefined) throw new UsageError(`coverage is per account: use ${account.name}, not ${ctx.positionals[0]}`);
                const coverage = accountCoverage(account);
                if (ctx.values.json) {
                    ctx.out(JSON.stringify(coverage, null, 2));
                    return EXIT_OK;
                }
                if (!coverage.types.length) {
                    ctx.out(coverage.scanStatus === 'running' ? `${account.name} is being scanned; its coverage is known when the scan ends.` : `${account.name} was never scanned: policy-insights account scan ${account.name}`);
                    return EXIT_OK;
                }
                ctx.out(
                    formatTable(
                        ['TYPE', 'STATE', 'WHERE', 'WHY'],
                        coverage.types.map((t) => [t.type, t.state, t.regions?.join(',') ?? '-', t.code ? `${t.code}: ${t.message ?? ''}`.slice(0, 120) : '']),
                    ),
                );
                const counts = new Map<string, number>();
                for (const t of coverage.types) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
                ctx.out(`${coverage.types.length} types after the ${coverage.scanStatus} scan of ${coverage.finishedAt ?? 'unknown time'}: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}.`);
                return EXIT_OK;
            });
        },
    },
    {
        path: ['account', 'scan'],
        usage: '<name[/region]> [--concurrency N] [--json] [--no-evaluate] [--grant-env PACK...]',
        summary: "Discover an account's resources and evaluate them (exit 1 only when every service failed)",
        positionals: [1, 1],
        options: { concurrency: { type: 'string' }, json: { type: 'boolean' }, 'no-evaluate': { type: 'boolean' }, ...GRANT_ENV_OPTION },
        async run(ctx) {
            const concurrency = positiveInt(ctx, 'concurrency');
            const { scanAccount } = await accountServices();
            return withStore(ctx, async (store) => {
                const controller = new AbortController();
                const interrupt = () => controller.abort();
                process.once('SIGINT', interrupt);
                const progress = new ScanProgressPrinter(ctx);
                // the evaluation's pack hosts start while the scan runs (withEvaluation)
                const scanThen = async (evaluate?: (run: (evaluator: Evaluator) => Promise<EvaluationReport>) => Promise<EvaluationReport>) => {
                    const outcome = await scanAccount(store, ctx.positionals[0], { concurrency, signal: controller.signal, onProgress: (p) => progress.show(p), log: (message) => ctx.err(message) });
                    progress.close();
                    if (ctx.values.json) ctx.out(JSON.stringify(outcome, null, 2));
                    else printOutcome(ctx, outcome);
                    if (evaluate) await evaluate((evaluator) => evaluator.evaluateAfterScan(outcome));
                    // partial exits 0: what could be scanned was stored and evaluated; the output names what failed
                    return outcome.record.status === 'failed' ? EXIT_FINDINGS : EXIT_OK;
                };
                try {
                    return await (ctx.values['no-evaluate'] ? scanThen() : withEvaluation(ctx, store, [ctx.positionals[0]], scanThen));
                } finally {
                    progress.close();
                    process.removeListener('SIGINT', interrupt);
                }
            });
        },
    },
    {
        path: ['account', 'rm'],
        usage: '<name>',
        summary: 'Remove an account and its stored resources',
        positionals: [1, 1],
        async run(ctx) {
            const { removeAccount } = await accountServices();
            return withStore(ctx, async (store) => {
                const account = await removeAccount(store, ctx.positionals[0]);
                ctx.out(`Removed ${ACCOUNT_PROVIDER_LABELS[account.provider]} ${account.name} and its stored resources.`);
                return EXIT_OK;
            });
        },
    },
    {
        path: ['account', 'resources'],
        usage: '<name[/region]> [--type T] [--json]',
        summary: 'List the stored resources with their properties',
        positionals: [1, 1],
        options: { type: { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
            const { listResources } = await accountServices();
            return withStore(ctx, async (store) => {
                const resources = await listResources(store, ctx.positionals[0], { type: str(ctx, 'type') });
                if (ctx.values.json) ctx.out(JSON.stringify(resources, null, 2));
                else if (!resources.length) ctx.out(`No resources stored for ${ctx.positionals[0]}${str(ctx, 'type') ? ` of type ${str(ctx, 'type')}` : ''}; scan it with: policy-insights account scan ${ctx.positionals[0]}`);
                else ctx.out(formatTable(['ACCOUNT', 'TYPE', 'NAME', 'ID'], resources.map((r) => [r.account, r.type, r.name, r.id ?? '-'])));
                return EXIT_OK;
            });
        },
    },
];
