import type { ListViolationsParams, ListViolationsResult } from '../protocol';
import type { Violation } from '../model';
import type { Store } from '../store';

const DEFAULT_STATUSES: Violation['status'][] = ['open', 'in_progress'];

/** Violations across every shard, filtered by status, newest first. */
export async function listViolations(store: Store, params: ListViolationsParams = {}): Promise<ListViolationsResult> {
    const statuses = new Set(params.statuses ?? DEFAULT_STATUSES);
    const matched: Violation[] = [];
    for (const shardName of await store.listShards()) {
        const shard = await store.readShard(shardName);
        for (const violation of shard.violations) if (statuses.has(violation.status)) matched.push(violation);
    }
    matched.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt) || a.id.localeCompare(b.id));
    const limit = params.limit ?? matched.length;
    return { violations: matched.slice(0, limit), total: matched.length };
}
