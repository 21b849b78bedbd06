import type { AccountSummary } from '../shared/protocol';
import type { Store } from '../store';
import { accountCoverage } from './accountCoverage';

/**
 * Accounts with their resource counts per child account (`name/region`, or the account
 * itself for global services and stacks) and their last scan.
 */
export async function listAccountSummaries(store: Store): Promise<AccountSummary[]> {
    const { accounts } = await store.readCatalog();
    const shards = new Set(await store.listShards());
    const summaries: AccountSummary[] = [];
    for (const account of [...accounts].sort((a, b) => a.name.localeCompare(b.name))) {
        const resourceCounts: Record<string, number> = {};
        let lastScan: AccountSummary['lastScan'];
        for (const shardName of [account.name, ...account.children]) {
            if (!shards.has(shardName)) continue;
            const shard = await store.readShard(shardName);
            resourceCounts[shardName] = shard.resources.length;
            const latest = shard.scans[shard.scans.length - 1];
            if (latest && (!lastScan || latest.startedAt > lastScan.startedAt)) lastScan = latest;
        }
        const { types } = accountCoverage(account);
        const coverage = types.length ? { scanned: types.filter((t) => t.state === 'scanned').length, notScanned: types.filter((t) => t.state !== 'scanned') } : undefined;
        summaries.push({ ...account, resourceCounts, lastScan, ...(coverage ? { coverage } : {}) });
    }
    return summaries;
}
