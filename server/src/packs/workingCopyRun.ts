/**
 * "Run against <account>": evaluates one policy of a pack's working copy (not a published
 * version) against an account's stored resources, so an author tries a policy on real
 * resources before publishing. Nothing is stored; the policy runs at its own level (or
 * advisory when it is disabled), every other policy of the pack is disabled.
 */
import { parseAccountRef } from '../shared/names';
import type { PolicyConfigValue } from '../shared/model';
import type { Store } from '../store';
import type { PolicyDiagnostic, PolicyRunError, RunnerPool, RunnerResource } from '../runner';
import { UserError } from '../userErrors';

export interface WorkingCopyRunArgs {
    packDir: string;
    policyName: string;
    /** An account (all its regions and global resources) or `name/region`. */
    account: string;
}

export interface WorkingCopyRunResult {
    policyName: string;
    account: string;
    resourceCount: number;
    diagnostics: PolicyDiagnostic[];
    errors: PolicyRunError[];
}

/** The shards an account reference covers: `name/region` alone, or the account with all its children. */
async function shardsOf(store: Store, ref: string): Promise<string[]> {
    const { account, region } = parseAccountRef(ref);
    const catalog = await store.readCatalog();
    const found = catalog.accounts.find((a) => a.name === account);
    if (!found) throw new UserError(`No account "${account}" in ${store.home}. Add and scan it first.`);
    const shards = new Set(await store.listShards());
    return (region ? [ref] : [account, ...found.children]).filter((name) => shards.has(name));
}

export async function runPolicyOnAccount(store: Store, runner: RunnerPool, args: WorkingCopyRunArgs): Promise<WorkingCopyRunResult> {
    const resources: RunnerResource[] = [];
    for (const shardName of await shardsOf(store, args.account)) {
        for (const r of (await store.readShard(shardName)).resources) {
            resources.push({ urn: r.urn, type: r.type, name: r.name, properties: r.properties, parent: r.parent, dependencies: r.dependencies });
        }
    }
    const info = await runner.loadPack(args.packDir);
    const policy = info.policies.find((p) => p.name === args.policyName);
    if (!policy) {
        throw new UserError(`The working copy in ${args.packDir} has no policy "${args.policyName}" (it has ${info.policies.map((p) => p.name).join(', ')}). Save the file and try again.`);
    }
    const config: Record<string, PolicyConfigValue> = { all: 'disabled', [policy.name]: policy.enforcementLevel === 'disabled' ? 'advisory' : policy.enforcementLevel };
    const run = policy.policyType === 'stack' ? runner.analyzeStack.bind(runner) : runner.analyze.bind(runner);
    const result = await run(args.packDir, resources, { config });
    return {
        policyName: policy.name,
        account: args.account,
        resourceCount: resources.length,
        diagnostics: result.diagnostics.filter((d) => d.policyName === policy.name),
        errors: result.errors,
    };
}
